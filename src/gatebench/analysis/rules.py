"""Every decision rule in one place (numpy, scipy, statsmodels; no torch), with its error rates.

Each rule turns paired evidence into a `Decision` in a fixed vocabulary: "a_better",
"b_better", "equivalent", "inconclusive", "uninformative". A winner needs a significant paired
difference at α = 0.05 (two-sided, so the false-winner rate counts both directions);
"equivalent" needs TOST at α = 0.05, i.e. the 90% interval inside the stated bounds.
Evidence with no spread at all (every pair identical: both fail, both saturate) is
"uninformative" and carries no interval: a zero-width interval is never a finding.

The rules' simulated error rates are in `gatebench.analysis.calibration` (and `gatebench
calibrate`); the tests hold each rule to at most 5% false winners under the null.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np
from scipy import stats as sps

from gatebench.numbers import finite_values

A_BETTER = "a_better"
B_BETTER = "b_better"
EQUIVALENT = "equivalent"
INCONCLUSIVE = "inconclusive"
UNINFORMATIVE = "uninformative"
MIXED = "mixed"
OUTCOMES = (A_BETTER, B_BETTER, EQUIVALENT, INCONCLUSIVE, UNINFORMATIVE)
WINNERS = (A_BETTER, B_BETTER)

# Integer outcome codes of the vectorised rules (index into OUTCOMES).
_A, _B, _EQ, _INC, _UNI = range(5)

# The exact sign-flip test enumerates all 2**n sign patterns up to this many pairs; beyond it
# the t-test alone decides (the central limit theorem has by then made it accurate).
MAX_EXACT_FLIPS = 16
# The sign-flip test can reach p < 0.05 only from 6 pairs (its smallest p-value is 2 / 2**n).
MIN_FLIP_PAIRS = 6
FLAT_TOLERANCE = 1e-12
_FLIP_BLOCK = 4_000_000  # sign-flip sums held at once

PAIRED_METHOD = "paired t-test (from 6 pairs also an exact sign-flip test) + TOST"
SUCCESS_METHOD = "exact McNemar test (binomial test on discordant pairs)"
RATIO_METHOD = "paired t-test on log ratios (geometric mean) + TOST"
# What each rule estimates and tests; its false-winner rate holds for this, under these terms.
MEAN_ESTIMAND = "mean paired difference (assumes the pairs' noise is symmetric about it)"
SUCCESS_ESTIMAND = "difference in success rates, A − B (exact; no assumption on the noise)"
RATIO_ESTIMAND = "geometric mean of per-pair ratios (assumes log-ratio noise symmetric)"


@dataclass(frozen=True)
class Decision:
    """One rule's answer: outcome, estimate with interval, p-value, and why."""

    outcome: str
    estimate: float | None
    ci: tuple[float | None, float | None]
    p_value: float | None  # of the difference test (two-sided); None when not tested
    n: int
    method: str
    reason: str
    level: float | None = None  # confidence level of `ci` (0.90 for an equivalence finding)
    p_equivalence: float | None = None  # TOST p-value (the larger one-sided p); None if no bounds
    rule: str = ""  # the rule id listed by `gatebench calibrate`
    final: bool = True  # sequential rules: stop adding pairs now
    extra: dict[str, Any] = field(default_factory=dict)
    estimand: str = ""  # what the rule estimates and tests, in words
    bound: float | None = None  # the ±X the data certify for the estimand (None: none yet)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every field (the interval as a list)."""
        d = asdict(self)
        d["ci"] = list(self.ci)
        return d


# -- vectorised cores (also what the simulations run) ----------------------------------------


@cache
def _sign_patterns(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1.0, -1.0), repeat=n)))  # (2**n, n)


