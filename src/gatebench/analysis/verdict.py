"""The compare verdict: "<A> better", "<B> better", equivalent, inconclusive, uninformative.

The decision itself is `rules.paired_rule` (fixed number of seeds) or
`sequential.sequential_decide` (`--seeds auto`); this module words it for people.
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
from dataclasses import dataclass

import numpy as np

from gatebench.analysis import rules
from gatebench.analysis.documents import VerdictDoc
from gatebench.analysis.sequential import MAX_PAIRS_LIMIT, required_pairs, sequential_decide
from gatebench.protocol.arms import DEFAULT_CELLS

EQUIVALENT = "equivalent within margin"
INCONCLUSIVE = "inconclusive"
UNINFORMATIVE = "uninformative"
SEEDS_WHEN_UNKNOWN = 3  # with fewer than 2 pairs there is no spread to size a study from


def better_label(cell: str) -> str:
    """The verdict label naming `cell` the winner, e.g. "GRU better"."""
    return f"{cell.upper()} better"


# The labels of a default study (DEFAULT_CELLS); other cells name themselves the same way.
VERDICTS = (*map(better_label, DEFAULT_CELLS), EQUIVALENT, INCONCLUSIVE, UNINFORMATIVE)

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


def _num(x: float, digits: int = 1) -> str:
    return f"{x:+.{digits}f}".replace("-", "\u2212")


def _describe(mean: float, lo: float | None, hi: float | None, n: int, level: float | None,
              unit: str, a: str, b: str, stat: str = "") -> str:
    seeds = f"{n} seed" if n == 1 else f"{n} seeds"
    pct = unit.startswith("%")
    # "GRU has +3.1% lower error than LSTM" / "GRU − LSTM = +2.5 points"; `stat` ("median ")
    # names the estimand when it is not the mean
    head = (f"{a} has {stat}{_num(mean)}{unit} than {b}" if pct
            else f"{stat}{a} \u2212 {b} = {_num(mean)} {unit}")
    if lo is None or hi is None or level is None:
        return f"{head} (no interval from {seeds})"
    digits = 1
    while _num(lo, digits) == _num(hi, digits) and digits < 4:  # never show a zero width
        digits += 1
    lo_text, hi_text = _num(lo, digits), _num(hi, digits)
    ci = f"{lo_text}% to {hi_text}%" if pct else f"{lo_text} to {hi_text}"
    return f"{head} ({level * 100:.3g}% CI {ci}, {seeds})"



def outcome_label(outcome: str, cell_a: str, cell_b: str) -> str:
    """The one map from a rule's outcome to the verdict vocabulary: "GRU better", ..."""
    return {rules.A_BETTER: better_label(cell_a), rules.B_BETTER: better_label(cell_b),
            rules.EQUIVALENT: EQUIVALENT, rules.UNINFORMATIVE: UNINFORMATIVE}.get(
                outcome, INCONCLUSIVE)


def decide(
    diffs: Sequence[float] | np.ndarray,
    margin: float,
    level: float = 0.95,
    cell_a: str = DEFAULT_CELLS[0],
    cell_b: str = DEFAULT_CELLS[1],
    unit: str = POINTS,
    *,
    design: str = "fixed",
    max_pairs: int = 10,
    min_pairs: int = 3,
    suggest_seeds: bool = True,
) -> VerdictDoc:
    """Verdict on per-pair improvements of A over B (positive = A better) against ±margin.

    design="fixed" applies `rules.paired_rule` (paired t-test at α = 1 − level, from 6 pairs
    with an exact sign-flip test; TOST at α, i.e. a 90% interval inside ±margin for
    "equivalent within margin"); design="sequential" applies the `--seeds auto` rule
    `sequential_decide` and adds "final" (stop adding pairs). Identical differences in every
    pair give "uninformative" and no interval. An inconclusive fixed verdict suggests more
    pairs from `required_pairs` (power-based, with an upper bound of the SD), or none when
    that is out of reach; suggest_seeds=False leaves that out of both the key and the text
    (for when more seeds would not help, e.g. the runs are under-trained). Non-finite
    differences are ignored. Returns a JSON-able dict:
    label, text, mean, ci, n, margin, suggested_seeds, level (of `ci`), unit, outcome,
    method, p_value, p_equivalence, reason, rule.
    """
    alpha = 1.0 - level
    arr = np.asarray(diffs, dtype=float).ravel()
    arr = arr[np.isfinite(arr)]
    if design == "fixed":
        d = rules.paired_rule(arr, margin, alpha)
    elif design == "sequential":
        d = sequential_decide(arr, margin=margin, max_pairs=max_pairs, alpha=alpha,
                              min_pairs=min_pairs)
    else:
        raise ValueError(f"design must be 'fixed' or 'sequential', got {design!r}")
    needed = None
    if d.outcome == rules.INCONCLUSIVE and d.final and suggest_seeds and design == "fixed" \
            and d.n >= 2:
        needed = required_pairs(arr, margin, alpha)
    suggested = _suggested(d, needed, design, suggest_seeds)
    wording = _Wording(cell_a, cell_b, unit, margin, design, max_pairs, suggest_seeds)
    out = {
        "label": outcome_label(d.outcome, cell_a, cell_b),
        "text": wording.text(d, arr, suggested, needed),
        "mean": d.estimate, "ci": list(d.ci), "n": d.n, "margin": float(margin),
        "suggested_seeds": suggested, "level": d.level, "unit": unit, "outcome": d.outcome,
        "method": d.method, "p_value": d.p_value, "p_equivalence": d.p_equivalence,
        "reason": d.reason, "rule": d.rule, "estimand": d.estimand, "bound": d.bound,
    }
    if design == "sequential":
        out["final"] = d.final
    return out


