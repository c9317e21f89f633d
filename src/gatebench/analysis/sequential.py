"""Adaptive seeds: a group-sequential paired t-test that adds pairs until the verdict is decided.

The rule (`sequential_decide`) looks after every pair from `min_pairs` to `max_pairs`. It is a
group-sequential t-test with a Pocock-type boundary: the same nominal two-sided level α* at
every look, chosen so that the chance of ever declaring a winner under the null (normal noise,
any SD) is α. Equivalence (TOST) is checked at each look with its own constant nominal level
α_eq*, chosen so that the chance of ever declaring equivalence when the true difference is
exactly ±margin is α. Both levels are computed deterministically by simulating the pivotal
t statistics (fixed seed, `CALIBRATION_REPS` studies) and cached; stopping for equivalence
only removes chances of a winner, so it never raises the false-winner rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import stats as sps

from gatebench.analysis.rules import (
    _INC,
    EQUIVALENT,
    INCONCLUSIVE,
    OUTCOMES,
    UNINFORMATIVE,
    WINNERS,
    Decision,
    Tested,
    _fmt,
    paired_tests,
    t_interval,
)
from gatebench.errors import SpecError
from gatebench.numbers import finite_values

CALIBRATION_REPS = 200_000
CALIBRATION_SEED = 20_261_130
# Aim a little under α so the Monte Carlo error of the calibration cannot push the rate over.
CALIBRATION_SAFETY = 0.98
MAX_PAIRS_LIMIT = 100
SEQUENTIAL_METHOD = "group-sequential paired t-test, Pocock-type boundary, + sequential TOST"


def _check(min_pairs: int, max_pairs: int, alpha: float) -> None:
    # the settings come from the command line (--max-seeds), so a bad one is the user's to fix
    if not 2 <= min_pairs <= max_pairs <= MAX_PAIRS_LIMIT:
        raise SpecError(f"adaptive seeds need 2 <= min_pairs <= max_pairs (--max-seeds) <= "
                        f"{MAX_PAIRS_LIMIT}, got min_pairs={min_pairs}, max_pairs={max_pairs}")
    if not 0.0 < alpha < 0.5:
        raise SpecError(f"alpha must be between 0 and 0.5, got {alpha}")


def cumulative_t(d: np.ndarray) -> np.ndarray:
    """t statistics of the mean after 1..n pairs, per row of a (reps, n) array (NaN at 1)."""
    k = np.arange(1, d.shape[1] + 1)
    s = np.cumsum(d, axis=1)
    mean = s / k
    var = (np.cumsum(d * d, axis=1) - k * mean * mean) / np.maximum(k - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mean / np.sqrt(np.maximum(var, 0.0) / k)
    t[:, 0] = np.nan
    return t


@lru_cache(maxsize=64)
def nominal_levels(min_pairs: int, max_pairs: int, alpha: float = 0.05) -> tuple[float, float]:
    """(α*, α_eq*): the constant per-look levels for a winner and for equivalence.

    α* is the α-quantile of the smallest two-sided p-value over the looks of a null study;
    α_eq* the α-quantile of the smallest one-sided p-value (the binding side of TOST when the
    true difference sits on the margin and the SD is small against it, its worst case).
    """
    _check(min_pairs, max_pairs, alpha)
    rng = np.random.default_rng(CALIBRATION_SEED)
    df = np.arange(min_pairs, max_pairs + 1) - 1
    min_two, min_one = [], []
    chunk = max(1000, 2_000_000 // max_pairs)
    for start in range(0, CALIBRATION_REPS, chunk):
        reps = min(chunk, CALIBRATION_REPS - start)
        t = cumulative_t(rng.standard_normal((reps, max_pairs)))[:, min_pairs - 1:]
        min_two.append((2 * sps.t.sf(np.abs(t), df)).min(axis=1))
        min_one.append(sps.t.sf(t, df).min(axis=1))
    target = alpha * CALIBRATION_SAFETY
    return (float(np.quantile(np.concatenate(min_two), target)),
            float(np.quantile(np.concatenate(min_one), target)))


def _look(d: np.ndarray, margin: float, levels: tuple[float, float]) -> Tested:
    return paired_tests(d, margin, levels[0], alpha_equivalence=levels[1], exact_flips=False)


def sequential_codes(d: np.ndarray, margin: float, max_pairs: int, alpha: float = 0.05,
                     min_pairs: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, pairs used) of the sequential rule per row of a (reps, max_pairs) array."""
    _check(min_pairs, max_pairs, alpha)
    levels = nominal_levels(min_pairs, max_pairs, alpha)
    reps = d.shape[0]
    codes = np.full(reps, _INC)
    used = np.full(reps, max_pairs)
    open_ = np.ones(reps, dtype=bool)
    for n in range(min_pairs, max_pairs + 1):
        look = _look(d[:, :n], margin, levels).codes
        stop = open_ & (look != _INC)
        codes[stop] = look[stop]
        used[stop] = n
        open_ &= ~stop
    return codes, used


