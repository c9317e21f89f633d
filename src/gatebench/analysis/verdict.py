"""Verdicts in the fixed vocabulary: "<A> better", "<B> better", equivalent, inconclusive.

The interval is a paired Student-t interval of the mean difference, not a bootstrap one. With
the usual 3-5 seeds a percentile bootstrap is too narrow: it can never reach past the smallest
and largest observed difference (3 seeds give only 10 distinct resample means), and it behaves
like a normal interval with the sample sd shrunk by sqrt((n-1)/n), ignoring the t penalty for
estimating the sd from so few pairs. Its coverage is then far below the nominal 95%, and it
would declare winners too easily.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats as sps

from gatebench.analysis.stats import t_ci

EQUIVALENT = "equivalent within margin"
INCONCLUSIVE = "inconclusive"
MAX_SUGGESTED_SEEDS = 50
SEEDS_WHEN_UNKNOWN = 3  # with fewer than 2 pairs there is no spread to extrapolate from


def better_label(cell: str) -> str:
    """The verdict label naming `cell` the winner, e.g. "GRU better"."""
    return f"{cell.upper()} better"


VERDICTS = (better_label("gru"), better_label("lstm"), EQUIVALENT, INCONCLUSIVE)

POINTS = "points"
PCT_LOWER_ERROR = "% lower error"


def point_unit(metric: str, higher_is_better: bool) -> str:
    """The unit of `improvement_points` for this metric: "points" or "% lower error"."""
    return POINTS if higher_is_better else PCT_LOWER_ERROR


def improvement_points(metric: str, higher_is_better: bool, a: float, b: float) -> float:
    """How much better A is than B, positive when A is better, in `point_unit` units.

    Higher-is-better metrics (accuracy, macro_f1: scores in [0, 1]) give percentage points,
    (a - b) * 100. Error metrics (mae, rmse, mse, loss) give the error reduction relative to
    the larger error, (b - a) / max(a, b) * 100: symmetric (swapping the cells flips the sign
    only) and bounded in [-100, +100], so a diverged trial (infinite error) scores -100 for A
    or +100 for B and one wild trial cannot dominate the mean. Equal values give 0.
    """
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return float("nan")
    if higher_is_better:
        return (a - b) * 100.0
    if a == b:
        return 0.0
    if math.isinf(b):
        return 100.0
    if math.isinf(a):
        return -100.0
    return float((b - a) / max(a, b, 1e-300) * 100.0)


def _num(x: float) -> str:
    return f"{x:+.1f}".replace("-", "\u2212")


def _describe(
    mean: float, lo: float, hi: float, n: int, level: float, unit: str, a: str, b: str
) -> str:
    seeds = f"{n} seed" if n == 1 else f"{n} seeds"
    if unit.startswith("%"):
        head = f"{a} has {_num(mean)}{unit} than {b}"  # "GRU has +3.1% lower error than LSTM"
        ci = f"{_num(lo)}% to {_num(hi)}%"
    else:
        head = f"{a} \u2212 {b} = {_num(mean)} {unit}"
        ci = f"{_num(lo)} to {_num(hi)}"
    if math.isnan(lo):
        return f"{head} (no interval from {seeds})"
    return f"{head} ({level * 100:g}% CI {ci}, {seeds})"


def _suggest_more_seeds(mean: float, sd: float, n: int, margin: float, level: float) -> int:
    """More pairs likely needed, assuming the observed spread persists (half-width ~ 1/sqrt(n))."""
    if n < 2:
        return SEEDS_WHEN_UNKNOWN
    totals = np.arange(n + 1, n + MAX_SUGGESTED_SEEDS + 1)
    half = sps.t.ppf((1.0 + level) / 2.0, totals - 1) * sd / np.sqrt(totals)
    options = []
    if mean != 0.0:
        options.append(half < abs(mean))  # the interval would exclude 0 at the observed mean
    if abs(mean) < margin:
        options.append(abs(mean) + half <= margin)  # ... or fit inside ±margin
    best = MAX_SUGGESTED_SEEDS
    for ok in options:
        hits = np.flatnonzero(ok)
        if hits.size:
            best = min(best, int(totals[hits[0]] - n))
    return best


def decide(
    diffs: Sequence[float] | np.ndarray,
    margin: float,
    level: float = 0.95,
    cell_a: str = "gru",
    cell_b: str = "lstm",
    unit: str = POINTS,
) -> dict:
    """Verdict on per-pair improvements of A over B (positive = A better) against ±margin.

    With the paired t-interval [lo, hi] of the mean: lo > 0 -> "<A> better"; hi < 0 ->
    "<B> better"; -margin <= lo and hi <= margin -> "equivalent within margin"; otherwise
    "inconclusive", with `suggested_seeds` more pairs (at most 50; 3 when n < 2). Non-finite
    differences are ignored. Returns a JSON-able dict: label, text, mean, ci, n, margin,
    suggested_seeds (None unless inconclusive), level, unit.
    """
    arr = np.asarray(diffs, dtype=float).ravel()
    arr = arr[np.isfinite(arr)]
    n = int(arr.size)
    mean = float(arr.mean()) if n else float("nan")
    lo, hi = t_ci(arr, level)
    a, b = cell_a.upper(), cell_b.upper()
    sep = "" if unit.startswith("%") else " "  # "±1.0 points" but "±1.0% lower error"
    margin_text = f"\u00b1{margin:.1f}{sep}{unit}"
    suggested = None
    if n >= 2 and lo > 0:
        label, verb = better_label(cell_a), f"{a} is better than {b}"
    elif n >= 2 and hi < 0:
        label, verb = better_label(cell_b), f"{b} is better than {a}"
    elif n >= 2 and -margin <= lo and hi <= margin:
        label, verb = EQUIVALENT, f"{a} and {b} are equivalent within {margin_text}"
    else:
        label, verb = INCONCLUSIVE, f"Inconclusive between {a} and {b}"
        sd = float(arr.std(ddof=1)) if n >= 2 else float("nan")
        suggested = _suggest_more_seeds(mean, sd, n, margin, level)
    if n == 0:
        text = f"{verb}: no complete pairs yet; run {suggested} seeds."
    else:
        text = f"{verb}: {_describe(mean, lo, hi, n, level, unit, a, b)}"
        if suggested is not None:
            more = "1 more seed" if suggested == 1 else f"{suggested} more seeds"
            text += f"; about {more} would likely settle it."
        elif label != EQUIVALENT and -margin <= lo and hi <= margin:
            text += f", a real difference but within {margin_text}."
        else:
            text += "."
    return {
        "label": label,
        "text": text,
        "mean": None if math.isnan(mean) else mean,
        "ci": [None if math.isnan(lo) else lo, None if math.isnan(hi) else hi],
        "n": n,
        "margin": float(margin),
        "suggested_seeds": suggested,
        "level": float(level),
        "unit": unit,
    }
