"""Honest clocks: perf_counter_ns with device synchronisation, raw samples kept."""

from __future__ import annotations

import time

import torch


def synchronize(device: torch.device) -> None:
    """Wait for queued device work so a clock reading covers it (no-op on CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Stopwatch:
    """Accumulates timed sections; each `with` block is one raw sample in seconds."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.samples: list[float] = []
        self._start = 0
        self._sync = device.type == "cuda"  # decided once: the clock sits in the hot loop

    def __enter__(self) -> Stopwatch:
        if self._sync:
            torch.cuda.synchronize(self.device)
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sync:
            torch.cuda.synchronize(self.device)
        self.samples.append((time.perf_counter_ns() - self._start) / 1e9)

    @property
    def total(self) -> float:
        """Sum of all samples in seconds."""
        return float(sum(self.samples))
