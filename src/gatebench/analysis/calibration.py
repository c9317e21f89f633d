"""How often each decision rule is wrong: its error rates on simulated studies.

Every rule in `rules` and `sequential` runs here on thousands of simulated studies through the
same vectorised code the verdicts use. Each rule is judged for its own estimand (the mean
paired difference for "paired", the median for "sequential"). The scenarios, in points:

- normal null: per-pair differences ~ N(0, NOISE_SD²), NOISE_SD = 2 points: twice the
  default margin, the regime of the small reference tasks (an assumption; `gatebench
  calibrate --dataset` measures a real A/A study instead);
- heavy-tailed null: NOISE_SD times a Student t on HEAVY_DF = 2 degrees of freedom
  (infinite variance), symmetric about 0;
- bimodal null ("training sometimes fails", symmetric): each arm's run fails independently
  with probability FAIL_P = 0.2 and then scores FAIL_DROP = 20 points lower;
- skewed nulls ("one arm sometimes fails"): A fails in SKEW_FAILS = 10% or 20% of seeds
  (SKEW_DROP = 18 points below its usual score) and is otherwise better by c, with c set so
  the rule's estimand is at its null value: the mean is 0 for "paired" (c = 2 points at 10%),
  the median is 0 for "sequential" (A beats B on exactly half the seeds);
- alternatives: A better by 1, 2 and 5 points with the normal noise;
- false equivalence: the true difference sits on the margin (+MARGIN).

Continuation rows run the sequential rule the ways a study can go on: a rerun with a larger
--max-seeds after an undecided study, looks only after batches of pairs, and pairs added after
any stop (a winner at any look up to 100 pairs counts). Rates carry a 95% Wilson interval for
their Monte Carlo error. The same seed gives the same table; each scenario has its own stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import TypedDict, cast

import numpy as np
from scipy import optimize as spo
from scipy import stats as sps

from gatebench.analysis.combine import CLAIM_OUTCOMES, combine_codes
from gatebench.analysis.rules import (
    _A,
    _B,
    _EQ,
    _INC,
    _UNI,
    MEAN_ESTIMAND,
    paired_tests,
)
from gatebench.analysis.sequential import MEDIAN_ESTIMAND, sequential_codes, sequential_paths
from gatebench.errors import GatebenchError

NOISE_SD = 2.0
MARGIN = 1.0
EFFECTS = (1.0, 2.0, 5.0)
FAIL_P = 0.2
FAIL_DROP = 20.0
HEAVY_DF = 2
SKEW_FAILS = (0.1, 0.2)
SKEW_DROP = 18.0
ALPHA = 0.05
DEFAULT_REPS = 10_000  # per cell: a Monte Carlo interval of about ±0.4% at a 5% rate
EFFICIENCY_REPS = 50_000  # a headline figure: power within ±0.4%, average pairs within ±0.1%
DESIGN_EFFECT = 2.0  # the difference the fixed design is sized for, 80% power
SEQUENTIAL_MAX = (10, 20, 40)
RERUN = (20, 40)  # an undecided study at max 20 pairs, rerun with --max-seeds 40
BATCH, BATCH_MAX = 4, 40  # looks after every 4 pairs (3, 7, 11, ...), up to 40
EVER_MAX = 100  # pairs added after any stop: a winner at any look up to here counts
FIXED_PAIRS = (3, 5, 10)
SUCCESS_PAIRS = (5, 10)
SUCCESS_NULL = 0.8  # both arms' chance that a run succeeds (reaches its target) under the null
SUCCESS_B, SUCCESS_A = 0.5, (0.7, 0.9, 1.0)  # alternatives: A succeeds more often than B
HOLM_TASKS, HOLM_PAIRS = 3, 5
RATIO_PAIRS, RATIO_SD, RATIO_WITHIN = 5, 0.05, 0.05  # log-ratio noise: ~5% timing jitter
RATIO_SLOW_P, RATIO_SLOWDOWN = 0.2, 1.3  # bimodal timing: a run hit by interference
RATIO_EFFECTS = (0.01, 0.02, 0.05)  # A faster by 1%, 2%, 5%
POINTS = " / ".join(f"{e:g}" for e in EFFECTS) + " points"
NULLS = ("normal", "heavy", "bimodal", "skewed_10", "skewed_20")
NULL_NAMES = {"normal": "normal null", "heavy": "heavy-tailed null",
              "bimodal": "bimodal null", "skewed_10": "skewed null, 10% fail",
              "skewed_20": "skewed null, 20% fail"}
# scenarios outside a rule's assumptions: measured and shown, not promised
OUTSIDE = {"paired": ("skewed_10", "skewed_20"), "holm": ("skewed_10", "skewed_20")}


class Rate(TypedDict):
    """A simulated rate with its 95% Monte Carlo (Wilson) interval."""

    rate: float
    mc: list[float]


class EquivalenceRate(Rate):
    """How often equivalence is reached with no true difference, and the pairs it took."""

    avg_pairs: float


class CalibrationRow(TypedDict):
    """One rule and design of the simulated table (`simulated_table` says each key)."""

    rule: str
    estimand: str
    design: str
    pairs: int | str
    scenario: str
    outside_assumptions: list[str]
    false_winner_normal: Rate | None  # one false_winner_<null> per NULLS
    false_winner_heavy: Rate | None
    false_winner_bimodal: Rate | None
    false_winner_skewed_10: Rate | None
    false_winner_skewed_20: Rate | None
    false_equivalence: Rate | None
    power: dict[str, Rate]
    avg_pairs: dict[str, float] | None


class Efficiency(TypedDict, total=False):
    """The sequential rule's price against the fixed t-test design (`sequential_efficiency`)."""

    design_effect: float
    noise_sd: float
    reps: int
    n_fixed_t: int
    max_pairs: int
    avg_pairs: dict[str, float]
    equivalence: dict[str, EquivalenceRate]
    power_at_design_effect: Rate
    pairs_for_80: int | None
    avg_pairs_for_80: dict[str, float]


