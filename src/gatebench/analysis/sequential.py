"""Adaptive seeds: a sequential paired t-test that adds pairs until the verdict is decided.

The rule (`sequential_decide`) looks after every pair from `min_pairs` to `max_pairs`. It is
Wald's sequential probability ratio test on the paired t statistic (the invariant SPRT, or
sequential t-test): at n pairs, the likelihood ratio of t for "the arms differ by δ
between-seed SDs, either way" against "no difference" is

    LR_n = exp(-n δ²/2) * 1F1(n/2; 1/2; n δ² t² / (2 (n - 1 + t²))),

where δ, the design difference, is one SD, or √(20 / max_pairs) SD when more than 20 pairs
are allowed: a larger budget looks for a smaller difference (`design_sd`). The ratio

depends on the data only through |t|, so each look is a pair of t thresholds:

- winner when LR_n >= A (|t| large): the sign of the mean names the better arm;
- equivalent when TOST passes at a constant per-look level α_eq*;
- futility when LR_n <= B (|t| small), before the last look: inconclusive, because a
  difference of δ would most likely have shown by now;
- inconclusive at `max_pairs`.

A and B are calibrated by simulating pivotal t paths (fixed seed, cached): A so that, with
the futility stops honoured (binding), the chance of ever naming a winner under the null
(normal noise, any SD) is α; B so that the power at δ is 80%, or 95% of the power the
`max_pairs` allow when that is less. α_eq* holds the chance of ever declaring equivalence at
a true difference of ±margin to α. The looks are replayed in pair order, so the decision is
the same whether the rule is asked after every pair or after a batch of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize as spo
from scipy import special as spx
from scipy import stats as sps

from gatebench.analysis.rules import (
    _A,
    _B,
    _INC,
    EQUIVALENT,
    INCONCLUSIVE,
    OUTCOMES,
    UNINFORMATIVE,
    Decision,
    _fmt,
    paired_tests,
    t_interval,
)
from gatebench.errors import SpecError
from gatebench.numbers import finite_values

CALIBRATION_REPS = 200_000
CALIBRATION_CELLS = 4_000_000  # simulated t statistics held at once (reps x looks)
CALIBRATION_SEED = 20_261_130
# Aim a little under α so the Monte Carlo error of the calibration cannot push the rate over.
CALIBRATION_SAFETY = 0.98
DESIGN_SD = 1.0  # the alternative: the arms differ by one between-seed SD of the differences
DESIGN_MAX_PAIRS = 20  # ... up to this many pairs; a larger budget looks for a smaller one
DESIGN_POWER = 0.8
POWER_SHARE = 0.95  # when max_pairs cannot give DESIGN_POWER: futility may cost 5% of the reach
MAX_PAIRS_LIMIT = 100
NEVER = 2.0  # a p-value level no p-value exceeds
SEQUENTIAL_METHOD = "sequential paired t-test (invariant SPRT, binding futility stop) + TOST"


@dataclass(frozen=True)
class Boundaries:
    """Per-look thresholds of the sequential rule, looks min_pairs..max_pairs.

    win[i], futile[i]: two-sided t-test p-values at look min_pairs + i; a winner when p <
    win[i] (0: no winner possible yet), a futility stop when p > futile[i] (NEVER: none).
    """

    min_pairs: int
    max_pairs: int
    alpha: float
    log_a: float
    log_b: float
    win: tuple[float, ...]
    futile: tuple[float, ...]
    alpha_equivalence: float
    design_sd: float  # the difference, in between-seed SDs, the rule is built to find
    power: float  # simulated power at design_sd with the futility stops
    power_target: float

    def look(self, n: int) -> tuple[float, float]:
        """(winner level, futility level) at a look with n pairs."""
        i = n - self.min_pairs
        return self.win[i], self.futile[i]


def _check(min_pairs: int, max_pairs: int, alpha: float) -> None:
    # the settings come from the command line (--max-seeds), so a bad one is the user's to fix
    if not 3 <= min_pairs <= max_pairs <= MAX_PAIRS_LIMIT:
        raise SpecError(f"adaptive seeds need 3 <= min_pairs <= max_pairs (--max-seeds) <= "
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


def design_sd(max_pairs: int) -> float:
    """δ: one SD, or √(DESIGN_MAX_PAIRS / max_pairs) SD beyond DESIGN_MAX_PAIRS pairs, so a
    budget k times larger finds a difference √k times smaller with the same power."""
    return DESIGN_SD * min(1.0, math.sqrt(DESIGN_MAX_PAIRS / max_pairs))


def log_lr(t: np.ndarray | float, n: np.ndarray | int, delta: float = DESIGN_SD) -> np.ndarray:
    """Log likelihood ratio of a t statistic from n pairs: a difference of `delta` SDs (either
    sign) against none. Increasing in |t|; from -n δ²/2 at t = 0."""
    n = np.asarray(n, dtype=float)
    lam2 = n * delta ** 2
    t2 = np.square(t)
    with np.errstate(invalid="ignore"):
        x2 = np.where(np.isinf(t2), 1.0, t2 / (n - 1.0 + t2))
    return -lam2 / 2.0 + np.log(spx.hyp1f1(n / 2.0, 0.5, lam2 * x2 / 2.0))


def _first(mask: np.ndarray) -> np.ndarray:
    """Index of the first True per row; -1 where there is none."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), -1)


