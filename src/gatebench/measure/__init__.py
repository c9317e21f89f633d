"""Clocks, latency samples, kernel detection and the environment fingerprint."""

from gatebench.measure.clocks import Stopwatch, synchronize
from gatebench.measure.env import available_cores, fingerprint, resolve_device, set_threads
from gatebench.measure.kernels import detect_rnn_kernel
from gatebench.measure.latency import median_ratio_ci, summarize_ms, time_calls
from gatebench.measure.memory import PeakRss, peak_rss_mb, reset_peak_rss

__all__ = [
    "PeakRss",
    "Stopwatch",
    "available_cores",
    "detect_rnn_kernel",
    "fingerprint",
    "median_ratio_ci",
    "peak_rss_mb",
    "reset_peak_rss",
    "resolve_device",
    "set_threads",
    "summarize_ms",
    "synchronize",
    "time_calls",
]
