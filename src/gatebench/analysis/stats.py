"""Interval estimates: percentile bootstrap, Student t on a mean, geometric mean of ratios."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats as sps

# Resamples are drawn in blocks of at most this many values, so memory stays bounded for long
# inputs while each block is still one vectorised draw (no Python loop over single resamples).
_BLOCK_VALUES = 2_000_000


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    stat: Callable[..., np.ndarray] = np.mean,
    n_boot: int = 10_000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat`; (nan, nan) with fewer than 2 values.

    `stat` must accept ``axis=1`` (np.mean, np.median, ...). The values are used as given:
    a non-finite value makes the interval non-finite rather than being silently dropped.
    """
    arr = np.asarray(values, dtype=float).ravel()
    n = arr.size
    if n < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    per_block = max(1, _BLOCK_VALUES // n)
    out = np.empty(n_boot)
    for start in range(0, n_boot, per_block):
        stop = min(n_boot, start + per_block)
        idx = rng.integers(0, n, size=(stop - start, n))
        out[start:stop] = stat(arr[idx], axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(out, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def t_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean (finite values only); (nan, nan) with fewer than 2."""
    arr = _finite(values)
    n = arr.size
    if n < 2:
        return (float("nan"), float("nan"))
    mean = float(arr.mean())
    half = float(sps.t.ppf((1.0 + level) / 2.0, n - 1) * arr.std(ddof=1) / np.sqrt(n))
    return (mean - half, mean + half)


def geometric_mean_ratio(
    ratios: Sequence[float] | np.ndarray, level: float = 0.95
) -> dict[str, float | list[float]]:
    """Geometric mean of positive ratios and its t-interval, computed on logs and exponentiated.

    Logs make the summary symmetric: a/b and b/a give reciprocal answers. Non-positive or
    non-finite ratios carry no speed information and are ignored.
    """
    arr = np.asarray(ratios, dtype=float).ravel()
    arr = arr[np.isfinite(arr) & (arr > 0)]
    if arr.size == 0:
        return {"geomean": float("nan"), "ci": [float("nan"), float("nan")]}
    logs = np.log(arr)
    lo, hi = t_ci(logs, level)
    return {"geomean": float(np.exp(logs.mean())), "ci": [float(np.exp(lo)), float(np.exp(hi))]}
