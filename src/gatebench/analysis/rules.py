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

PAIRED_METHOD = "paired t-test (from 6 pairs also an exact sign-flip test) + TOST"
SUCCESS_METHOD = "exact McNemar test (binomial test on discordant pairs)"
RATIO_METHOD = "paired t-test on log ratios (geometric mean) + TOST"


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict of every field (the interval as a list)."""
        d = asdict(self)
        d["ci"] = list(self.ci)
        return d


# -- vectorised cores (also what the simulations run) ----------------------------------------


def _moments(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Row means and sample SDs of a (reps, n) array."""
    n = d.shape[1]
    mean = d.mean(axis=1)
    sd = d.std(axis=1, ddof=1) if n > 1 else np.full(d.shape[0], np.nan)
    return mean, sd, n


def _no_spread(d: np.ndarray, sd: np.ndarray) -> np.ndarray:
    # Exactly identical values, not merely a tiny SD: floating noise in a mean of equal values
    # must not pass for spread.
    return (d.max(axis=1) == d.min(axis=1)) | ~(sd > 0)


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
    sums = d @ _sign_patterns(d.shape[1]).T  # (reps, 2**n); column 0 is the observed sum
    observed = np.abs(sums[:, :1])
    tol = 1e-9 * np.maximum(1.0, np.abs(d).sum(axis=1, keepdims=True))
    return (np.abs(sums) >= observed - tol).mean(axis=1)


def paired_codes(d: np.ndarray, margin: float, alpha: float = 0.05) -> np.ndarray:
    """`paired_rule` outcome codes for each row of a (reps, n) array of differences."""
    d = np.atleast_2d(np.asarray(d, dtype=float))
    reps, n = d.shape
    codes = np.full(reps, _INC)
    if n < 2:
        return codes
    mean, sd, _ = _moments(d)
    flat = _no_spread(d, sd)
    p = _difference_p(d, mean, sd)
    p_eq = _tost_p(mean, sd, n, margin)
    codes[(p_eq < alpha) & ~flat] = _EQ
    win = (p < alpha) & ~flat
    codes[win & (mean > 0)] = _A
    codes[win & (mean < 0)] = _B
    codes[flat] = _UNI
    return codes


