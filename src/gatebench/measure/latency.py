"""Latency samples: raw per-call times after warm-up, summarised later as percentiles."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from gatebench.measure.clocks import Stopwatch
from gatebench.numbers import bootstrap_ci, latency_percentiles


def time_calls(
    call: Callable[[], object], repeats: int, *, warmup: int = 0,
    device: torch.device | None = None,
) -> list[float]:
    """Call `call` `warmup` times untimed, then `repeats` times; one raw sample (s) per call."""
    for _ in range(warmup):
        call()
    watch = Stopwatch(device or torch.device("cpu"))
    for _ in range(repeats):
        with watch:
            call()
    return watch.samples


def summarize_ms(samples: Sequence[float]) -> dict[str, float | int | None]:
    """n, p50/p95/p99, mean and min of raw samples (seconds), in milliseconds; p99 only from
    enough samples (gatebench.numbers.MIN_P99_SAMPLES), else None."""
    ms = np.asarray(samples, dtype=float) * 1e3
    if ms.size == 0:
        raise ValueError("no latency samples to summarise")
    return {"n": int(ms.size), **latency_percentiles(ms), "mean_ms": float(ms.mean()),
            "min_ms": float(ms.min())}


def median_ratio_ci(
    numerator: Sequence[Sequence[float]], denominator: Sequence[Sequence[float]],
    *, resamples: int = 2000, level: float = 0.95, seed: int = 0,
) -> tuple[float, float]:
    """Percentile-bootstrap CI of median(numerator)/median(denominator), resampling whole
    interleaved rounds (row r of each argument was measured in the same round)."""
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0] or a.shape[0] < 2:
        raise ValueError("need the same number (>= 2) of rounds for both sides")

    # A round is the unit of pairing: drift within a window hits both sides of one round alike,
    # so the bootstrap resamples round indices and takes both sides of each drawn round.
    def ratio(rounds: np.ndarray, axis: int = -1) -> np.ndarray:
        picks = np.moveaxis(rounds, axis, -1).astype(int)
        flat = (*picks.shape[:-1], -1)
        return (np.median(a[picks].reshape(flat), axis=-1)
                / np.median(b[picks].reshape(flat), axis=-1))

    return bootstrap_ci(np.arange(a.shape[0]), ratio, n_boot=resamples, level=level, seed=seed)