def sign_flip_p(d: np.ndarray) -> np.ndarray:
    """Exact two-sided sign-flip p-values of the mean, per row of a (reps, n) array.

    Under a null where each pair's difference is symmetric about 0, every sign pattern is
    equally likely, so the p-value is exact for any noise shape. The t statistic is a monotone
    function of the sum for fixed sum of squares (which sign flips keep), so this is also the
    sign-flip test of the t statistic.
    """
    d = np.atleast_2d(np.asarray(d, dtype=float))
    patterns = _sign_patterns(d.shape[1]).T
    block = max(1, _FLIP_BLOCK // patterns.shape[1])  # rows per block: bounded memory
    out = np.empty(d.shape[0])
    for start in range(0, d.shape[0], block):
        part = d[start:start + block]
        sums = part @ patterns  # (rows, 2**n); column 0 is the observed sum
        tol = 1e-9 * np.maximum(1.0, np.abs(part).sum(axis=1, keepdims=True))
        out[start:start + block] = (np.abs(sums) >= np.abs(sums[:, :1]) - tol).mean(axis=1)
    return out


@dataclass(frozen=True)
class Tested:
    """Per-row results of the paired tests on a (reps, n) array: codes and what they rest on."""

    codes: np.ndarray  # index into OUTCOMES
    mean: np.ndarray
    sd: np.ndarray
    p: np.ndarray  # difference test, two-sided (1 where untestable)
    p_eq: np.ndarray  # TOST against ±margin (1 where untestable)


def paired_tests(d: np.ndarray, margin: float, alpha: float = 0.05, *,
                 alpha_equivalence: float | None = None, exact_flips: bool = True) -> Tested:
    """The paired rule on each row of a (reps, n) array of differences (positive = A better).

    Winner when the two-sided t-test p < alpha (and, with `exact_flips`, the exact sign-flip
    p too, from MIN_FLIP_PAIRS pairs); "equivalent" when TOST p < alpha_equivalence (default
    alpha) and no winner; "uninformative" when every value in the row is the same.
    """
    d = np.atleast_2d(np.asarray(d, dtype=float))
    reps, n = d.shape
    alpha_eq = alpha if alpha_equivalence is None else alpha_equivalence
    mean = d.mean(axis=1) if n else np.full(reps, np.nan)
    if n < 2:
        ones = np.ones(reps)
        return Tested(np.full(reps, _INC), mean, np.full(reps, np.nan), ones, ones)
    sd = d.std(axis=1, ddof=1)
    # identical values up to rounding noise: a last-bit SD must not become a zero-width
    # interval (and a huge t), so spread needs a range above FLAT_TOLERANCE of the values' size
    top = np.abs(d).max(axis=1)
    flat = d.max(axis=1) - d.min(axis=1) <= FLAT_TOLERANCE * np.maximum(top, 1.0)
    se = np.where(flat, np.nan, sd / math.sqrt(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2.0 * sps.t.sf(np.abs(mean / se), n - 1)
        p_eq = (np.maximum(sps.t.sf((mean + margin) / se, n - 1),  # H0: mean <= -margin
                           sps.t.cdf((mean - margin) / se, n - 1))  # H0: mean >= +margin
                if margin > 0 else np.ones(reps))
    if exact_flips and MIN_FLIP_PAIRS <= n <= MAX_EXACT_FLIPS:
        p = np.maximum(p, sign_flip_p(d))
    p = np.where(np.isfinite(p), p, 1.0)
    p_eq = np.where(np.isfinite(p_eq), p_eq, 1.0)
    codes = np.full(reps, _INC)
    codes[p_eq < alpha_eq] = _EQ
    win = p < alpha
    codes[win & (mean > 0)] = _A
    codes[win & (mean < 0)] = _B
    codes[flat] = _UNI
    return Tested(codes, mean, sd, p, p_eq)


def t_interval(mean: float, sd: float, n: int, level: float) -> tuple[float, float]:
    """Student-t interval of a mean from its summary statistics."""
    half = float(sps.t.ppf((1.0 + level) / 2.0, n - 1) * sd / math.sqrt(n))
    return (mean - half, mean + half)


# -- scalar rules ----------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def paired_rule(
    diffs: Sequence[float] | np.ndarray, margin: float, alpha: float = 0.05
) -> Decision:
    """Paired test of per-pair differences (positive = A better) with equivalence within ±margin.

    Winner: two-sided paired t-test p < α; from 6 pairs the exact sign-flip test must agree
    too (it cannot reach 0.05 with fewer). The t-test is exact for normal noise; the sign-flip
    test is exact for any noise symmetric about 0, such as the bimodal "training sometimes
    fails" null (each arm fails as often), so from 6 pairs the rule holds whatever the noise
    shape. At 3-5 pairs the t-test alone decides: under the bimodal null a failed seed inflates
    the SD more than the mean, and simulation puts it under α (2.2% at 3 pairs, 1.1% at 5 with
    one run in five failing; at most about 5% in every mixture tried, up to half failing).
    Equivalent: TOST at α, i.e. the (1 − 2α) interval inside ±margin. The interval reported is
    the (1 − α) one, or the (1 − 2α) one for an equivalence finding. Simulated error rates
    (`gatebench calibrate`, rule "paired"): false winner ≤ 5% under the normal and the bimodal
    null at 3, 5 and 10 pairs; false equivalence ≤ 5% when the true difference is the margin.
    """
    arr = finite_values(diffs)
    n = int(arr.size)
    method = f"{PAIRED_METHOD} (\u03b1={alpha:g})"
    if n < 2:
        return Decision(INCONCLUSIVE, float(arr.mean()) if n else None, (None, None), None, n,
                        method, f"{n} complete pair{'' if n == 1 else 's'}: "
                        "at least 2 are needed to see the spread",
                        rule="paired", estimand=MEAN_ESTIMAND)
    tested = paired_tests(arr[None, :], margin, alpha)
    mean, sd = float(tested.mean[0]), float(tested.sd[0])
    outcome = OUTCOMES[int(tested.codes[0])]
    if outcome == UNINFORMATIVE:
        return Decision(UNINFORMATIVE, mean, (None, None), None, n, method,
                        f"all {n} pairs differ by exactly {_fmt(mean)}: no spread, no "
                        "interval (both fail or both saturate)",
                        rule="paired", estimand=MEAN_ESTIMAND)
    p = float(tested.p[0])
    p_eq = float(tested.p_eq[0]) if margin > 0 else None
    level = 1.0 - 2.0 * alpha if outcome == EQUIVALENT else 1.0 - alpha
    ci = t_interval(mean, sd, n, level)
    if outcome in WINNERS:
        reason = f"p = {_fmt(p)} < {alpha:g} for a difference"
    elif outcome == EQUIVALENT:
        reason = f"{level:.0%} interval inside \u00b1{margin:g} (TOST p = {_fmt(p_eq)})"
    elif ci[0] > 0 or ci[1] < 0:  # the t-test alone would have named a winner
        reason = (f"the t-interval excludes 0, but the exact sign-flip test gives p = "
                  f"{_fmt(p)} ≥ {alpha:g}: not yet robust to the shape of the noise")
    else:
        reason = (f"p = {_fmt(p)} for a difference and TOST p = "
                  f"{_fmt(p_eq) if p_eq is not None else 'n/a'} for equivalence: neither < "
                  f"{alpha:g}")
    return Decision(outcome, mean, ci, p, n, method, reason, level, p_eq,
                    rule="paired", estimand=MEAN_ESTIMAND)


def success_rule(
    success_a: Sequence[bool], success_b: Sequence[bool], alpha: float = 0.05
) -> Decision:
    """Paired exact test of success counts: exact McNemar (binomial test on discordant pairs).

    Seeds are paired, so only pairs where one arm succeeds and the other fails carry
    evidence; under the null each such pair favours A with probability 1/2
    (scipy.stats.binomtest, two-sided). Exact, so the false-winner rate is ≤ α at every n
    (with 3-5 pairs it can never reach 0.05: at least 6 discordant pairs are needed). All
    pairs concordant (both fail / both succeed) is uninformative. The estimate is the
    difference in success rates; its interval is the Clopper-Pearson interval of the
    discordant split, scaled by the share of discordant pairs.
    """
    a = np.asarray(success_a, dtype=bool).ravel()
    b = np.asarray(success_b, dtype=bool).ravel()
    if a.shape != b.shape:
        raise ValueError(f"success lists differ in length: {a.size} and {b.size}")
    n = int(a.size)
    method = f"{SUCCESS_METHOD} (\u03b1={alpha:g})"
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    discordant = only_a + only_b
    if n == 0:
        return Decision(INCONCLUSIVE, None, (None, None), None, 0, method, "no pairs",
                        rule="success", estimand=SUCCESS_ESTIMAND)
    estimate = (only_a - only_b) / n
    if discordant == 0:
        both_ok = int(np.sum(a & b))
        what = ("both succeed in every pair" if both_ok == n else
                "both fail in every pair" if both_ok == 0 else
                f"both succeed in {both_ok} and both fail in {n - both_ok} pairs")
        return Decision(UNINFORMATIVE, None, (None, None), None, n, method,
                        f"{what}: no pair separates them", rule="success",
                        estimand=SUCCESS_ESTIMAND,
                        extra={"only_a": 0, "only_b": 0})
    test = sps.binomtest(only_a, discordant, 0.5)
    p = float(test.pvalue)
    share = discordant / n
    lo, hi = test.proportion_ci(confidence_level=1.0 - alpha, method="exact")
    ci = ((2 * lo - 1) * share, (2 * hi - 1) * share)
    if p < alpha:
        outcome = A_BETTER if only_a > only_b else B_BETTER
        reason = f"{only_a} pairs only A succeeds, {only_b} only B: p = {_fmt(p)} < {alpha:g}"
    else:
        outcome = INCONCLUSIVE
        reason = f"{only_a} pairs only A succeeds, {only_b} only B: p = {_fmt(p)}"
    return Decision(outcome, estimate, ci, p, n, method, reason, 1.0 - alpha, rule="success",
                    estimand=SUCCESS_ESTIMAND,
                    extra={"only_a": only_a, "only_b": only_b})


def ratio_rule(
    ratios: Sequence[float] | np.ndarray, alpha: float = 0.05, within: float = 0.05
) -> Decision:
    """Speed from paired ratios A/B (time): geometric mean, t-test on the logs.

    a_better means A is significantly faster (ratio < 1), b_better B faster; equivalent when
    the 90% interval of the geometric mean lies within a factor (1 + within) of 1 (TOST on
    logs). Logs make the rule symmetric: B/A gives the mirrored answer. Non-positive or
    non-finite ratios are ignored. Same tests, so same error rates, as `paired_rule`.
    """
    arr = np.asarray(ratios, dtype=float).ravel()
    arr = arr[np.isfinite(arr) & (arr > 0)]
    d = paired_rule(-np.log(arr), math.log1p(within), alpha)
    if d.outcome == UNINFORMATIVE:
        return Decision(UNINFORMATIVE, float(arr[0]), (None, None), None, d.n, d.method,
                        f"all {d.n} ratios are {_fmt(float(arr[0]))}: no spread, no interval",
                        rule="ratio", estimand=RATIO_ESTIMAND)
    lo, hi = d.ci
    ci = (None, None) if lo is None or hi is None else (math.exp(-hi), math.exp(-lo))
    estimate = None if d.estimate is None else math.exp(-d.estimate)
    method = f"{RATIO_METHOD} within \u00d7{1 + within:g} (\u03b1={alpha:g})"
    reason = d.reason.replace("\u00b1", "log \u00b1")
    return Decision(d.outcome, estimate, ci, d.p_value, d.n, method, reason, d.level,
                    d.p_equivalence, rule="ratio", estimand=RATIO_ESTIMAND)


def holm(p_values: Sequence[float | None]) -> list[float]:
    """Holm-adjusted p-values (statsmodels 'holm'); a missing p-value counts as 1."""
    if len(p_values) == 0:
        return []
    # imported here: statsmodels takes a second to import, and only claims need it
    from statsmodels.stats.multitest import multipletests

    p = [1.0 if v is None or not math.isfinite(v) else float(v) for v in p_values]
    return [float(x) for x in multipletests(p, method="holm")[1]]


def holm_rows(p: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values per row of a (reps, k) array (the simulations' vectorised `holm`)."""
    p = np.atleast_2d(np.asarray(p, dtype=float))
    k = p.shape[1]
    order = np.argsort(p, axis=1)
    ranked = np.take_along_axis(p, order, axis=1) * (k - np.arange(k))
    adjusted = np.minimum(np.maximum.accumulate(ranked, axis=1), 1.0)
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=1)
    return out
