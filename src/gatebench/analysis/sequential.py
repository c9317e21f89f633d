"""Adaptive seeds: an anytime-valid rule for the median paired difference.

The estimand is the median of the per-pair differences (A − B over seeds): A is better when
it beats B on more seeds than B beats A. The rule needs nothing of the noise but independent
pairs: no normality, no symmetry. A skewed "training sometimes fails" distribution, heavy
tails and bimodal failures are all covered, because only the signs of d − m are used.

The evidence against "the median is at most m" is a betting e-process on the signs of
d_i − m (ties dropped): a mixture, over p in [1/2, 1] with a Beta(PRIOR) weight, of the
likelihood ratios of "d beats m with probability p" against 1/2,

    E(k, n) = 2^n ∫ p^k (1 − p)^(n − k) π(p) dp      (k of n untied pairs above m).

Under the null each factor has mean at most 1, so E is a nonnegative supermartingale and, by
Ville's inequality, P(E ever reaches 1/a) <= a, whatever the stopping rule. E depends only on
the counts, so batches of pairs, their order and looking after every pair or only at the end
give the same evidence. Inverting the test at every m gives a confidence sequence for the
median, an interval between order statistics; it is intersected over the prefixes in pair
order, so it only shrinks. Nothing depends on max_pairs: rerunning with a larger maximum,
adding pairs after a stop, or looking in batches keeps every guarantee below.

- winner: the (1 − α) sequence excludes 0 (one-sided tests at α/2 each way);
- equivalent: the (1 − 2α) sequence lies inside ±margin (TOST-like: each side at α);
- bound: the largest |end| of the (1 − 2α) sequence, so "A and B are within ±bound" holds
  with confidence 1 − α; the smallest margin that could be certified now;
- no futility stop: a study is final when decided or at max_pairs.

Chance of a false winner <= α at every look, forever; of a false equivalence <= α.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
from scipy import special as spx
from scipy import stats as sps

from gatebench.analysis.rules import (
    _A,
    _B,
    _EQ,
    _INC,
    EQUIVALENT,
    OUTCOMES,
    WINNERS,
    Decision,
    _fmt,
)
from gatebench.errors import SpecError
from gatebench.numbers import finite_values

# Beta(4, 1) on p in [1/2, 1]: weight toward pairs that mostly agree, so a winner can be named
# from 7 pairs that all agree (uniform weight: 8), at little cost in power at one noise SD.
PRIOR = (4.0, 1.0)
MAX_PAIRS_LIMIT = 100
TABLE_PAIRS = 512  # E(k, n) is tabulated up to this many pairs
MEDIAN_ESTIMAND = "median paired difference (A − B over seeds; A beats B on most seeds)"
SEQUENTIAL_METHOD = ("anytime-valid confidence sequence for the median: betting e-process on "
                     "signs, Ville's inequality")
FAVOURABLE = 1e12  # a difference no real pair reaches: the best case for one arm


def _check(min_pairs: int, max_pairs: int, alpha: float) -> None:
    # the settings come from the command line (--max-seeds), so a bad one is the user's to fix
    if not 1 <= min_pairs <= max_pairs <= MAX_PAIRS_LIMIT:
        raise SpecError(f"adaptive seeds need 1 <= min_pairs <= max_pairs (--max-seeds) <= "
                        f"{MAX_PAIRS_LIMIT}, got min_pairs={min_pairs}, max_pairs={max_pairs}")
    if not 0.0 < alpha < 0.5:
        raise SpecError(f"alpha must be between 0 and 0.5, got {alpha}")


@cache
def log_e_table(n_max: int = TABLE_PAIRS) -> np.ndarray:
    """log E(k, n) (module doc) for 0 <= k <= n <= n_max; -inf where k > n."""
    a, b = PRIOR
    k = np.arange(n_max + 1)[:, None].astype(float)
    n = np.arange(n_max + 1)[None, :].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = spx.betaln(a, b) + math.log(spx.betaincc(a, b, 0.5))
        out = (n * math.log(2.0) + spx.betaln(a + k, b + n - k)
               + np.log(spx.betaincc(a + k, b + n - k, 0.5)) - z)
    out[k > n] = -np.inf
    return out


def log_e(k: np.ndarray | int, n: np.ndarray | int) -> np.ndarray:
    """log E(k, n): evidence that a share above 1/2 of n untied pairs lies above m (k did)."""
    k, n = np.asarray(k), np.asarray(n)
    if n.size and int(n.max()) > TABLE_PAIRS:
        raise SpecError(f"the sign e-process is tabulated up to {TABLE_PAIRS} pairs")
    return log_e_table()[k, n]


def _ever(k: np.ndarray, n: np.ndarray, level: float) -> np.ndarray:
    """Per prefix: has E(k, n) reached 1 / level at this or an earlier prefix."""
    return np.logical_or.accumulate(log_e(k, n) >= -math.log(level), axis=-1)


def _crossings(d: np.ndarray, at: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per prefix: ever evidence that the median is above `at`, and that it is below."""
    above = np.cumsum(d > at, axis=-1)
    below = np.cumsum(d < at, axis=-1)
    n = above + below
    return _ever(above, n, level), _ever(below, n, level)


