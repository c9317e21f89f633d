"""Export a model to ONNX or TorchScript; every export is checked against PyTorch before use.

ONNX uses the legacy TorchScript-based exporter (`dynamo=False`): the dynamo exporter writes
the GRU's reset gate in the wrong form (linear_before_reset=0), silently off by up to 14%
(pytorch#189225). The check below would catch that, and any other mismatch, every time.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from gatebench.cells import SequenceModel
from gatebench.deploy.runners import OnnxRunner, Runner, TorchRunner, refusal
from gatebench.deploy.views import (
    FullView,
    StepView,
    can_stream,
    example_input,
    example_state,
)
from gatebench.errors import ExportError, SpecError, require
from gatebench.fileio import silenced

DEFAULT_ATOL = 1e-4  # float32 outputs of one model in two runtimes agree far closer than this
OPSET = 17
FORMATS = ("onnx", "torchscript")
# Export at one shape and check at another, so a graph that baked in a batch size or a
# sequence length fails the check instead of failing in production.
_EXPORT_BATCH, _EXPORT_LEN = 2, 5
_CHECK_BATCH, _CHECK_LEN = 3, 9
_CHECK_STEPS = 4


@dataclass(frozen=True)
class Export:
    """A model serialised for one runtime (full-sequence graph, optional one-step graph)."""

    format: str  # "onnx" or "torchscript"
    full: bytes
    step: bytes | None
    max_abs_diff: dict[str, float] = field(default_factory=dict)  # vs PyTorch, per graph
    atol: float = DEFAULT_ATOL

    def save(self, path: str | Path) -> list[Path]:
        """Write the full graph to `path` and the step graph beside it as <stem>-step<suffix>."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = [path]
        path.write_bytes(self.full)
        if self.step is not None:
            step_path = path.with_name(f"{path.stem}-step{path.suffix}")
            step_path.write_bytes(self.step)
            written.append(step_path)
        return written


def max_differences(model: SequenceModel, runner: Runner) -> dict[str, float]:
    """Largest |runner - PyTorch| on a full batch and over carried streaming steps, at a batch
    size and length other than the export's."""
    gen = torch.Generator().manual_seed(0)
    x = example_input(model, _CHECK_BATCH, _CHECK_LEN, gen)
    with torch.inference_mode():
        expected = FullView(model)(x)
    diffs = {"full": _max_abs(runner.run(x), expected)}
    if runner.can_stream:
        view = StepView(model)
        ours = theirs = example_state(model, _CHECK_BATCH, gen)
        worst = 0.0
        for _ in range(_CHECK_STEPS):
            x_t = example_input(model, _CHECK_BATCH, None, gen)
            with torch.inference_mode():
                y, *ours = view(x_t, *ours)
            got, theirs = runner.run_step(x_t, theirs)
            worst = max(worst, _max_abs(got, y),
                        *(_max_abs(a, b) for a, b in zip(theirs, ours, strict=True)))
        diffs["step"] = worst
    return diffs


def check_equivalent(model: SequenceModel, runner: Runner, atol: float = DEFAULT_ATOL
                     ) -> dict[str, float]:
    """`max_differences`, raising ExportError (naming the runtime and the difference) when
    any exceeds `atol`."""
    diffs = max_differences(model, runner)
    for graph, diff in diffs.items():
        if not diff <= atol:  # NaN fails too
            raise ExportError(
                f"{runner.runtime} disagrees with PyTorch on the {graph} graph: max |difference| "
                f"{diff:.3g} > tolerance {atol:g}; the export is wrong and was not used"
            )
    return diffs


