"""A model made ready in one runtime: the same full-sequence and one-step calls for all."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from gatebench.errors import ExportError, require

StepFn = Callable[..., tuple[Tensor, ...]]  # (x_t, *state) -> (y_t, *new state)

# Where exporters and runtimes name the operator they could not handle, most specific first.
_OPERATOR_PATTERNS = (
    r"operator '([\w:.]+)'",
    r"implementation for (\w+)\(",
    r"(aten::\w+)",
    r"(prim::\w+)",
    r"op_type[=:]\s*'?(\w+)",
)


def refused_operator(message: str) -> str | None:
    """The operator an exporter or runtime error message names, if it names one."""
    for pattern in _OPERATOR_PATTERNS:
        found = re.search(pattern, message)
        if found:
            return found.group(1)
    return None


def refusal(runtime: str, action: str, exc: BaseException) -> ExportError:
    """An ExportError naming the runtime, the operator it refused (if known) and why."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    op = refused_operator(str(exc))
    which = f" refused operator {op}" if op else " failed"
    return ExportError(f"{runtime}{which} while {action}: {message[:300]}")


class Runner(ABC):
    """A model in one runtime; timing calls expect torch.inference_mode around them."""

    runtime: str

    @property
    @abstractmethod
    def can_stream(self) -> bool:
        """Whether a one-step function was prepared."""

    @abstractmethod
    def full_call(self, x: Tensor) -> Callable[[], object]:
        """A zero-argument call on x with inputs converted once, for timing."""

    @abstractmethod
    def stream_call(self, x_t: Tensor, state: tuple[Tensor, ...]) -> Callable[[], object]:
        """A zero-argument call that advances its own carried state by one step per call."""

    @abstractmethod
    def run(self, x: Tensor) -> Tensor:
        """Outputs for a full-length batch x, as a torch tensor."""

    @abstractmethod
    def run_step(self, x_t: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, tuple[Tensor, ...]]:
        """One step: output and the new state, as torch tensors."""


class TorchRunner(Runner):
    """Eager modules or loaded TorchScript: `full(x) -> y`, `step(x_t, *state)`."""

    def __init__(self, runtime: str, full: Callable[[Tensor], Tensor], step: StepFn | None):
        self.runtime, self.full, self.step = runtime, full, step

    @property
    def can_stream(self) -> bool:
        return self.step is not None

    def full_call(self, x: Tensor) -> Callable[[], object]:
        return lambda: self.full(x)

    def stream_call(self, x_t: Tensor, state: tuple[Tensor, ...]) -> Callable[[], object]:
        carried = tuple(state)

        def call() -> None:
            nonlocal carried
            carried = self.step(x_t, *carried)[1:]

        return call

    def run(self, x: Tensor) -> Tensor:
        with torch.inference_mode():
            return self.full(x).clone()

    def run_step(self, x_t: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, tuple[Tensor, ...]]:
        with torch.inference_mode():
            y, *new = self.step(x_t, *state)
        return y.clone(), tuple(s.clone() for s in new)


def ort_session(data: bytes, threads: int, runtime: str = "ONNX Runtime"):
    """An ONNX Runtime CPU session whose intra-op pool has exactly `threads` threads."""
    ort = require("onnxruntime", extra="deploy")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: its warnings are not the user's to act on
    try:
        return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT raises its own (non-exported) exception classes
        raise refusal(f"{runtime} {ort.__version__}", "loading the exported model", exc) from None


class OnnxRunner(Runner):
    """ONNX Runtime sessions for the full-sequence graph and (optionally) the one-step graph."""

    def __init__(self, runtime: str, full: bytes, step: bytes | None, threads: int) -> None:
        self.runtime = runtime
        self.full = ort_session(full, threads)
        self.step = ort_session(step, threads) if step is not None else None
        self._x = self.full.get_inputs()[0].name
        if self.step is not None:
            self._step_in = [i.name for i in self.step.get_inputs()]

    @property
    def can_stream(self) -> bool:
        return self.step is not None

    def full_call(self, x: Tensor) -> Callable[[], object]:
        feed = {self._x: x.numpy()}
        return lambda: self.full.run(None, feed)

    def stream_call(self, x_t: Tensor, state: tuple[Tensor, ...]) -> Callable[[], object]:
        feed = self._step_feed(x_t, state)
        state_names = self._step_in[1:]

        def call() -> None:
            out = self.step.run(None, feed)
            feed.update(zip(state_names, out[1:], strict=True))

        return call

    def run(self, x: Tensor) -> Tensor:
        return torch.from_numpy(self.full.run(None, {self._x: x.numpy()})[0])

    def run_step(self, x_t: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, tuple[Tensor, ...]]:
        y, *new = self.step.run(None, self._step_feed(x_t, state))
        return torch.from_numpy(y), tuple(torch.from_numpy(s) for s in new)

    def _step_feed(self, x_t: Tensor, state: tuple[Tensor, ...]) -> dict[str, np.ndarray]:
        values = [x_t, *state]
        return {name: v.numpy() for name, v in zip(self._step_in, values, strict=True)}
