"""Numbers every layer shares: finite values, JSON-safe values, latency percentiles, the bootstrap.

Torch-free and free of the rest of gatebench, so store, analysis, claims, report and run all
use the same definitions (one `finite`, one bootstrap, one p99 rule).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

PERCENTILES = (50, 95, 99)
# A p99 from fewer samples is (nearly) the maximum, not a tail estimate: it is not reported.
MIN_P99_SAMPLES = 100
P99_TOO_FEW = f"p99 needs at least {MIN_P99_SAMPLES} samples"
# Resamples are evaluated in batches of at most this many values, so memory stays bounded.
_BATCH_VALUES = 2_000_000


def is_finite(x: Any) -> bool:
    """A real, finite number (bools and None are not)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def finite(x: Any) -> float | None:
    """`x` as a float, or None when missing or not finite."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def as_float(x: Any) -> float:
    """`x` as a float, NaN when missing or not a number (infinities kept)."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def finite_values(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """The finite entries of `values`, flattened, as a float array."""
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def jsonable(obj: Any) -> Any:
    """Plain Python values only: numpy scalars unwrapped, NaN and infinities -> None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def latency_percentiles(samples_ms: Sequence[float] | np.ndarray) -> dict[str, float | None]:
    """p50_ms, p95_ms and p99_ms of raw samples (linear interpolation between order
    statistics); p99_ms is None with fewer than MIN_P99_SAMPLES samples."""
    ms = np.asarray(samples_ms, dtype=float).ravel()
    if ms.size == 0:
        raise ValueError("no latency samples to summarise")
    values = np.percentile(ms, PERCENTILES)
    out: dict[str, float | None] = {f"p{q}_ms": float(v) for q, v in zip(PERCENTILES, values,
                                                                        strict=True)}
    if ms.size < MIN_P99_SAMPLES:
        out["p99_ms"] = None
    return out


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    stat: Callable[..., np.ndarray] = np.mean,
    n_boot: int = 10_000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat` (scipy.stats.bootstrap, vectorised, fixed seed);
    (nan, nan) with fewer than 2 values.

    `stat` must accept ``axis`` (np.mean, np.median, ...). The values are used as given: a
    non-finite value makes the interval non-finite rather than being silently dropped.
    """
    from scipy import stats as sps  # here: a trial's process never needs scipy (1 s to import)

    arr = np.asarray(values, dtype=float).ravel()
    if arr.size < 2:
        return (float("nan"), float("nan"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate (constant or non-finite) data warn
        ci = sps.bootstrap((arr,), stat, vectorized=True, n_resamples=n_boot,
                           confidence_level=level, method="percentile",
                           batch=max(1, _BATCH_VALUES // arr.size),
                           rng=np.random.default_rng(seed)).confidence_interval
    return (float(ci.low), float(ci.high))
