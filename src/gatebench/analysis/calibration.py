"""How often each decision rule is wrong: its error rates on simulated studies.

Every rule in `rules` and `sequential` runs here on thousands of simulated studies through the
same vectorised code the verdicts use. The scenarios, in points of the metric:

- normal null: per-pair differences ~ N(0, NOISE_SD²), NOISE_SD = 2 points: twice the
  default margin, so that with 3-10 seeds equivalence is hard and a winner takes a real
  difference, the regime of the small reference tasks (an assumption; `gatebench calibrate
  --dataset` measures a real A/A study instead). False-winner rates under the normal null
  do not depend on it (the t statistic is scale-free); power and false equivalence depend
  only on difference / SD and margin / SD;
- bimodal null ("training sometimes fails"): each arm's run fails independently with
  probability FAIL_P = 0.2 and then scores FAIL_DROP = 20 points lower, on top of the
  normal noise; the same for both arms, so still no true difference;
- alternatives: A better by 1, 2 and 5 points with the normal noise (1 point = the default
  equivalence margin MARGIN; 2 points = one noise SD, the smallest difference the sequential
  design is sized to find);
- false equivalence: the true difference sits on the margin (+MARGIN).

Rates carry a 95% Wilson interval for their Monte Carlo error. The same seed gives the same
table; each scenario has its own stream, so adding a row does not change the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from scipy import stats as sps

from gatebench.analysis.combine import CLAIM_OUTCOMES, combine_codes
from gatebench.analysis.rules import (
    _A,
    _B,
    _EQ,
    _INC,
    _UNI,
    paired_tests,
)
from gatebench.analysis.sequential import sequential_codes
from gatebench.errors import GatebenchError

NOISE_SD = 2.0
MARGIN = 1.0
EFFECTS = (1.0, 2.0, 5.0)
FAIL_P = 0.2
FAIL_DROP = 20.0
ALPHA = 0.05
DEFAULT_REPS = 10_000  # per cell: a Monte Carlo interval of about ±0.4% at a 5% rate
EFFICIENCY_REPS = 50_000  # a headline figure: power within ±0.4%, average pairs within ±0.1%
DESIGN_EFFECT = 2.0  # the difference the fixed design is sized for, 80% power
SEQUENTIAL_MAX = (10, 20)
FIXED_PAIRS = (3, 5, 10)
SUCCESS_PAIRS = (5, 10)
SUCCESS_NULL = 0.8  # both arms' chance that a run succeeds (reaches its target) under the null
SUCCESS_B, SUCCESS_A = 0.5, (0.7, 0.9, 1.0)  # alternatives: A succeeds more often than B
HOLM_TASKS, HOLM_PAIRS = 3, 5
RATIO_PAIRS, RATIO_SD, RATIO_WITHIN = 5, 0.05, 0.05  # log-ratio noise: ~5% timing jitter
RATIO_SLOW_P, RATIO_SLOWDOWN = 0.2, 1.3  # bimodal timing: a run hit by interference
RATIO_EFFECTS = (0.01, 0.02, 0.05)  # A faster by 1%, 2%, 5%
POINTS = " / ".join(f"{e:g}" for e in EFFECTS) + " points"


def wilson(k: int, n: int) -> list[float]:
    """95% Wilson interval of a proportion k/n."""
    lo, hi = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    return [float(lo), float(hi)]


def _rate(hits: np.ndarray) -> dict[str, Any]:
    k, n = int(np.sum(hits)), int(hits.size)
    return {"rate": k / n, "mc": wilson(k, n)}


def mc_bound(reps: int, rate: float = ALPHA, sds: float = 3.0) -> float:
    """Largest observed rate still consistent with a true `rate`: rate + sds Monte Carlo SEs."""
    return rate + sds * math.sqrt(rate * (1.0 - rate) / reps)


# -- scenarios ---------------------------------------------------------------------------------


def normal_diffs(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
    """(reps, n) per-pair differences: effect + N(0, NOISE_SD²)."""
    return rng.normal(effect, NOISE_SD, (reps, n))


def bimodal_diffs(rng: np.random.Generator, reps: int, n: int, effect: float = 0.0) -> np.ndarray:
    """(reps, n) differences when either arm's run fails (w.p. FAIL_P) and drops FAIL_DROP."""
    fail_a = rng.random((reps, n)) < FAIL_P
    fail_b = rng.random((reps, n)) < FAIL_P
    return normal_diffs(rng, reps, n, effect) - FAIL_DROP * fail_a + FAIL_DROP * fail_b


Draw = Callable[[np.random.Generator, int, int, float], np.ndarray]


def _scenarios() -> list[tuple[str, Draw, float]]:
    return ([("null_normal", normal_diffs, 0.0), ("null_bimodal", bimodal_diffs, 0.0),
             ("margin", normal_diffs, MARGIN)]
            + [(f"effect_{e:g}", normal_diffs, e) for e in EFFECTS])


def _row(rule: str, design: str, pairs: Any, scenario: str) -> dict[str, Any]:
    return {"rule": rule, "design": design, "pairs": pairs, "scenario": scenario,
            "false_winner_normal": None, "false_winner_bimodal": None,
            "false_equivalence": None, "power": {}, "avg_pairs": None}