def _level(log_lr_at: float, n: int, delta: float) -> float:
    """The two-sided t-test p-value at which log_lr crosses `log_lr_at` with n pairs.

    p < level <=> log LR > log_lr_at. 0 when log LR cannot exceed it (p < 0 never holds),
    NEVER (above 1) when it always does.
    """
    if not math.isfinite(log_lr_at) or log_lr_at < float(log_lr(0.0, n, delta)):
        return NEVER if log_lr_at < 0 else 0.0
    if log_lr_at >= float(log_lr(np.inf, n, delta)):
        return 0.0
    t = spo.brentq(lambda x: float(log_lr(x, n, delta)) - log_lr_at, 0.0, 1e8, xtol=1e-12)
    return float(2.0 * sps.t.sf(t, n - 1))


def _paths(rng: np.random.Generator, reps: int, min_pairs: int, max_pairs: int,
           shift: float) -> np.ndarray:
    return cumulative_t(rng.standard_normal((reps, max_pairs)) + shift)[:, min_pairs - 1:]


def _power_parts(t1: np.ndarray, l1: np.ndarray, log_a: float) -> tuple[np.ndarray, np.ndarray]:
    """Per alternative path: reaches a correct winner, and the lowest log LR before it does
    (the path stops for futility first iff log_b >= that value)."""
    looks = t1.shape[1]
    first = _first(l1 >= log_a)
    rows = np.arange(t1.shape[0])
    good = (first >= 0) & (t1[rows, np.maximum(first, 0)] > 0)
    before = np.arange(looks)[None, :] < first[:, None]
    before[:, -1] = False  # no futility stop at the last look
    return good, np.where(before, l1, np.inf).min(axis=1)


def _winner_threshold(l0: np.ndarray, log_b: float, alpha: float) -> float:
    """A: the (1 - α) quantile of each null path's largest log LR up to its futility stop."""
    futile = l0 <= log_b
    futile[:, -1] = False
    stop = _first(futile)
    stop = np.where(stop < 0, l0.shape[1] - 1, stop)
    reach = np.arange(l0.shape[1])[None, :] <= stop[:, None]
    return float(np.quantile(np.where(reach, l0, -np.inf).max(axis=1), 1.0 - alpha,
                             method="higher"))


def _futility_threshold(good: np.ndarray, lowest: np.ndarray, power: float) -> float:
    """B: the largest log LR threshold that leaves a share `power` of correct winners."""
    # paths without a correct winner count as lost whatever B is; a sample value, not an
    # interpolation (the values include infinities), nudged so the path at B is kept
    q = float(np.quantile(np.where(good, lowest, -np.inf), 1.0 - power, method="lower"))
    return float(np.nextafter(q, -np.inf)) if math.isfinite(q) else q