class CalibrationSettings(TypedDict):
    """The simulation's settings, as the report states them."""

    alpha: float
    noise_sd: float
    margin: float
    effects: list[float]
    fail_p: float
    fail_drop: float
    heavy_df: int
    skew_fails: list[float]
    skew_drop: float
    skew_shift: dict[str, dict[str, float]]


class CalibrationReport(TypedDict):
    """`calibration_report`: the simulated table, the sequential rule's price, the settings."""

    reps: int
    seed: int
    settings: CalibrationSettings
    rows: list[CalibrationRow]
    efficiency: Efficiency


def wilson(k: int, n: int) -> list[float]:
    """95% Wilson interval of a proportion k/n."""
    lo, hi = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    return [float(lo), float(hi)]


def _rate(hits: np.ndarray) -> Rate:
    k, n = int(np.sum(hits)), int(hits.size)
    return {"rate": k / n, "mc": wilson(k, n)}


def mc_bound(reps: int, rate: float = ALPHA, sds: float = 3.0) -> float:
    """Largest observed rate still consistent with a true `rate`: rate + sds Monte Carlo SEs."""
    return rate + sds * math.sqrt(rate * (1.0 - rate) / reps)


# -- scenarios ---------------------------------------------------------------------------------


def normal_diffs(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
    """(reps, n) per-pair differences: effect + N(0, NOISE_SD²)."""
    return rng.normal(effect, NOISE_SD, (reps, n))


def heavy_diffs(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
    """(reps, n) differences: effect + NOISE_SD x Student t (HEAVY_DF), infinite variance."""
    return effect + NOISE_SD * rng.standard_t(HEAVY_DF, (reps, n))


def bimodal_diffs(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
    """(reps, n) differences when either arm's run fails (w.p. FAIL_P) and drops FAIL_DROP."""
    fail_a = rng.random((reps, n)) < FAIL_P
    fail_b = rng.random((reps, n)) < FAIL_P
    return normal_diffs(rng, reps, n, effect) - FAIL_DROP * fail_a + FAIL_DROP * fail_b


@cache
def skew_shift(fails: float, estimand: str) -> float:
    """c: how much better A is when it does not fail, so the estimand is at its null (0)."""
    if estimand == "mean":
        return SKEW_DROP * fails / (1.0 - fails)

    def above_zero(c: float) -> float:  # P(D > 0) - 1/2 for the mixture
        return ((1 - fails) * sps.norm.sf(0.0, c, NOISE_SD)
                + fails * sps.norm.sf(0.0, c - SKEW_DROP, NOISE_SD) - 0.5)
    return float(spo.brentq(above_zero, -SKEW_DROP, SKEW_DROP, xtol=1e-12))


def skewed_draw(fails: float, estimand: str) -> Draw:
    """A skewed null (module doc): A fails in `fails` of seeds, else better by skew_shift."""
    shift = skew_shift(fails, estimand)

    def draw(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
        failed = rng.random((reps, n)) < fails
        return normal_diffs(rng, reps, n, effect + shift) - (shift + SKEW_DROP) * failed
    return draw


Draw = Callable[[np.random.Generator, int, int, float], np.ndarray]


def _scenarios(estimand: str = "mean") -> list[tuple[str, Draw, float]]:
    nulls = [("null_normal", normal_diffs, 0.0), ("null_heavy", heavy_diffs, 0.0),
             ("null_bimodal", bimodal_diffs, 0.0)]
    nulls += [(f"null_skewed_{round(100 * f)}", skewed_draw(f, estimand), 0.0)
              for f in SKEW_FAILS]
    return (nulls + [("margin", normal_diffs, MARGIN)]
            + [(f"effect_{e:g}", normal_diffs, e) for e in EFFECTS])


def _row(rule: str, design: str, pairs: int | str, scenario: str,
         estimand: str = "") -> CalibrationRow:
    row: dict[str, object] = {"rule": rule, "estimand": estimand, "design": design,
                              "pairs": pairs, "scenario": scenario,
                              "outside_assumptions": list(OUTSIDE.get(rule, ()))}
    row.update({f"false_winner_{k}": None for k in NULLS})
    row.update({"false_equivalence": None, "power": {}, "avg_pairs": None})
    return cast("CalibrationRow", row)  # its false_winner_<null> keys come from NULLS


def _fill(row: CalibrationRow, name: str, codes: np.ndarray, used: np.ndarray | None) -> None:
    winner = (codes == _A) | (codes == _B)
    if name.startswith("null_"):
        row["false_winner_" + name.removeprefix("null_")] = _rate(winner)
    elif name == "margin":
        row["false_equivalence"] = _rate(codes == _EQ)
    else:
        row["power"][name.removeprefix("effect_")] = _rate(codes == _A)
    if used is not None:
        row["avg_pairs"] = {**(row["avg_pairs"] or {}), name: float(used.mean())}


def _stream(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


# -- rules ---------------------------------------------------------------------------------


def _paired_rows(reps: int, seed: int) -> list[CalibrationRow]:
    rows = []
    for n in FIXED_PAIRS:
        row = _row("paired", f"fixed, {n} pairs", n, POINTS, MEAN_ESTIMAND)
        for i, (name, draw, effect) in enumerate(_scenarios("mean")):
            codes = paired_tests(draw(_stream(seed, 1, n, i), reps, n, effect), MARGIN,
                                 ALPHA).codes
            _fill(row, name, codes, None)
        rows.append(row)
    return rows


def _sequential_row(design: str, pairs: str, reps: int, keys: tuple[int, ...], most: int,
                    decide: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
                    ) -> CalibrationRow:
    row = _row("sequential", design, pairs, POINTS, MEDIAN_ESTIMAND)
    for i, (name, draw, effect) in enumerate(_scenarios("median")):
        codes, used = decide(draw(_stream(*keys, i), reps, most, effect))
        _fill(row, name, codes, used)
    return row


def _rerun(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stop at max RERUN[0]; an undecided study is rerun with --max-seeds RERUN[1]."""
    first, second = RERUN
    codes, used = sequential_codes(d, MARGIN, first, ALPHA)
    more, more_used = sequential_codes(d, MARGIN, second, ALPHA, min_pairs=first)
    again = codes == _INC
    return np.where(again, more, codes), np.where(again, more_used, used)


def _ever(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs added after any stop, up to EVER_MAX: a winner at any look counts."""
    paths = sequential_paths(d[:, :EVER_MAX], MARGIN, ALPHA)[:, 2:]  # looks from 3 pairs
    winner = (paths == _A) | (paths == _B)
    first = np.where(winner.any(axis=1), winner.argmax(axis=1), paths.shape[1] - 1)
    return paths[np.arange(d.shape[0]), first], np.full(d.shape[0], EVER_MAX)


def _sequential_rows(reps: int, seed: int) -> list[CalibrationRow]:
    rows = [_sequential_row(f"--seeds auto, 3..{m} pairs", f"3..{m}", reps, (seed, 2, m), m,
                            lambda d, m=m: sequential_codes(d, MARGIN, m, ALPHA))
            for m in SEQUENTIAL_MAX]
    looks = range(3, BATCH_MAX + 1, BATCH)
    rows.append(_sequential_row(
        f"batches of {BATCH} pairs (looks at 3, 7, 11, ...), up to {BATCH_MAX}",
        f"3..{BATCH_MAX}", reps, (seed, 8), BATCH_MAX,
        lambda d: sequential_codes(d, MARGIN, BATCH_MAX, ALPHA, looks=looks)))
    rows.append(_sequential_row(
        f"rerun: max {RERUN[0]}, then --max-seeds {RERUN[1]} if undecided",
        f"3..{RERUN[1]}", reps, (seed, 9), RERUN[1], _rerun))
    rows.append(_sequential_row(
        f"pairs added after any stop, up to {EVER_MAX} (a winner at any look counts)",
        f"3..{EVER_MAX}", reps, (seed, 10), EVER_MAX, _ever))
    return rows


def success_codes(only_a: np.ndarray, only_b: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """`success_rule` outcome codes from counts of pairs only A / only B succeeds (vectorised).

    The two-sided exact binomial p-value at 1/2 is twice the smaller tail (capped at 1), which
    is what scipy.stats.binomtest gives for a symmetric null.
    """
    only_a, only_b = np.asarray(only_a), np.asarray(only_b)
    m = only_a + only_b
    p = np.minimum(1.0, 2.0 * sps.binom.cdf(np.minimum(only_a, only_b), m, 0.5))
    codes = np.full(m.shape, _INC)
    codes[(p < alpha) & (only_a > only_b)] = _A
    codes[(p < alpha) & (only_a < only_b)] = _B
    codes[m == 0] = _UNI
    return codes


def _success_rows(reps: int, seed: int) -> list[CalibrationRow]:
    rows = []
    for n in SUCCESS_PAIRS:
        row = _row("success", f"fixed, {n} pairs", n,
                   "A succeeds in " + " / ".join(f"{100 * a:.0f}" for a in SUCCESS_A)
                   + f"% of runs, B in {SUCCESS_B:.0%} (null: both {SUCCESS_NULL:.0%})")
        cases = [("null_normal", SUCCESS_NULL, SUCCESS_NULL)]
        cases += [(f"effect_{e:g}", a, SUCCESS_B) for e, a in zip(EFFECTS, SUCCESS_A, strict=True)]
        for i, (name, pa, pb) in enumerate(cases):
            rng = _stream(seed, 3, n, i)
            a, b = rng.random((reps, n)) < pa, rng.random((reps, n)) < pb
            codes = success_codes((a & ~b).sum(axis=1), (~a & b).sum(axis=1))
            _fill(row, name, codes, None)
        rows.append(row)
    return rows


def _holm_rows(reps: int, seed: int) -> list[CalibrationRow]:
    row = _row("holm", f"{HOLM_TASKS} tasks, {HOLM_PAIRS} pairs each", HOLM_PAIRS,
               f"{POINTS} in every task")
    for i, (name, draw, effect) in enumerate(_scenarios()):
        tested = [paired_tests(draw(_stream(seed, 4, t, i), reps, HOLM_PAIRS, effect), MARGIN,
                               ALPHA) for t in range(HOLM_TASKS)]
        claim = combine_codes(np.stack([t.codes for t in tested], axis=1),
                              np.stack([t.p for t in tested], axis=1),
                              np.stack([t.p_eq for t in tested], axis=1), ALPHA)
        # a "mixed" claim names winners too: it counts as a false winner under the null
        mixed = claim == CLAIM_OUTCOMES.index("mixed")
        _fill(row, name, np.where(mixed, _A, claim), None)
    return [row]


def _ratio_rows(reps: int, seed: int) -> list[CalibrationRow]:
    row = _row("ratio", f"fixed, {RATIO_PAIRS} pairs", RATIO_PAIRS,
               "A faster by " + " / ".join(f"{100 * e:.0f}" for e in RATIO_EFFECTS)
               + f"% (timing jitter {RATIO_SD:.0%}; bimodal null: a run slowed "
               f"\u00d7{RATIO_SLOWDOWN:g} with probability {RATIO_SLOW_P:g}; equivalence "
               f"within \u00d7{1 + RATIO_WITHIN:g})")
    log_within = math.log1p(RATIO_WITHIN)
    cases = [("null_normal", 0.0, False), ("null_bimodal", 0.0, True),
             ("margin", log_within, False)]
    cases += [(f"effect_{e:g}", -math.log1p(-r), False)
              for e, r in zip(EFFECTS, RATIO_EFFECTS, strict=True)]
    for i, (name, speedup, bimodal) in enumerate(cases):
        rng = _stream(seed, 5, i)
        # log(B time / A time): positive when A is faster, the rule's "a_better" direction
        logs = rng.normal(speedup, RATIO_SD, (reps, RATIO_PAIRS))
        if bimodal:
            slow = math.log(RATIO_SLOWDOWN)
            logs += slow * (rng.random(logs.shape) < RATIO_SLOW_P)
            logs -= slow * (rng.random(logs.shape) < RATIO_SLOW_P)
        _fill(row, name, paired_tests(logs, log_within, ALPHA).codes, None)
    return [row]


def simulated_table(reps: int = DEFAULT_REPS, seed: int = 0) -> list[CalibrationRow]:
    """Every rule's simulated error rates and power, one row per rule and design (module doc).

    Row keys: rule (the id verdicts carry), estimand, design, pairs, scenario,
    false_winner_<null> for each of NULLS and false_equivalence (each {"rate", "mc": [lo,
    hi]} or None when not simulated), outside_assumptions (nulls measured but not promised),
    power ({"1": ..., "2": ..., "5": ...} for the small, medium and large alternative) and
    avg_pairs (sequential rules: mean pairs used per scenario).
    """
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise GatebenchError(f"--studies must be a positive whole number, got {reps!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GatebenchError(f"seed must be a non-negative whole number, got {seed!r}")
    return (_paired_rows(reps, seed) + _sequential_rows(reps, seed) + _success_rows(reps, seed)
            + _holm_rows(reps, seed) + _ratio_rows(reps, seed))


def t_test_pairs_needed(effect: float = DESIGN_EFFECT, power: float = 0.8) -> int:
    """Fewest pairs for which a two-sided paired t-test at ALPHA has `power` (textbook formula)."""
    for n in range(3, 1000):
        df, shift = n - 1, effect / NOISE_SD * math.sqrt(n)
        crit = sps.t.isf(ALPHA / 2, df)
        if sps.nct.sf(crit, df, shift) + sps.nct.cdf(-crit, df, shift) >= power:
            return n
    raise ValueError(f"more than 1000 pairs needed for {effect:g} points")


def _first_decisions(d: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the code of the first decided look from 3 pairs and its pair count (0: none)."""
    paths = sequential_paths(d, margin, ALPHA)[:, 2:]
    decided = paths != _INC
    first = decided.argmax(axis=1)
    rows = np.arange(d.shape[0])
    hit = decided.any(axis=1)
    return np.where(hit, paths[rows, first], _INC), np.where(hit, first + 3, 0)


def sequential_efficiency(reps: int = 20_000, seed: int = 0, max_pairs: int = 40
                          ) -> Efficiency:
    """The price of anytime validity: the median rule against the fixed t-test design.

    The fixed design, a paired t-test sized for 80% power at DESIGN_EFFECT (one noise SD),
    needs n_fixed_t = 10 pairs and is valid only for the mean of normal (symmetric) noise.
    Returned for the sequential rule with normal noise: its power at DESIGN_EFFECT within
    `max_pairs`; its average pairs under the null and each alternative; pairs_for_80, the
    smallest --max-seeds with 80% power at DESIGN_EFFECT (None beyond 100), with its average
    pairs under the null and at DESIGN_EFFECT; and how often equivalence is reached with no
    true difference within `max_pairs`, for margins of 0.5, 1 and 1.5 noise SDs.
    """
    out: Efficiency = {"design_effect": DESIGN_EFFECT, "noise_sd": NOISE_SD, "reps": reps,
                      "n_fixed_t": t_test_pairs_needed(), "max_pairs": max_pairs,
                      "avg_pairs": {}, "equivalence": {}}
    for i, effect in enumerate((0.0, *EFFECTS)):
        d = normal_diffs(_stream(seed, 7, i), reps, EVER_MAX, effect)
        codes, at = _first_decisions(d, MARGIN)
        stop = np.where((at > 0) & (at <= max_pairs), at, max_pairs)
        out["avg_pairs"][f"{effect:g}"] = float(stop.mean())
        if effect == DESIGN_EFFECT:
            found = codes == _A
            out["power_at_design_effect"] = _rate(found & (at <= max_pairs))
            reach = [np.mean(found & (at <= m)) for m in range(1, EVER_MAX + 1)]
            ok = [m for m, p in zip(range(1, EVER_MAX + 1), reach, strict=True) if p >= 0.8]
            out["pairs_for_80"] = ok[0] if ok else None
            design_at = at
    m80 = out["pairs_for_80"] or EVER_MAX
    null_at = _first_decisions(normal_diffs(_stream(seed, 7, 0), reps, EVER_MAX), MARGIN)[1]
    out["avg_pairs_for_80"] = {
        key: float(np.where((a > 0) & (a <= m80), a, m80).mean())
        for key, a in (("0", null_at), (f"{DESIGN_EFFECT:g}", design_at))}
    for j, share in enumerate((0.5, 1.0, 1.5)):
        d = normal_diffs(_stream(seed, 11, j), reps, max_pairs)
        codes, at = _first_decisions(d, share * NOISE_SD)
        out["equivalence"][f"{share:g}"] = {
            **_rate(codes == _EQ),
            "avg_pairs": float(np.where(at > 0, at, max_pairs).mean())}
    return out


def calibration_report(reps: int = DEFAULT_REPS, seed: int = 0) -> CalibrationReport:
    """The simulated table, the sequential rule's price and the settings behind them."""
    rows = simulated_table(reps, seed)
    return {
        "reps": reps,
        "seed": seed,
        "settings": {"alpha": ALPHA, "noise_sd": NOISE_SD, "margin": MARGIN,
                     "effects": list(EFFECTS), "fail_p": FAIL_P, "fail_drop": FAIL_DROP,
                     "heavy_df": HEAVY_DF, "skew_fails": list(SKEW_FAILS),
                     "skew_drop": SKEW_DROP,
                     "skew_shift": {f"{round(100 * f)}": {e: skew_shift(f, e) for e in
                                                          ("mean", "median")}
                                    for f in SKEW_FAILS}},
        "rows": rows,
        "efficiency": sequential_efficiency(max(reps, EFFICIENCY_REPS), seed,
                                            max(SEQUENTIAL_MAX)),
    }


def _pct(rate: Rate | None, interval: str | None = " ") -> str:
    """"4.8% (3.2–7.0)" with `interval` before the bracket; no bracket when interval is None."""
    if rate is None:
        return "\u2013"
    text = f"{100 * rate['rate']:.1f}%"
    if interval is None:
        return text
    lo, hi = (100 * x for x in rate["mc"])
    return f"{text}{interval}({lo:.1f}\u2013{hi:.1f})"


ESTIMAND_SHORT = {"paired": "mean", "sequential": "median", "success": "success rates",
                  "holm": "mean, per task", "ratio": "geometric mean ratio"}
OUTSIDE_MARK = " \u2020"


def table_cells(row: CalibrationRow, interval: str = " ") -> list[str]:
    """A row's figures as display strings, in the order of TABLE_COLUMNS."""
    power = " / ".join(_pct(row["power"].get(f"{e:g}"), None) for e in EFFECTS)
    avg = row["avg_pairs"]
    pairs = ("\u2013" if avg is None else " / ".join(
        f"{avg[k]:.1f}" for k in ("null_normal", *(f"effect_{e:g}" for e in EFFECTS))))
    nulls = [_pct(row[f"false_winner_{k}"], interval)
             + (OUTSIDE_MARK if k in row["outside_assumptions"] else "") for k in NULLS]
    return [row["rule"], ESTIMAND_SHORT.get(row["rule"], row["estimand"]), row["design"],
            *nulls, _pct(row["false_equivalence"], interval), power, pairs]


TABLE_COLUMNS = ("rule", "estimand", "design", *(f"false winners, {NULL_NAMES[k]}"
                                                 for k in NULLS),
                 "false equivalence", "power small / medium / large",
                 "average pairs: null / small / medium / large")


def notes(report: CalibrationReport) -> list[str]:
    """How to read the table: the scenarios, each rule's units, and the price of the
    anytime-valid rule."""
    s, eff = report["settings"], report["efficiency"]
    units = {r["rule"]: r["scenario"] for r in report["rows"]}
    shift = s["skew_shift"]
    eq = eff["equivalence"]
    return [
        f"{report['reps']:,} simulated studies per cell (seed {report['seed']}); in brackets "
        "the 95% Monte Carlo interval. Each rule is judged for its own estimand: the mean "
        "paired difference (paired, holm; a t-test that assumes noise symmetric about the "
        "mean) or the median (sequential, `--seeds auto`; no assumption on the noise). Normal "
        f"null: per-pair differences with SD {s['noise_sd']:g} points. Heavy-tailed null: "
        f"{s['noise_sd']:g} \u00d7 Student t on {s['heavy_df']} degrees of freedom. Bimodal "
        f"null: each arm's run fails with probability {s['fail_p']:g} and then scores "
        f"{s['fail_drop']:g} points lower. Skewed nulls: A fails in 10% (20%) of seeds, "
        f"{s['skew_drop']:g} points down, and is otherwise better by just enough that the "
        f"estimand is 0: {shift['10']['mean']:.2f} ({shift['20']['mean']:.2f}) points for the "
        f"mean, {shift['10']['median']:.2f} ({shift['20']['median']:.2f}) for the median. "
        "\u2020: outside the rule's assumption (skewed noise for a mean t-test), measured, "
        "not promised; `--seeds auto` is the rule that holds there. False equivalence: the "
        f"true difference is the margin (\u00b1{s['margin']:g} points). Power: the share of "
        "studies that name the truly better arm, for a small / medium / large difference: "
        + "; ".join(f"{rule}: {text}" for rule, text in units.items()) + ".",
        "The price of anytime validity (normal noise, the fixed design's best case): a "
        f"paired t-test with 80% power at {eff['design_effect']:g} points (one noise SD) "
        f"needs {eff['n_fixed_t']} fixed pairs. `--seeds auto --max-seeds "
        f"{eff['max_pairs']}` finds that difference in "
        f"{_pct(eff['power_at_design_effect'])} of studies, using on average "
        f"{eff['avg_pairs']['0']:.1f} pairs with no difference, "
        f"{eff['avg_pairs']['2']:.1f} at 2 points and {eff['avg_pairs']['5']:.1f} at 5 "
        f"points; 80% power takes --max-seeds {eff['pairs_for_80']} (on average "
        f"{eff['avg_pairs_for_80']['2']:.1f} pairs at 2 points). In exchange it holds under "
        "any noise shape and any continuation. Equivalence with no true difference, within "
        f"{eff['max_pairs']} pairs: {_pct(eq['0.5'], None)} of studies for a margin of half "
        f"a noise SD, {_pct(eq['1'], None)} for one SD (average "
        f"{eq['1']['avg_pairs']:.1f} pairs), {_pct(eq['1.5'], None)} for 1.5 SD "
        f"({eff['reps']:,} simulated studies each).",
    ]


def markdown_table(report: CalibrationReport) -> str:
    """The README's calibration section body: the table, then how to read it."""
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in report["rows"]]
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes(report))