def sequential_decide(
    diffs: Sequence[float] | np.ndarray,
    *,
    margin: float,
    max_pairs: int,
    alpha: float = 0.05,
    min_pairs: int = 3,
) -> Decision:
    """Decision after the pairs so far under the sequential rule (module doc); `final` = stop.

    Stops with a winner when the two-sided paired t-test p < α*, with "equivalent" when TOST
    p < α_eq*, with "uninformative" when every pair is identical (no spread: more seeds of
    the same cannot help), and with "inconclusive" at `max_pairs`. The rule is stateless: it
    may be asked after every pair (the looks it was calibrated for) or less often (fewer
    looks, still ≤ α). Simulated (`gatebench calibrate`, rule "sequential"): false winners
    ≤ 5% under the normal null and about 2% under the bimodal "training sometimes fails" null
    (one run in five fails); with half of all runs failing it reaches about 5.5%, so fix the
    failures first. With 3..15 pairs it has 80% power at one noise SD and stops after about 5
    pairs at 2.5 SDs; with no difference and a margin under the noise SD it runs to max_pairs.
    """
    _check(min_pairs, max_pairs, alpha)
    arr = finite_values(diffs)
    n = int(arr.size)
    levels = nominal_levels(min_pairs, max_pairs, alpha)
    method = f"{SEQUENTIAL_METHOD} (\u03b1={alpha:g}, looks {min_pairs}..{max_pairs} pairs)"
    extra = {"alpha_look": levels[0], "alpha_equivalence_look": levels[1],
             "min_pairs": min_pairs, "max_pairs": max_pairs}
    mean = float(arr.mean()) if n else None
    if n < min_pairs:
        return Decision(INCONCLUSIVE, mean, (None, None), None, n, method,
                        f"{n} of at least {min_pairs} pairs so far", rule="sequential",
                        final=False, extra=extra)
    tested = _look(arr[None, :], margin, levels)
    outcome = OUTCOMES[int(tested.codes[0])]
    if outcome == UNINFORMATIVE:
        return Decision(outcome, mean, (None, None), None, n, method,
                        f"all {n} pairs differ by exactly {_fmt(mean)}: no spread, no "
                        "interval (both fail or both saturate)", rule="sequential",
                        extra=extra)
    # The interval at the look's own level, so it agrees with the decision it reports.
    level = 1.0 - 2.0 * levels[1] if outcome == EQUIVALENT else 1.0 - levels[0]
    ci = t_interval(mean, float(tested.sd[0]), n, level)
    if outcome in WINNERS or outcome == EQUIVALENT:
        final, reason = True, f"decided at {n} pairs"
    elif n >= max_pairs:
        final, reason = True, f"reached max seeds ({max_pairs})"
    else:
        final, reason = False, f"undecided at {n} pairs; add a pair"
    p_eq = float(tested.p_eq[0]) if margin > 0 else None
    return Decision(outcome, mean, ci, float(tested.p[0]), n, method, reason, level, p_eq,
                    rule="sequential", final=final, extra=extra)


def required_pairs(
    diffs: Sequence[float] | np.ndarray, margin: float, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """Total pairs a fixed design needs to settle a margin-sized question, SD uncertainty included.

    Uses the 80% upper confidence bound of the SD (chi-square on n − 1 degrees of freedom), so
    the figure is too small at most one time in five, and asks for `power` both to find a
    true difference of one margin (two-sided t-test at α) and to show equivalence when the
    true difference is 0 (TOST at α). None with fewer than 2 pairs, no spread, or more than
    MAX_PAIRS_LIMIT pairs needed.
    """
    arr = finite_values(diffs)
    n = int(arr.size)
    if n < 2 or not margin > 0:
        return None
    sd = float(arr.std(ddof=1))
    if not sd > 0:
        return None
    sd_upper = sd * math.sqrt((n - 1) / sps.chi2.ppf(0.2, n - 1))
    totals = np.arange(2, MAX_PAIRS_LIMIT + 1)
    df = totals - 1
    shift = margin * np.sqrt(totals) / sd_upper
    crit2 = sps.t.ppf(1 - alpha / 2, df)
    detect = sps.nct.sf(crit2, df, shift) + sps.nct.cdf(-crit2, df, shift)
    crit1 = sps.t.ppf(1 - alpha, df)
    equivalence = np.clip(2 * sps.nct.sf(crit1, df, shift) - 1, 0, 1)
    ok = np.flatnonzero((detect >= power) & (equivalence >= power))
    return int(totals[ok[0]]) if ok.size else None