def _difference_p(d: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    n = d.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(sps.ttest_1samp(d, 0.0, axis=1).pvalue, dtype=float)
    p = np.where(np.isfinite(p), p, 1.0)
    if MIN_FLIP_PAIRS <= n <= MAX_EXACT_FLIPS:
        p = np.maximum(p, sign_flip_p(d))
    return p


def _tost_p(mean: np.ndarray, sd: np.ndarray, n: int, bound: float) -> np.ndarray:
    """TOST p-value against ±bound: the larger of the two one-sided t-test p-values."""
    if not bound > 0 or n < 2:
        return np.ones_like(mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / math.sqrt(n)
        p_low = sps.t.sf((mean + bound) / se, n - 1)  # H0: mean <= -bound
        p_high = sps.t.cdf((mean - bound) / se, n - 1)  # H0: mean >= +bound
    p = np.maximum(p_low, p_high)
    return np.where(np.isfinite(p), p, 1.0)


def t_interval(mean: float, sd: float, n: int, level: float) -> tuple[float, float]:
    """Student-t interval of a mean from its summary statistics."""
    half = float(sps.t.ppf((1.0 + level) / 2.0, n - 1) * sd / math.sqrt(n))
    return (mean - half, mean + half)


# -- scalar rules ----------------------------------------------------------------------------


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def paired_rule(
    diffs: Sequence[float] | np.ndarray, margin: float, alpha: float = 0.05
) -> Decision:
    """Paired test of per-pair differences (positive = A better) with equivalence within ±margin.

    Winner: two-sided paired t-test p < α; from 6 pairs the exact sign-flip test must agree
    (it cannot reach 0.05 with fewer). The t-test alone is exact for normal noise; the
    sign-flip test is exact for any noise symmetric about 0, which covers the bimodal
    "training sometimes fails" null (each arm fails as often), where at 3-5 pairs the t-test
    is conservative because a failed seed inflates the SD more than the mean (simulated in
    `calibration`). Equivalent: TOST at α, i.e. the (1 − 2α) interval inside ±margin.
    The interval reported is the 95% one, or the 90% one for an equivalence finding. Error
    rates (simulated): false winner ≤ 5% under the normal and the bimodal null at 3, 5 and
    10 pairs; false equivalence ≤ 5% when the true difference is ±margin.
    """
    arr = _finite(diffs)
    n = int(arr.size)
    method = f"{PAIRED_METHOD} (\u03b1={alpha:g})"
    if n < 2:
        return Decision(INCONCLUSIVE, float(arr.mean()) if n else None, (None, None), None, n,
                        method, f"{n} complete pair{'' if n == 1 else 's'}: "
                        "at least 2 are needed to see the spread", rule="paired")
    mean = float(arr.mean())
    sd = float(arr.std(ddof=1))
    row = arr[None, :]
    if _no_spread(row, np.array([sd]))[0]:
        return Decision(UNINFORMATIVE, mean, (None, None), None, n, method,
                        f"all {n} pairs differ by exactly {_fmt(mean)}: no spread, no "
                        "interval (both fail or both saturate)", rule="paired")
    p = float(_difference_p(row, np.array([mean]), np.array([sd]))[0])
    p_eq = float(_tost_p(np.array([mean]), np.array([sd]), n, margin)[0]) if margin > 0 else None
    code = int(paired_codes(row, margin, alpha)[0])
    outcome = OUTCOMES[code]
    level = 1.0 - 2.0 * alpha if outcome == EQUIVALENT else 1.0 - alpha
    ci = t_interval(mean, sd, n, level)
    if outcome in WINNERS:
        reason = f"p = {_fmt(p)} < {alpha:g} for a difference"
    elif outcome == EQUIVALENT:
        reason = f"{level:.0%} interval inside \u00b1{margin:g} (TOST p = {_fmt(p_eq)})"
    else:
        reason = (f"p = {_fmt(p)} for a difference and TOST p = "
                  f"{_fmt(p_eq) if p_eq is not None else 'n/a'} for equivalence: neither < "
                  f"{alpha:g}")
    return Decision(outcome, mean, ci, p, n, method, reason, level, p_eq, rule="paired")


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
                        rule="success")
    estimate = (only_a - only_b) / n
    if discordant == 0:
        both_ok = int(np.sum(a & b))
        what = ("both succeed in every pair" if both_ok == n else
                "both fail in every pair" if both_ok == 0 else
                f"both succeed in {both_ok} and both fail in {n - both_ok} pairs")
        return Decision(UNINFORMATIVE, None, (None, None), None, n, method,
                        f"{what}: no pair separates them", rule="success",
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
                    extra={"only_a": only_a, "only_b": only_b})


def ratio_codes(logs: np.ndarray, within: float, alpha: float = 0.05) -> np.ndarray:
    """`ratio_rule` outcome codes per row of a (reps, n) array of log ratios (A/B)."""
    codes = paired_codes(-np.asarray(logs, dtype=float), math.log1p(within), alpha)
    return codes


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
    lo, hi = d.ci
    ci = (None, None) if lo is None or hi is None else (math.exp(-hi), math.exp(-lo))
    estimate = None if d.estimate is None else math.exp(-d.estimate)
    method = f"{RATIO_METHOD} within \u00d7{1 + within:g} (\u03b1={alpha:g})"
    reason = d.reason.replace("\u00b1", "log \u00b1")
    return Decision(d.outcome, estimate, ci, d.p_value, d.n, method, reason, d.level,
                    d.p_equivalence, rule="ratio")


def holm(p_values: Sequence[float | None]) -> list[float]:
    """Holm-adjusted p-values (statsmodels 'holm'); a missing p-value counts as 1."""
    if len(p_values) == 0:
        return []
    from statsmodels.stats.multitest import multipletests

    p = [1.0 if v is None or not math.isfinite(v) else float(v) for v in p_values]
    return [float(x) for x in multipletests(p, method="holm")[1]]


@dataclass(frozen=True)
class ClaimDecision:
    """A claim's outcome across tasks (Holm-corrected), with each task's adjusted outcome."""

    outcome: str  # an OUTCOMES word or "mixed"
    tasks: tuple[dict[str, Any], ...]
    method: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict."""
        return {"outcome": self.outcome, "tasks": [dict(t) for t in self.tasks],
                "method": self.method, "reason": self.reason}


def combine_tasks(decisions: Sequence[Decision], alpha: float = 0.05) -> ClaimDecision:
    """One claim outcome from per-task decisions, Holm-corrected across tasks.

    A task keeps a winner only if its Holm-adjusted p < α (so the chance of any false winner
    across the claim's tasks is ≤ α); otherwise it is equivalent if its TOST p < α (no
    correction needed: every task must pass for a claim of equivalence, an intersection-union
    test) or inconclusive. Claim: "mixed" when tasks significantly disagree in direction; the
    common winner when the remaining tasks do not contradict it; "equivalent" when every
    informative task is; "uninformative" when no task is informative; else "inconclusive".
    """
    adjusted = holm([d.p_value for d in decisions])
    tasks = []
    for d, p_adj in zip(decisions, adjusted, strict=True):
        if d.outcome == UNINFORMATIVE:
            out = UNINFORMATIVE
        elif d.outcome in WINNERS and p_adj < alpha:
            out = d.outcome
        elif d.p_equivalence is not None and d.p_equivalence < alpha:
            out = EQUIVALENT
        else:
            out = INCONCLUSIVE
        tasks.append({"outcome": out, "p_value": d.p_value,
                      "p_holm": p_adj if d.p_value is not None else None,
                      "before_holm": d.outcome})
    outs = [t["outcome"] for t in tasks]
    informative = [o for o in outs if o != UNINFORMATIVE]
    wins = {o for o in informative if o in WINNERS}
    method = f"Holm across {len(decisions)} tasks (\u03b1={alpha:g})"
    if not informative:
        outcome, reason = UNINFORMATIVE, "no task is informative"
    elif len(wins) == 2:
        outcome, reason = MIXED, "tasks significantly disagree in direction"
    elif wins:
        outcome = wins.pop()
        k = outs.count(outcome)
        reason = f"{k} of {len(informative)} informative tasks significant after Holm"
    elif all(o == EQUIVALENT for o in informative):
        outcome, reason = EQUIVALENT, f"all {len(informative)} informative tasks equivalent"
    else:
        outcome, reason = INCONCLUSIVE, "no task significant after Holm"
    return ClaimDecision(outcome, tuple(tasks), method, reason)
