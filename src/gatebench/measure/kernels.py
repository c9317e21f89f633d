"""Which RNN kernel actually ran: read from the profiler's operator names, not guessed."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

import torch
from torch.profiler import ProfilerActivity, profile

# Profiler op names that identify an RNN implementation, most specific first.
KERNEL_OPS = (
    ("mkldnn_rnn_layer", "oneDNN (mkldnn_rnn_layer)"),
    ("_cudnn_rnn", "cuDNN (_cudnn_rnn)"),
    ("miopen_rnn", "MIOpen (miopen_rnn)"),
    ("_thnn_fused_gru_cell", "generic fused GRU cell (_thnn_fused_gru_cell)"),
    ("_thnn_fused_lstm_cell", "generic fused LSTM cell (_thnn_fused_lstm_cell)"),
    ("aten::gru", "generic ATen GRU (aten::gru, per-step GEMMs)"),
    ("aten::lstm", "generic ATen LSTM (aten::lstm, per-step GEMMs)"),
)


def detect_rnn_kernel(run: Callable[[], object], device: torch.device) -> str:
    """Profile one call of `run` and name the RNN kernel it executed."""
    activities = [ProfilerActivity.CPU]
    if device.type == "cuda":
        activities.append(ProfilerActivity.CUDA)
    with _quiet_stderr(), profile(activities=activities) as prof:
        run()
    names = {event.name for event in prof.events()}
    for op, label in KERNEL_OPS:
        if any(op in name for name in names):
            return label
    return "unknown (no RNN operator in the profile)"


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    # Kineto writes "profiler_start/stop" lines to file descriptor 2 from C++; users should not
    # see profiler chatter in the middle of a progress display.
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