def _fill(row: dict[str, Any], name: str, codes: np.ndarray, used: np.ndarray | None) -> None:
    winner = (codes == _A) | (codes == _B)
    if name == "null_normal":
        row["false_winner_normal"] = _rate(winner)
    elif name == "null_bimodal":
        row["false_winner_bimodal"] = _rate(winner)
    elif name == "margin":
        row["false_equivalence"] = _rate(codes == _EQ)
    else:
        row["power"][name.removeprefix("effect_")] = _rate(codes == _A)
    if used is not None:
        row["avg_pairs"] = {**(row["avg_pairs"] or {}), name: float(used.mean())}


def _stream(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


# -- rules ---------------------------------------------------------------------------------


def _paired_rows(reps: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for n in FIXED_PAIRS:
        row = _row("paired", f"fixed, {n} pairs", n, POINTS)
        for i, (name, draw, effect) in enumerate(_scenarios()):
            codes = paired_tests(draw(_stream(seed, 1, n, i), reps, n, effect), MARGIN,
                                 ALPHA).codes
            _fill(row, name, codes, None)
        rows.append(row)
    return rows


def _sequential_rows(reps: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for m in SEQUENTIAL_MAX:
        row = _row("sequential", f"--seeds auto, 3..{m} pairs", f"3..{m}", POINTS)
        for i, (name, draw, effect) in enumerate(_scenarios()):
            codes, used = sequential_codes(draw(_stream(seed, 2, m, i), reps, m, effect),
                                           MARGIN, m, ALPHA)
            _fill(row, name, codes, used)
        rows.append(row)
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


def _success_rows(reps: int, seed: int) -> list[dict[str, Any]]:
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


def _holm_rows(reps: int, seed: int) -> list[dict[str, Any]]:
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


def _ratio_rows(reps: int, seed: int) -> list[dict[str, Any]]:
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


def simulated_table(reps: int = DEFAULT_REPS, seed: int = 0) -> list[dict[str, Any]]:
    """Every rule's simulated error rates and power, one row per rule and design (module doc).

    Row keys: rule (the id verdicts carry), design, pairs, scenario, false_winner_normal,
    false_winner_bimodal, false_equivalence (each {"rate", "mc": [lo, hi]} or None when the
    rule has no such error), power ({"1": ..., "2": ..., "5": ...} for the small, medium and
    large alternative) and avg_pairs (sequential rules: mean pairs used per scenario).
    """
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise GatebenchError(f"reps must be a positive whole number, got {reps!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GatebenchError(f"seed must be a non-negative whole number, got {seed!r}")
    return (_paired_rows(reps, seed) + _sequential_rows(reps, seed) + _success_rows(reps, seed)
            + _holm_rows(reps, seed) + _ratio_rows(reps, seed))


@cache
def fixed_pairs_needed(effect: float = DESIGN_EFFECT, power: float = 0.8, reps: int = 20_000,
                       seed: int = 0, most: int = 60) -> int:
    """Fewest pairs for which the fixed paired rule finds `effect` (normal noise) with `power`."""
    for n in range(3, most + 1):
        codes = paired_tests(normal_diffs(_stream(seed, 6, n), reps, n, effect), MARGIN,
                             ALPHA).codes
        if np.mean(codes == _A) >= power:
            return n
    raise ValueError(f"more than {most} pairs needed for {effect:g} points")


def t_test_pairs_needed(effect: float = DESIGN_EFFECT, power: float = 0.8) -> int:
    """Fewest pairs for which a two-sided paired t-test at ALPHA has `power` (textbook formula)."""
    for n in range(3, 1000):
        df, shift = n - 1, effect / NOISE_SD * math.sqrt(n)
        crit = sps.t.isf(ALPHA / 2, df)
        if sps.nct.sf(crit, df, shift) + sps.nct.cdf(-crit, df, shift) >= power:
            return n
    raise ValueError(f"more than 1000 pairs needed for {effect:g} points")


def sequential_efficiency(reps: int = 20_000, seed: int = 0, max_pairs: int = 20) -> dict:
    """The sequential rule against the fixed design sized for DESIGN_EFFECT at 80% power.

    Two fixed designs: gatebench's own fixed rule (`--seeds N`), whose size n_fixed is found
    by simulating it (20,000 studies per size; the sign-flip check from 6 pairs costs a
    little power: 11 pairs at 2 points, SD 2), and the textbook paired t-test, n_fixed_t
    (10 pairs). Returns both, the sequential rule's power at DESIGN_EFFECT, its average pairs
    under the null and at each alternative, and those as shares of each fixed design; "mean"
    is the average over the null and DESIGN_EFFECT, the two cases the design is for.
    """
    fixed = {"gatebench": fixed_pairs_needed(seed=seed), "t_test": t_test_pairs_needed()}
    out: dict[str, Any] = {"design_effect": DESIGN_EFFECT, "noise_sd": NOISE_SD,
                           "margin": MARGIN, "reps": reps, "n_fixed": fixed["gatebench"],
                           "n_fixed_t": fixed["t_test"], "max_pairs": max_pairs,
                           "avg_pairs": {}, "share_of_fixed": {}, "share_of_fixed_t": {}}
    for i, effect in enumerate((0.0, *EFFECTS)):
        draw = normal_diffs(_stream(seed, 7, i), reps, max_pairs, effect)
        codes, used = sequential_codes(draw, MARGIN, max_pairs, ALPHA)
        out["avg_pairs"][f"{effect:g}"] = float(used.mean())
        if effect == DESIGN_EFFECT:
            out["power_at_design_effect"] = _rate(codes == _A)
    avg = out["avg_pairs"]
    avg["mean"] = (avg["0"] + avg[f"{DESIGN_EFFECT:g}"]) / 2
    for key, n in (("share_of_fixed", fixed["gatebench"]), ("share_of_fixed_t", fixed["t_test"])):
        out[key] = {k: v / n for k, v in avg.items()}
    return out


def calibration_report(reps: int = DEFAULT_REPS, seed: int = 0) -> dict[str, Any]:
    """The simulated table, the sequential rule's efficiency and the settings behind them."""
    rows = simulated_table(reps, seed)
    return {
        "reps": reps,
        "seed": seed,
        "settings": {"alpha": ALPHA, "noise_sd": NOISE_SD, "margin": MARGIN,
                     "effects": list(EFFECTS), "fail_p": FAIL_P, "fail_drop": FAIL_DROP},
        "rows": rows,
        "efficiency": sequential_efficiency(max(reps, EFFICIENCY_REPS), seed,
                                            max(SEQUENTIAL_MAX)),
    }


def _pct(rate: dict[str, Any] | None, interval: str | None = " ") -> str:
    """"4.8% (3.2–7.0)" with `interval` before the bracket; no bracket when interval is None."""
    if rate is None:
        return "\u2013"
    text = f"{100 * rate['rate']:.1f}%"
    if interval is None:
        return text
    lo, hi = (100 * x for x in rate["mc"])
    return f"{text}{interval}({lo:.1f}\u2013{hi:.1f})"


def table_cells(row: dict[str, Any], interval: str = " ") -> list[str]:
    """A row's figures as display strings, in the order of TABLE_COLUMNS."""
    power = " / ".join(_pct(row["power"].get(f"{e:g}"), None) for e in EFFECTS)
    avg = row["avg_pairs"]
    pairs = ("\u2013" if avg is None else " / ".join(
        f"{avg[k]:.1f}" for k in ("null_normal", *(f"effect_{e:g}" for e in EFFECTS))))
    return [row["rule"], row["design"], _pct(row["false_winner_normal"], interval),
            _pct(row["false_winner_bimodal"], interval), _pct(row["false_equivalence"], interval),
            power, pairs]


TABLE_COLUMNS = ("rule", "design", "false winners, normal null", "false winners, bimodal null",
                 "false equivalence", "power small / medium / large",
                 "average pairs: null / small / medium / large")


def notes(report: dict[str, Any]) -> list[str]:
    """How to read the table: the scenarios, each rule's units, and the sequential efficiency."""
    s, eff = report["settings"], report["efficiency"]
    share = eff["share_of_fixed"]
    units = {r["rule"]: r["scenario"] for r in report["rows"]}
    return [
        f"{report['reps']:,} simulated studies per cell (seed {report['seed']}); in brackets "
        "the 95% Monte Carlo interval. Normal null: per-pair differences with SD "
        f"{s['noise_sd']:g} points and no true difference. Bimodal null: each arm's run fails "
        f"with probability {s['fail_p']:g} and then scores {s['fail_drop']:g} points lower. "
        f"False equivalence: the true difference is the margin (\u00b1{s['margin']:g} "
        "points). Power: the share of studies that name the truly better arm, for a small / "
        "medium / large difference: " + "; ".join(f"{rule}: {text}" for rule, text in
                                                  units.items()) + ".",
        f"Adaptive seeds (`--seeds auto --max-seeds {eff['max_pairs']}`): the fixed design "
        f"for 80% power at {eff['design_effect']:g} points needs {eff['n_fixed']} pairs with "
        f"gatebench's fixed rule ({eff['n_fixed_t']} with a plain t-test). The sequential rule "
        f"is calibrated for 80% power there ({_pct(eff['power_at_design_effect'])} in this "
        "simulation) and uses on average "
        f"{share['0']:.1%} of those {eff['n_fixed']} pairs when there is no difference, "
        f"{share['2']:.1%} at 2 points and {share['5']:.1%} at 5 points: "
        f"{share['mean']:.1%} over no difference and 2 points together "
        f"({eff['share_of_fixed_t']['mean']:.1%} of the plain t-test's {eff['n_fixed_t']}; "
        f"{eff['reps']:,} simulated studies each).",
    ]


def markdown_table(report: dict[str, Any]) -> str:
    """The README's calibration section body: the table, then how to read it."""
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    lines += ["| " + " | ".join(table_cells(r)) + " |" for r in report["rows"]]
    return "\n".join(lines) + "\n\n" + "\n\n".join(notes(report))
