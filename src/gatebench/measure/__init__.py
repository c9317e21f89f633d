"""Clocks, kernel detection and the environment fingerprint."""

from gatebench.measure.clocks import Stopwatch, synchronize
from gatebench.measure.env import fingerprint, resolve_device, set_threads
from gatebench.measure.kernels import detect_rnn_kernel

__all__ = [
    "Stopwatch",
    "detect_rnn_kernel",
    "fingerprint",
    "resolve_device",
    "set_threads",
    "synchronize",
]