def to_onnx(model: SequenceModel, *, atol: float = DEFAULT_ATOL, opset: int = OPSET,
            threads: int | None = None) -> Export:
    """ONNX graphs with dynamic batch and sequence axes, checked in ONNX Runtime (eval mode)."""
    require("onnxruntime", extra="deploy")
    model.eval()
    gen = torch.Generator().manual_seed(0)
    x = example_input(model, _EXPORT_BATCH, _EXPORT_LEN, gen)
    with torch.no_grad():
        y_dims = FullView(model)(x).dim()
    full = _onnx_bytes(
        FullView(model), (x,), ["x"], ["y"],
        {"x": {0: "batch", 1: "time"}, "y": {0: "batch", 1: "time"} if y_dims == 3
         else {0: "batch"}},
        opset, "the full-sequence graph",
    )
    step = None
    if can_stream(model):
        state = example_state(model, _EXPORT_BATCH, gen)
        names = [f"state_{i}" for i in range(len(state))]
        outs = [f"state_out_{i}" for i in range(len(state))]
        axes = {"x_t": {0: "batch"}, "y_t": {0: "batch"}}
        axes.update({n: {1: "batch"} for n in names + outs})
        step = _onnx_bytes(
            StepView(model), (example_input(model, _EXPORT_BATCH, None, gen), *state),
            ["x_t", *names], ["y_t", *outs], axes, opset, "the one-step graph",
        )
    threads = threads or torch.get_num_threads()
    runner = OnnxRunner("ONNX Runtime", full, step, threads)
    return Export("onnx", full, step, check_equivalent(model, runner, atol), atol)


def to_torchscript(model: SequenceModel, *, atol: float = DEFAULT_ATOL) -> Export:
    """Traced TorchScript modules (full sequence and one step), checked after a save/load
    round trip (eval mode)."""
    model.eval()
    gen = torch.Generator().manual_seed(0)
    x = example_input(model, _EXPORT_BATCH, _EXPORT_LEN, gen)
    full = _traced_bytes(FullView(model), (x,), "the full-sequence module")
    step = None
    if can_stream(model):
        args = (example_input(model, _EXPORT_BATCH, None, gen),
                *example_state(model, _EXPORT_BATCH, gen))
        step = _traced_bytes(StepView(model), args, "the one-step module")
    export = Export("torchscript", full, step, atol=atol)
    return replace(export, max_abs_diff=check_equivalent(model, load_runner(export), atol))


def export_model(model: SequenceModel, fmt: str, *, atol: float = DEFAULT_ATOL) -> Export:
    """`to_onnx` or `to_torchscript` by format name."""
    if fmt not in FORMATS:
        raise SpecError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return to_onnx(model, atol=atol) if fmt == "onnx" else to_torchscript(model, atol=atol)


def load_runner(export: Export, threads: int | None = None, runtime: str | None = None
                ) -> Runner:
    """A runner for an Export: ONNX Runtime sessions or loaded TorchScript modules."""
    if export.format == "onnx":
        return OnnxRunner(runtime or "ONNX Runtime", export.full, export.step,
                          threads or torch.get_num_threads())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript announces its end
        full = torch.jit.load(io.BytesIO(export.full))
        step = torch.jit.load(io.BytesIO(export.step)) if export.step is not None else None
    return TorchRunner(runtime or "TorchScript", full, step)


def _onnx_bytes(view: torch.nn.Module, args: tuple, inputs: list[str], outputs: list[str],
                axes: dict[str, dict[int, str]], opset: int, what: str) -> bytes:
    buffer = io.BytesIO()
    try:
        # The legacy exporter warns about its own deprecation and about tracing; the
        # equivalence check after it is what guards the result, so its warnings are noise here.
        # On failure its C++ side prints the whole graph to stdout, which --json must not see.
        with warnings.catch_warnings(), torch.no_grad(), silenced(1):
            warnings.simplefilter("ignore")
            torch.onnx.export(view, args, buffer, dynamo=False, opset_version=opset,
                              input_names=inputs, output_names=outputs, dynamic_axes=axes)
    except Exception as exc:  # the exporter raises many unrelated types; all mean "refused"
        raise refusal(f"ONNX export (legacy exporter, opset {opset})", f"exporting {what}",
                      exc) from None
    return buffer.getvalue()


def _traced_bytes(view: torch.nn.Module, args: tuple, what: str) -> bytes:
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # deprecation and tracer notes; checked below
            traced = torch.jit.trace(view, args, check_trace=False)
            torch.jit.save(traced, buffer)
    except Exception as exc:  # tracing raises RuntimeError, TypeError, ...
        raise refusal("TorchScript (torch.jit.trace)", f"tracing {what}", exc) from None
    return buffer.getvalue()


def _max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.shape != b.shape:
        return math.inf
    diff = float((a.float() - b.float()).abs().max()) if a.numel() else 0.0
    return diff if math.isfinite(diff) else math.inf