def sequential_paths(d: np.ndarray, margin: float, alpha: float = 0.05) -> np.ndarray:
    """Outcome code at every prefix (pairs 1..n) of each row of a (reps, n) array.

    The codes `sequential_decide` gives with that many pairs: _A / _B when the (1 − α)
    sequence excludes 0, _EQ when the (1 − 2α) sequence is inside ±margin, else _INC.
    """
    d = np.atleast_2d(np.asarray(d, dtype=float))
    a_up, b_up = _crossings(d, 0.0, alpha / 2.0)
    codes = np.full(d.shape, _INC)
    if margin > 0:
        _, below_hi = _crossings(d, margin, alpha)
        above_lo, _ = _crossings(d, -margin, alpha)
        codes[below_hi & above_lo] = _EQ
    codes[a_up] = _A
    codes[b_up & ~a_up] = _B
    codes[a_up & b_up] = _INC  # both at once: contradictory evidence, no winner
    return codes


def sequential_codes(d: np.ndarray, margin: float, max_pairs: int, alpha: float = 0.05,
                     min_pairs: int = 3, looks: Sequence[int] | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, pairs used) of studies that stop at their first decided look.

    `looks`: the pair counts at which the study looks (default: every pair from min_pairs
    to max_pairs); the last look is max_pairs whatever `looks` says.
    """
    paths = sequential_paths(np.asarray(d)[:, :max_pairs], margin, alpha)
    at = sorted({n for n in (looks or range(min_pairs, max_pairs + 1)) if
                 min_pairs <= n <= max_pairs} | {max_pairs})
    sub = paths[:, np.array(at) - 1]
    decided = sub != _INC
    first = np.where(decided.any(axis=1), decided.argmax(axis=1), len(at) - 1)
    rows = np.arange(sub.shape[0])
    return sub[rows, first], np.array(at)[first]


def _lower_end(values: np.ndarray, level: float) -> float:
    """Lower end of the one-sided (1 − level) interval for the median from these pairs."""
    s = np.sort(values)
    n = s.size
    ok = np.flatnonzero(log_e(n - np.arange(n + 1), np.full(n + 1, n)) >= -math.log(level))
    return float(s[ok[-1]]) if ok.size else -math.inf


def median_sequence(diffs: np.ndarray, level: float) -> tuple[float, float]:
    """The confidence sequence for the median after all pairs: each side at `level`,
    intersected over the prefixes in pair order (-inf / inf where nothing is excluded yet)."""
    lo, hi = -math.inf, math.inf
    for k in range(1, diffs.size + 1):
        lo = max(lo, _lower_end(diffs[:k], level))
        hi = min(hi, -_lower_end(-diffs[:k], level))
    return lo, hi


def certified_bound(diffs: Sequence[float] | np.ndarray, alpha: float = 0.05) -> float | None:
    """The smallest X with "|median| <= X" at confidence 1 − α; None while unbounded."""
    lo, hi = median_sequence(finite_values(diffs), alpha)
    bound = max(abs(lo), abs(hi))
    return bound if math.isfinite(bound) else None


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def sequential_decide(
    diffs: Sequence[float] | np.ndarray,
    *,
    margin: float,
    max_pairs: int,
    alpha: float = 0.05,
    min_pairs: int = 3,
) -> Decision:
    """Decision after the pairs so far under the anytime-valid median rule (module doc).

    `final` is True when decided (a winner or equivalence) or at max_pairs: there is no
    futility stop. The interval is the (1 − α) confidence sequence, or the (1 − 2α) one for
    an equivalence finding; `bound` is the ±X the data certify at 1 − α. Simulated
    (`gatebench calibrate`, rule "sequential"): at most 5% false winners for the median under
    normal, heavy-tailed, bimodal and skewed nulls, and under reruns, pairs added after a stop
    and batches.
    """
    _check(min_pairs, max_pairs, alpha)
    arr = finite_values(diffs)
    n = int(arr.size)
    method = (f"{SEQUENTIAL_METHOD} (\u03b1={alpha:g}, first look at {min_pairs} pairs, "
              f"at most {max_pairs})")
    code = int(sequential_paths(arr[None, :], margin, alpha)[0, -1]) if n else _INC
    if n < min_pairs:
        code = _INC
    outcome = OUTCOMES[code]
    lo95, hi95 = median_sequence(arr, alpha / 2.0)
    lo90, hi90 = median_sequence(arr, alpha)
    bound = certified_bound(arr, alpha)
    equivalent = outcome == EQUIVALENT
    ci = (_finite(lo90), _finite(hi90)) if equivalent else (_finite(lo95), _finite(hi95))
    final = outcome in (*WINNERS, EQUIVALENT) or n >= max_pairs
    e_max = _max_evidence(arr)
    p_value = min(1.0, 2.0 / e_max) if n else None
    p_eq = min(1.0, 1.0 / _max_evidence(arr, margin)) if n and margin > 0 else None
    extra = {"min_pairs": min_pairs, "max_pairs": max_pairs, "alpha": alpha,
             "evidence": e_max, "futility": False}
    level = 1.0 - 2.0 * alpha if equivalent else 1.0 - alpha
    return Decision(outcome, float(np.median(arr)) if n else None, ci, p_value, n, method,
                    _reason(outcome, n, max_pairs, bound, min_pairs), level, p_eq,
                    rule="sequential", final=final, extra=extra, estimand=MEDIAN_ESTIMAND,
                    bound=bound)


def _max_evidence(arr: np.ndarray, margin: float = 0.0) -> float:
    """The largest e-value so far that the median is not 0 (either way), or with a margin,
    the smaller of those that it is below +margin and above -margin (1 with no pairs).

    Its inverse is an anytime-valid p-value: halved, for the two-sided "not 0"."""
    if not arr.size:
        return 1.0
    if margin > 0:  # equivalence: both one-sided tests must pass, so the weaker one counts
        below, above = np.cumsum(arr < margin), np.cumsum(arr > margin)
        up, down = np.cumsum(arr > -margin), np.cumsum(arr < -margin)
        best = min(float(log_e(below, below + above).max()), float(log_e(up, up + down).max()))
    else:
        above, below = np.cumsum(arr > 0), np.cumsum(arr < 0)
        best = max(float(log_e(above, above + below).max()),
                   float(log_e(below, above + below).max()))
    return math.exp(min(best, 700.0))


def _reason(outcome: str, n: int, max_pairs: int, bound: float | None, min_pairs: int) -> str:
    within = (f"; the median is within \u00b1{_fmt(bound)} at 95%, the smallest margin the "
              "data certify" if bound is not None else "; no bound on the median yet")
    if outcome in WINNERS or outcome == EQUIVALENT:
        return f"decided at {n} pairs"
    if n < min_pairs:
        return f"{n} of at least {min_pairs} pairs so far"
    if n >= max_pairs:
        return f"reached max seeds ({max_pairs}) undecided{within}"
    return f"undecided at {n} pairs{within}; add a pair"


def fewest_pairs_to_decide(diffs: Sequence[float] | np.ndarray, margin: float,
                           most: int) -> dict[str, int | None]:
    """Fewest further pairs, all as favourable as can be, that give each decision.

    {"a_better", "b_better", "equivalent"} -> that many pairs, or None when even `most`
    more cannot. Winner: every new pair favours that arm (E only grows with agreeing pairs);
    equivalence: every new pair is 0, inside ±margin. 0 when the data decide already.
    """
    arr = finite_values(diffs)
    n = int(arr.size)
    most = max(0, min(int(most), TABLE_PAIRS - n))
    out: dict[str, int | None] = {}
    for name, value, want in (("a_better", FAVOURABLE, _A), ("b_better", -FAVOURABLE, _B),
                              ("equivalent", 0.0, _EQ)):
        path = sequential_paths(np.concatenate([arr, np.full(most, value)])[None, :], margin)[0]
        # by_extra[j]: the code with j further pairs (no pairs at all: undecided)
        by_extra = np.concatenate([[_INC] if n == 0 else [], path[max(n - 1, 0):]])
        hit = np.flatnonzero(by_extra == want)
        out[name] = int(hit[0]) if hit.size else None
    return out


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