@lru_cache(maxsize=64)
def boundaries(min_pairs: int, max_pairs: int, alpha: float = 0.05) -> Boundaries:
    """The calibrated per-look thresholds (module doc), deterministic and cached."""
    _check(min_pairs, max_pairs, alpha)
    reps = min(CALIBRATION_REPS, CALIBRATION_CELLS // max_pairs)
    rng = np.random.default_rng(CALIBRATION_SEED)
    n = np.arange(min_pairs, max_pairs + 1)
    t0 = _paths(rng, reps, min_pairs, max_pairs, 0.0)
    delta = design_sd(max_pairs)
    t1 = _paths(rng, reps, min_pairs, max_pairs, delta)
    l0, l1 = log_lr(t0, n, delta), log_lr(t1, n, delta)
    target_alpha = alpha * CALIBRATION_SAFETY
    log_a = float(np.quantile(l0.max(axis=1), 1.0 - target_alpha, method="higher"))
    good, lowest = _power_parts(t1, l1, log_a)
    target = min(DESIGN_POWER, POWER_SHARE * float(good.mean()))
    log_b = -math.inf  # and so it stays with a single look: no futility stop at the last
    # binding futility lowers A, which raises the power B may give up: iterate to agreement
    for _ in range(50 if max_pairs > min_pairs else 0):
        new_b = _futility_threshold(good, lowest, target)
        new_a = _winner_threshold(l0, new_b, target_alpha)
        converged = abs(new_a - log_a) < 1e-9 and abs(new_b - log_b) < 1e-9
        log_a, log_b = new_a, new_b
        good, lowest = _power_parts(t1, l1, log_a)
        if converged:
            break
    power = float((good & (lowest > log_b)).mean())
    df = n - 1
    win = tuple(_level(log_a, int(k), delta) for k in n)
    futile = tuple(_level(log_b, int(k), delta) if k < max_pairs else NEVER for k in n)
    # equivalence: the α-quantile of the smallest one-sided p over the looks of a path whose
    # true difference is the margin, in the worst case (SD small against the margin)
    alpha_eq = float(np.quantile(sps.t.sf(t0, df).min(axis=1), target_alpha))
    return Boundaries(min_pairs, max_pairs, alpha, log_a, log_b, win, futile, alpha_eq, delta,
                      power, target)


def _look(d: np.ndarray, margin: float, b: Boundaries) -> np.ndarray:
    """Per row: the outcome code at this look, or -1 to go on (futility stops are _INC)."""
    n = d.shape[1]
    win, futile = b.look(n)
    tested = paired_tests(d, margin, max(win, 1e-300), alpha_equivalence=b.alpha_equivalence,
                          exact_flips=False)
    codes = tested.codes.copy()
    if win <= 0:  # no winner possible yet: undo paired_tests' (vanishing) winner calls
        codes[np.isin(codes, (_A, _B))] = _INC
    go_on = (codes == _INC) & ~(tested.p > futile) & (n < b.max_pairs)
    return np.where(go_on, -1, codes)


def sequential_codes(d: np.ndarray, margin: float, max_pairs: int, alpha: float = 0.05,
                     min_pairs: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, pairs used) of the sequential rule per row of a (reps, max_pairs) array."""
    b = boundaries(min_pairs, max_pairs, alpha)
    reps = d.shape[0]
    codes = np.full(reps, _INC)
    used = np.full(reps, max_pairs)
    open_ = np.ones(reps, dtype=bool)
    for n in range(min_pairs, max_pairs + 1):
        look = _look(d[:, :n], margin, b)
        stop = open_ & (look >= 0)
        codes[stop] = look[stop]
        used[stop] = n
        open_ &= ~stop
    return codes, used


def _sd_text(delta: float) -> str:
    return "one between-seed SD" if delta == 1.0 else f"{delta:.2g} between-seed SDs"


def _stop_reason(code: int, k: int, n: int, b: Boundaries) -> str:
    unused = n - k
    tail = (f" (the {unused} pair{'s' if unused > 1 else ''} after it not counted)"
            if unused > 0 else "")
    if OUTCOMES[code] == INCONCLUSIVE and k < b.max_pairs:
        return (f"futility at {k} pairs: a difference of {_sd_text(b.design_sd)} would most "
                f"likely have shown by now{tail}")
    if OUTCOMES[code] == INCONCLUSIVE:
        return f"reached max seeds ({b.max_pairs})"
    return f"decided at {k} pairs{tail}"


def sequential_decide(
    diffs: Sequence[float] | np.ndarray,
    *,
    margin: float,
    max_pairs: int,
    alpha: float = 0.05,
    min_pairs: int = 3,
) -> Decision:
    """Decision after the pairs so far under the sequential rule (module doc); `final` = stop.

    The looks are replayed in pair order and the first that stops decides: a winner, an
    equivalence, "uninformative" (every pair identical: more seeds of the same cannot help),
    a futility stop or max_pairs (both "inconclusive"). Pairs after that look (run in the
    same batch) are not counted. Simulated (`gatebench calibrate`, rule "sequential"): at
    most 5% false winners under the normal null and about 2% under the bimodal "training
    sometimes fails" null (one run in five fails; fix the failures first when half fail).
    With 3..20 pairs it has 80% power at one noise SD and, on average over no difference and
    a one-SD difference, uses under 60% of the pairs of the fixed design with that power;
    with more pairs allowed it looks for a smaller difference (`design_sd`).
    """
    _check(min_pairs, max_pairs, alpha)
    arr = finite_values(diffs)
    n = int(arr.size)
    b = boundaries(min_pairs, max_pairs, alpha)
    method = (f"{SEQUENTIAL_METHOD} (\u03b1={alpha:g}, looks {min_pairs}..{max_pairs} pairs, "
              f"{b.power:.0%} power at {_sd_text(b.design_sd)})")
    extra = {"alpha_equivalence_look": b.alpha_equivalence, "min_pairs": min_pairs,
             "max_pairs": max_pairs, "design_sd": b.design_sd, "power": b.power}
    if n < min_pairs:
        mean = float(arr.mean()) if n else None
        return Decision(INCONCLUSIVE, mean, (None, None), None, n, method,
                        f"{n} of at least {min_pairs} pairs so far", rule="sequential",
                        final=False, extra=extra)
    k, code = n, -1
    for k in range(min_pairs, min(n, max_pairs) + 1):
        code = int(_look(arr[None, :k], margin, b)[0])
        if code >= 0:
            break
    used = arr[:k]
    mean = float(used.mean())
    win, futile = b.look(k)
    extra.update({"alpha_look": win, "futility_look": futile if futile <= 1 else None})
    tested = paired_tests(used[None, :], margin, max(win, 1e-300),
                          alpha_equivalence=b.alpha_equivalence, exact_flips=False)
    p_eq = float(tested.p_eq[0]) if margin > 0 else None
    if code >= 0 and OUTCOMES[code] == UNINFORMATIVE:
        return Decision(UNINFORMATIVE, mean, (None, None), None, k, method,
                        f"all {k} pairs differ by exactly {_fmt(mean)}: no spread, no "
                        "interval (both fail or both saturate)", rule="sequential",
                        extra=extra)
    outcome = OUTCOMES[code] if code >= 0 else INCONCLUSIVE
    # The interval at the look's own level, so it agrees with the decision it reports; at
    # looks where no winner is possible yet, the plain 1 - α interval.
    if outcome == EQUIVALENT:
        level = 1.0 - 2.0 * b.alpha_equivalence
    else:
        level = 1.0 - win if win > 0 else 1.0 - alpha
    ci = t_interval(mean, float(tested.sd[0]), k, level)
    if code >= 0:
        final, reason = True, _stop_reason(code, k, n, b)
        extra["futility"] = outcome == INCONCLUSIVE and k < max_pairs
    else:
        final = False
        reason = (f"undecided at {k} pairs; add a pair" if win > 0 else
                  f"undecided at {k} pairs (no winner can be named before more pairs); "
                  "add a pair")
    return Decision(outcome, mean, ci, float(tested.p[0]), k, method, reason, level, p_eq,
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


def can_still_decide(diffs: Sequence[float] | np.ndarray, margin: float,
                     extra_pairs: int) -> bool:
    """Whether `extra_pairs` more pairs could still change the outcome (False only when they
    provably cannot). Placeholder until the stats workstream's rule lands: always True."""
    return True