def _suggested(d: rules.Decision, needed: int | None, design: str,
               suggest_seeds: bool) -> int | None:
    """More pairs an inconclusive fixed study should run (None: none would help or asked)."""
    if not (d.outcome == rules.INCONCLUSIVE and d.final and suggest_seeds and design == "fixed"):
        return None
    if d.n < 2:
        return SEEDS_WHEN_UNKNOWN
    return needed - d.n if needed is not None and needed > d.n else None


@dataclass(frozen=True)
class _Wording:
    """How a decision reads to people: deciding is `decide`'s, these are only words."""

    cell_a: str
    cell_b: str
    unit: str
    margin: float
    design: str
    max_pairs: int
    suggest_seeds: bool

    @property
    def margin_text(self) -> str:
        sep = "" if self.unit.startswith("%") else " "  # "±1.0 points", "±1.0% lower error"
        return f"\u00b1{self.margin:.1f}{sep}{self.unit}"

    def verb(self, outcome: str) -> str:
        a, b = self.cell_a.upper(), self.cell_b.upper()
        return {rules.A_BETTER: f"{a} is better than {b}",
                rules.B_BETTER: f"{b} is better than {a}",
                rules.EQUIVALENT: f"{a} and {b} are equivalent within {self.margin_text}",
                rules.UNINFORMATIVE: f"Uninformative between {a} and {b}"}.get(
                    outcome, f"Inconclusive between {a} and {b}")

    def text(self, d: rules.Decision, arr: np.ndarray, suggested: int | None,
             needed: int | None) -> str:
        verb = self.verb(d.outcome)
        if d.n == 0:
            return f"{verb}: no complete pairs yet" + (
                f"; run {suggested} seeds." if suggested else ".")
        if d.outcome == rules.UNINFORMATIVE:
            return f"{verb}: {d.reason}."
        sequential = self.design == "sequential"  # its estimand is the median
        lo, hi = d.ci
        stat = float(d.estimate if sequential else arr.mean())
        text = f"{verb}: " + _describe(stat, lo, hi, d.n, d.level, self.unit,
                                       self.cell_a.upper(), self.cell_b.upper(),
                                       "median " if sequential else "")
        return text + self._tail(d, lo, hi, needed)

    def _tail(self, d: rules.Decision, lo: float | None, hi: float | None,
              needed: int | None) -> str:
        inconclusive = d.outcome == rules.INCONCLUSIVE
        if d.outcome in rules.WINNERS and lo is not None and hi is not None \
                and -self.margin <= lo and hi <= self.margin:
            return f", a real difference but within {self.margin_text}."
        if inconclusive and lo is not None and hi is not None and (lo > 0 or hi < 0):
            return f"; {d.reason}."
        if inconclusive and self.design == "sequential":
            return f"; {d.reason}" + ("." if d.final else f" (up to {self.max_pairs}).")
        if inconclusive and d.n >= 2 and self.suggest_seeds:
            return _more_seeds_text(needed, d.n, self.design, self.max_pairs, self.margin_text)
        return "."


def _more_seeds_text(needed: int | None, n: int, design: str, max_pairs: int,
                     margin_text: str) -> str:
    head = f"; reached max seeds ({max_pairs})" if design == "sequential" else ""
    if needed is None:
        return f"{head}; at this spread even {MAX_PAIRS_LIMIT} seeds would likely not settle it."
    if needed <= n:
        return (f"{head}; enough seeds to settle a {margin_text} difference: the difference "
                f"may be real but smaller than {margin_text}.")
    more = needed - n
    seeds = "1 more seed" if more == 1 else f"{more} more seeds"
    then = "; raise --max-seeds" if design == "sequential" else ", or use --seeds auto"
    return (f"{head}; about {seeds} would give 80% power to settle it against {margin_text} "
            f"(planned for a larger spread than seen){then}.")
