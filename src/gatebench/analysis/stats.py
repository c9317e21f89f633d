"""Interval estimates: Student t on a mean, geometric mean of ratios (the percentile bootstrap
lives in gatebench.numbers and is re-exported here)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

from gatebench.numbers import bootstrap_ci, finite_values

__all__ = ["bootstrap_ci", "geometric_mean_ratio", "t_ci"]

def t_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean (finite values only); (nan, nan) with fewer than 2."""
    arr = finite_values(values)
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
