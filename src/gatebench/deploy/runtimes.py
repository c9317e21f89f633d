"""The runtimes a model can be measured in: a registry of names -> prepare functions."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from gatebench.cells import SequenceModel
from gatebench.deploy.export import load_runner, max_differences, to_onnx, to_torchscript
from gatebench.deploy.quantize import quantize_eager, quantize_onnx
from gatebench.deploy.runners import Runner, TorchRunner
from gatebench.deploy.views import FullView, StepView, can_stream
from gatebench.errors import UnknownNameError

if TYPE_CHECKING:
    from gatebench.analysis.documents import RuntimeFacts


@dataclass
class Prepared:
    """A model made ready in one runtime, JSON-able facts about it (bytes, differences), and
    its full-sequence form as (memory-probe kind, bytes), built on demand."""

    runner: Runner
    info: RuntimeFacts
    artifact: Callable[[], tuple[str, bytes]]


@dataclass(frozen=True)
class Runtime:
    """A registered runtime: how to prepare a model in it."""

    name: str
    description: str
    prepare: Callable[[SequenceModel, int, float], Prepared]  # (model, threads, atol)
    needs: tuple[str, ...] = ()  # optional modules, imported only when this runtime is used


def state_dict_bytes(model: torch.nn.Module) -> int:
    """Size of the serialised state dict (what `torch.save(model.state_dict())` writes)."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def _eager_runner(name: str, model: SequenceModel) -> TorchRunner:
    step = StepView(model) if can_stream(model) else None
    return TorchRunner(name, FullView(model), step)


def _pickled(model: SequenceModel) -> Callable[[], tuple[str, bytes]]:
    def artifact() -> tuple[str, bytes]:
        buffer = io.BytesIO()
        torch.save(FullView(model), buffer)  # the whole module: the probe needs no config
        return "torch", buffer.getvalue()

    return artifact


def _eager(model: SequenceModel, threads: int, atol: float) -> Prepared:
    runner = _eager_runner("eager", model.eval())
    info: RuntimeFacts = {"format": "state dict (float32)", "bytes": state_dict_bytes(model)}
    return Prepared(runner, info, _pickled(model))


def _eager_int8(model: SequenceModel, threads: int, atol: float) -> Prepared:
    quantized = quantize_eager(model)
    runner = _eager_runner("eager-int8", quantized)
    return Prepared(runner, {
        "format": "state dict (dynamic int8: recurrent layers and head)",
        "bytes": state_dict_bytes(quantized),
        "max_abs_diff_vs_fp32": max_differences(model, runner),
    }, _pickled(quantized))


def _torchscript(model: SequenceModel, threads: int, atol: float) -> Prepared:
    export = to_torchscript(model, atol=atol)
    return Prepared(load_runner(export, runtime="torchscript"), {
        "format": "TorchScript (torch.jit.trace)", "bytes": len(export.full),
        "max_abs_diff": export.max_abs_diff, "atol": atol,
    }, lambda: ("torchscript", export.full))


def _onnx(model: SequenceModel, threads: int, atol: float) -> Prepared:
    export = to_onnx(model, atol=atol, threads=threads)
    return Prepared(load_runner(export, threads, runtime="onnx"), {
        "format": "ONNX (legacy exporter, float32)", "bytes": len(export.full),
        "max_abs_diff": export.max_abs_diff, "atol": atol,
    }, lambda: ("onnx", export.full))


def _onnx_int8(model: SequenceModel, threads: int, atol: float) -> Prepared:
    quantized, new_ops = quantize_onnx(to_onnx(model, atol=atol, threads=threads))
    runner = load_runner(quantized, threads, runtime="onnx-int8")
    return Prepared(runner, {
        "format": "ONNX (dynamic int8 weights)", "bytes": len(quantized.full),
        "quantized_ops": new_ops, "max_abs_diff_vs_fp32": max_differences(model, runner),
    }, lambda: ("onnx", quantized.full))


_DEPLOY = ("onnx", "onnxruntime")
_RUNTIMES: dict[str, Runtime] = {
    r.name: r
    for r in (
        Runtime("eager", "PyTorch eager under torch.inference_mode", _eager),
        Runtime("torchscript", "TorchScript traced from the model", _torchscript),
        Runtime("onnx", "ONNX Runtime (CPU) on the legacy-exported graph", _onnx, _DEPLOY),
        Runtime("eager-int8", "PyTorch eager, dynamic int8 (quantize_dynamic)", _eager_int8),
        Runtime("onnx-int8", "ONNX Runtime, dynamic int8 weights", _onnx_int8, _DEPLOY),
    )
}


def get_runtime(name: str) -> Runtime:
    """The registered runtime called `name`, or UnknownNameError listing the known ones."""
    try:
        return _RUNTIMES[name]
    except KeyError:
        raise UnknownNameError("runtime", name, tuple(_RUNTIMES)) from None


def runtime_names() -> tuple[str, ...]:
    """Names of every registered runtime, in registration order."""
    return tuple(_RUNTIMES)
