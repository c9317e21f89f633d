"""Which RNN kernel actually ran: read from the profiler's operator names, not guessed."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

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


def detect_rnn_kernel(run: Callable[[], object], device: torch.device) -> str:
    """Profile one call of `run` and name the RNN kernel it executed."""
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
