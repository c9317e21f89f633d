"""Which RNN kernel actually ran: read from the profiler's operator names, not guessed."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Hashable, Iterator

import torch
from torch.profiler import ProfilerActivity, profile

from gatebench.fileio import silenced

# Profiler op names that identify an RNN implementation, most specific first.
KERNEL_OPS = (
    ("mkldnn_rnn_layer", "oneDNN (mkldnn_rnn_layer)"),
    ("_cudnn_rnn", "cuDNN (_cudnn_rnn)"),
    ("miopen_rnn", "MIOpen (miopen_rnn)"),
    ("_thnn_fused_gru_cell", "generic fused GRU cell (_thnn_fused_gru_cell)"),
    ("_thnn_fused_lstm_cell", "generic fused LSTM cell (_thnn_fused_lstm_cell)"),
    ("aten::gru", "generic ATen GRU (aten::gru, per-step GEMMs)"),
    ("aten::lstm", "generic ATen LSTM (aten::lstm, per-step GEMMs)"),
    ("aten::logcumsumexp", "parallel log-space scan (minGRU/minLSTM: aten::logcumsumexp)"),
)


# Answers kept per process (detect_rnn_kernel's `key`): profiling a GRU step costs ~0.1 s.
_KNOWN: dict[Hashable, str] = {}


def detect_rnn_kernel(run: Callable[[], object], device: torch.device,
                      key: Hashable | None = None) -> str:
    """Profile one call of `run` and name the RNN kernel it executed.

    With `key` (what decides torch's dispatch besides the device and its backend switches, and
    whether `run` draws random numbers: the cell, dtypes, dropout), the answer is kept for the
    process and later calls with that key do not call `run`. An answer whose profiling drew
    random numbers is not kept: skipping `run` would shift the caller's random stream.
    """
    if key is None:
        return _profile(run, device)
    full = (key, str(device), torch.backends.mkldnn.enabled, torch.backends.cudnn.enabled,
            torch.is_grad_enabled())
    if full not in _KNOWN:
        before = _rng_states(device)
        label = _profile(run, device)
        if not all(map(torch.equal, before, _rng_states(device))):
            return label
        _KNOWN[full] = label
    return _KNOWN[full]


def _profile(run: Callable[[], object], device: torch.device) -> str:
    activities = [ProfilerActivity.CPU]
    if device.type == "cuda":
        activities.append(ProfilerActivity.CUDA)
    # Kineto prints profiler_start/stop lines to fd 2 from C++, into the progress display.
    with ctrl_c_deferred(), silenced(2), profile(activities=activities) as prof:
        run()
    names = {event.name for event in prof.events()}
    for op, label in KERNEL_OPS:
        if any(op in name for name in names):
            return label
    return "unknown (no RNN operator in the profile)"


def _rng_states(device: torch.device) -> list[torch.Tensor]:
    states = [torch.random.get_rng_state()]
    if device.type == "cuda":
        states.append(torch.cuda.get_rng_state(device))
    return states


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block ends, then hand it to the handler it was meant for: a
    profiler interrupted mid-run leaves state behind that crashes the interpreter at exit
    (status -11 or -2 instead of a clean 130). Only the main thread can handle signals, and an
    ignored or default (non-Python) disposition is left alone."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
