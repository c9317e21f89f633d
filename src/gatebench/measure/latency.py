"""Latency samples: raw per-call times after warm-up, summarised later as percentiles."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from gatebench.measure.clocks import Stopwatch

PERCENTILES = (50, 95, 99)


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


def summarize_ms(samples: Sequence[float]) -> dict[str, float | int]:
    """n, p50/p95/p99, mean and min of raw samples (seconds), in milliseconds.

    Percentiles interpolate linearly between order statistics, so with n samples p99 is close
    to the maximum unless n is well above 100.
    """
    ms = np.asarray(samples, dtype=float) * 1e3
    if ms.size == 0:
        raise ValueError("no latency samples to summarise")
    summary: dict[str, float | int] = {"n": int(ms.size)}
    for q, value in zip(PERCENTILES, np.percentile(ms, PERCENTILES), strict=True):
        summary[f"p{q}_ms"] = float(value)
    summary["mean_ms"] = float(ms.mean())
    summary["min_ms"] = float(ms.min())
    return summary


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
    rng = np.random.default_rng(seed)
    rounds = rng.integers(0, a.shape[0], size=(resamples, a.shape[0]))
    # A round is the unit of pairing: drift within a window hits both sides of one round alike.
    ratios = (np.median(a[rounds].reshape(resamples, -1), axis=1)
              / np.median(b[rounds].reshape(resamples, -1), axis=1))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return float(low), float(high)
