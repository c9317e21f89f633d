"""Peak memory of a model in one runtime, from a fresh process's resident-set high-water mark.

tracemalloc cannot see torch's or ONNX Runtime's native allocations, and the profiler's memory
view covers torch tensors only, so each runtime runs in its own child process and reports its
resident-set high-water mark (VmHWM on Linux, else ru_maxrss) at three points: after importing
its runtime and reading the input ("baseline"), after loading the model ("load" = the increase),
and after a few inferences ("run" = the further increase: activations, workspaces, arenas,
allocator slack). Memory already resident before a point is not counted again after it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # type only: the child process runs this file alone, importing nothing of ours
    from gatebench.analysis.documents import PeakMemory

KINDS = ("torch", "torchscript", "onnx")  # a pickled module, a TorchScript file, an ONNX file


def peak_memory(kind: str, model: bytes, x: np.ndarray, threads: int, runs: int = 5
                ) -> PeakMemory:
    """Baseline, load and run memory (MiB) of one model in a fresh process; {"error"} if the
    child failed."""
    with tempfile.TemporaryDirectory() as tmp:
        model_path, input_path = Path(tmp) / "model", Path(tmp) / "x.npy"
        model_path.write_bytes(model)
        np.save(input_path, x)
        # -I: the child must not find this folder's modules first on sys.path.
        args = [sys.executable, "-I", __file__, kind, str(model_path), str(input_path),
                str(threads), str(runs)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"memory probe failed: {tail[:200]}"}
    kb = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "baseline_mb": kb["baseline"] / 1024,
        "load_mb": (kb["loaded"] - kb["baseline"]) / 1024,
        "run_mb": (kb["peak"] - kb["loaded"]) / 1024,
        "peak_mb": kb["peak"] / 1024,
    }


def _maxrss_kb() -> int:
    # Linux carries ru_maxrss across exec, so a child started from a big parent would report the
    # parent's peak; VmHWM belongs to the new address space alone.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


def _probe(kind: str, model_path: str, input_path: str, threads: int, runs: int) -> dict:
    x = np.load(input_path)
    if kind == "onnx":
        import onnxruntime as ort

        baseline = _maxrss_kb()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name

        def run() -> object:
            return session.run(None, {name: x})
    else:
        import torch

        torch.set_num_threads(threads)
        tensor = torch.from_numpy(x)
        baseline = _maxrss_kb()
        if kind == "torchscript":
            module = torch.jit.load(model_path)
        else:  # our own pickled module, written by the parent a moment ago
            module = torch.load(model_path, weights_only=False)

        def run() -> object:
            with torch.inference_mode():
                return module(tensor)
    loaded = _maxrss_kb()
    for _ in range(runs):
        run()
    return {"baseline": baseline, "loaded": loaded, "peak": _maxrss_kb()}


if __name__ == "__main__":
    kind_arg, model_arg, input_arg, threads_arg, runs_arg = sys.argv[1:6]
    print(json.dumps(_probe(kind_arg, model_arg, input_arg, int(threads_arg), int(runs_arg))))
