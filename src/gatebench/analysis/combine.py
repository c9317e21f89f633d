"""The one rule that combines a claim's tasks into its verdict (numpy only, no torch).

Every claim is one of two forms, each read from per-task tests after Holm's correction:

- "A better" (A faster, A overfits less, ...): a task is *for* when its test of "A better"
  survives Holm across the informative tasks, *against* when its test of "A not better" (B
  significantly better, or equivalent within the margin) survives Holm. Supported when at
  least one task is for and none against; refuted when at least one is against and none for;
  mixed when both; inconclusive otherwise. An unadjusted equivalence refutes nothing.
- "A matches B": a task is *for* when it is equivalent within the margin (TOST, unadjusted:
  the claim needs every task to pass, an intersection-union test), *against* when a
  difference survives Holm. Supported only when every informative task is for; refuted by a
  significant difference; inconclusive otherwise (one equivalent task beside undecided ones
  is not support).

A task is *uninformative* when it carries no signal (both arms fail or saturate) or a health
check says its trials did not train; it leaves the count of informative tasks and takes no
part in Holm. Every result carries the tally "k of N tasks informative, j for, i against".

`combine_codes` is the same rule, vectorised over simulated studies, for the error-rate
tables of `gatebench calibrate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypedDict, cast

import numpy as np

from gatebench.analysis.rules import (
    _A,
    _B,
    _EQ,
    _INC,
    _UNI,
    A_BETTER,
    MIXED,
    OUTCOMES,
    UNINFORMATIVE,
    Decision,
    holm,
    paired_tests,
)

SUPPORTED = "supported"
REFUTED = "refuted"
INCONCLUSIVE = "inconclusive"
CLAIM_VERDICTS = (SUPPORTED, REFUTED, MIXED, INCONCLUSIVE)

BETTER = "better"  # "A better / faster / overfits less"
MATCHES = "matches"  # "A matches B"
KINDS = (BETTER, MATCHES)

FOR, AGAINST, UNDECIDED = "for", "against", "undecided"
ALPHA = 0.05


@dataclass(frozen=True)
class TaskTest:
    """One task's evidence for a claim: the p-values of its test for and against the claim,
    or why it is uninformative (then the p-values are ignored)."""

    p_for: float | None
    p_against: float | None
    uninformative: str | None = None

    @classmethod
    def silent(cls, why: str) -> TaskTest:
        """An uninformative task, with the reason."""
        return cls(None, None, why)


class TaskReadingDoc(TypedDict):
    """A `TaskReading` as JSON (`dataclasses.asdict`)."""

    reading: str
    p_for: float | None
    p_against: float | None
    p_for_adjusted: float | None
    p_against_adjusted: float | None
    why: str | None


class CombinedDoc(TypedDict):
    """`Combined.to_dict()`: how the tasks combined into a claim's verdict."""

    kind: str
    verdict: str
    alpha: float
    counts: dict[str, int]  # tasks, informative, for, against
    tally: str
    tasks: dict[str, TaskReadingDoc]


@dataclass(frozen=True)
class TaskReading:
    """One task read as evidence: for, against, undecided or uninformative, with its p-values
    before and after Holm."""

    reading: str
    p_for: float | None
    p_against: float | None
    p_for_adjusted: float | None
    p_against_adjusted: float | None
    why: str | None = None


@dataclass(frozen=True)
class Combined:
    """A claim's verdict from its tasks' readings (module docstring), with the tally."""

    kind: str
    verdict: str
    tasks: dict[str, TaskReading]
    noun: str = "task"
    alpha: float = ALPHA

    def named(self, reading: str) -> list[str]:
        """The tasks read as `reading`, in order."""
        return [k for k, t in self.tasks.items() if t.reading == reading]

    @property
    def counts(self) -> dict[str, int]:
        """N tasks, k informative, j for, i against."""
        informative = sum(t.reading != UNINFORMATIVE for t in self.tasks.values())
        return {"tasks": len(self.tasks), "informative": informative,
                "for": len(self.named(FOR)), "against": len(self.named(AGAINST))}

    def tally(self) -> str:
        """"k of N tasks informative, j for, i against"."""
        c = self.counts
        nouns = self.noun if c["tasks"] == 1 else f"{self.noun}s"
        return (f"{c['informative']} of {c['tasks']} {nouns} informative, {c['for']} for, "
                f"{c['against']} against")

    def to_dict(self) -> CombinedDoc:
        """JSON-able dict: kind, verdict, counts, tally and each task's reading."""
        return {"kind": self.kind, "verdict": self.verdict, "alpha": self.alpha,
                "counts": self.counts, "tally": self.tally(),
                "tasks": {k: cast("TaskReadingDoc", asdict(t)) for k, t in self.tasks.items()}}


def _p(value: float | None) -> float:
    return 1.0 if value is None else float(value)


def _reading(kind: str, q_for: float, q_against: float, alpha: float) -> str:
    # a real difference inside the margin still matches, and a significant lead that the
    # equivalence test also bounds is still a lead: "for" wins a tie
    if q_for < alpha:
        return FOR
    return AGAINST if q_against < alpha else UNDECIDED


def verdict_of(kind: str, n_for: int, n_against: int, informative: int) -> str:
    """The claim's verdict from its tasks' counts (module docstring)."""
    if kind == MATCHES:
        if n_against:
            return REFUTED
        return SUPPORTED if informative and n_for == informative else INCONCLUSIVE
    if n_for and n_against:
        return MIXED
    if n_for:
        return SUPPORTED
    return REFUTED if n_against else INCONCLUSIVE


def combine(tests: Mapping[str, TaskTest], kind: str, *, alpha: float = ALPHA,
            noun: str = "task") -> Combined:
    """The claim's verdict from per-task tests: Holm across the informative tasks (for
    "matches" on the difference tests only), then the rule of the module docstring."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    live = [k for k, t in tests.items() if t.uninformative is None]
    q_against = dict(zip(live, holm([tests[k].p_against for k in live]), strict=True))
    q_for = (dict(zip(live, holm([tests[k].p_for for k in live]), strict=True))
             if kind == BETTER else {k: _p(tests[k].p_for) for k in live})
    readings = {}
    for key, t in tests.items():
        if t.uninformative is not None:
            readings[key] = TaskReading(UNINFORMATIVE, None, None, None, None, t.uninformative)
            continue
        readings[key] = TaskReading(_reading(kind, q_for[key], q_against[key], alpha),
                                    t.p_for, t.p_against, q_for[key], q_against[key])
    n_for = sum(r.reading == FOR for r in readings.values())
    n_against = sum(r.reading == AGAINST for r in readings.values())
    return Combined(kind, verdict_of(kind, n_for, n_against, len(live)), readings, noun, alpha)


# -- per-task tests from the statistics core's Decisions ----------------------------------


def favours_a(d: Decision) -> bool | None:
    """Whether the estimate leans to A (a ratio rule's A/B time ratio below 1, any other
    rule's difference above 0); None without an estimate."""
    if d.estimate is None:
        return None
    return d.estimate < 1.0 if d.rule == "ratio" else d.estimate > 0.0


def better_test(d: Decision, favoured: str = A_BETTER) -> TaskTest:
    """A task's test of "`favoured` arm better": for = the difference test leaning its way;
    against = the difference test leaning the other way, or the equivalence test."""
    if d.outcome == UNINFORMATIVE:
        return TaskTest.silent(d.reason)
    lean_a = favours_a(d)
    lean = None if lean_a is None else (lean_a == (favoured == A_BETTER))
    p_for = d.p_value if lean else None
    p_against = min(_p(d.p_value if lean is False else None), _p(d.p_equivalence))
    return TaskTest(p_for, p_against)


def matches_test(d: Decision) -> TaskTest:
    """A task's test of "the arms match": for = equivalence (TOST), against = a difference."""
    if d.outcome == UNINFORMATIVE:
        return TaskTest.silent(d.reason)
    return TaskTest(d.p_equivalence, d.p_value)


def ratio_threshold_test(ratios: Sequence[float], support: float, refute: float) -> TaskTest:
    """A configuration's test of "A is faster by a stated amount" from per-round A/B time
    ratios: for = the geometric mean significantly below `support`, against = significantly
    above `refute` (the paired tests of the statistics core on the shifted log ratios, two-
    sided, so a task is for exactly when its whole 95% interval lies at or below `support`).

    The t-test on the logs alone: the exact sign-flip test's floor of 2 / 2**n (0.031 at 6
    rounds) times Holm's factor would forbid any finding across 9 configurations below 9
    rounds, and interleaved rounds' log ratios are close to normal (`gatebench calibrate`,
    rule "ratio", measures the t-test's false-winner rate under a skewed timing null)."""
    arr = np.asarray(ratios, dtype=float).ravel()
    logs = np.log(arr[np.isfinite(arr) & (arr > 0)])
    if logs.size < 2:
        return TaskTest.silent(f"{logs.size} round(s): at least 2 are needed to see the spread")
    below = paired_tests((math.log(support) - logs)[None, :], 0.0, exact_flips=False)
    above = paired_tests((logs - math.log(refute))[None, :], 0.0, exact_flips=False)
    if int(below.codes[0]) == _UNI:
        return TaskTest.silent(f"all {logs.size} ratios are equal: no spread, no interval")
    return TaskTest(float(below.p[0]) if below.mean[0] > 0 else None,
                    float(above.p[0]) if above.mean[0] > 0 else None)


# -- the same rule, vectorised for the simulations ------------------------------------------

_MIXED = len(OUTCOMES)
CLAIM_OUTCOMES = (*OUTCOMES, MIXED)


def _after_holm(codes: np.ndarray, p_holm: np.ndarray, p_eq: np.ndarray,
                alpha: float) -> np.ndarray:
    out = np.where(p_eq < alpha, _EQ, _INC)
    keep = ((codes == _A) | (codes == _B)) & (p_holm < alpha)
    out = np.where(keep, codes, out)
    return np.where(codes == _UNI, _UNI, out)


def _claim_codes(task_codes: np.ndarray) -> np.ndarray:
    """Claim outcome per row of a (reps, k) array of tasks' codes after Holm: "A better"
    supported (a task for A, none for B), "B better" likewise, mixed (both), equivalent
    (every informative task equivalent), uninformative (none informative)."""
    a = (task_codes == _A).any(axis=1)
    b = (task_codes == _B).any(axis=1)
    informative = task_codes != _UNI
    all_eq = ((task_codes == _EQ) | ~informative).all(axis=1)
    out = np.full(task_codes.shape[0], _INC)
    out[all_eq] = _EQ
    out[a] = _A
    out[b] = _B
    out[a & b] = _MIXED
    out[~informative.any(axis=1)] = _UNI
    return out


def combine_codes(codes: np.ndarray, p: np.ndarray, p_eq: np.ndarray,
                  alpha: float = ALPHA) -> np.ndarray:
    """Per row of (reps, k) arrays of task codes, difference and TOST p-values: which claim
    the rule supports (index into CLAIM_OUTCOMES: a_better, b_better, equivalent, mixed,
    inconclusive or uninformative). The winners' tests are Holm-adjusted across the row's
    tasks, equivalence is not (intersection-union)."""
    informative = np.asarray(codes) != _UNI
    return _claim_codes(_after_holm(codes, holm_informative(p, informative), p_eq, alpha))


def holm_informative(p: np.ndarray, informative: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values per row, the family being that row's informative tasks only
    (as `combine` does); uninformative tasks get 1."""
    p = np.atleast_2d(np.asarray(p, dtype=float))
    informative = np.atleast_2d(informative)
    masked = np.where(informative, p, np.inf)
    k_row = informative.sum(axis=1, keepdims=True)
    order = np.argsort(masked, axis=1, kind="stable")
    ranked = np.take_along_axis(masked, order, axis=1)
    multiplier = k_row - np.arange(p.shape[1])[None, :]
    ranked = np.where(multiplier > 0, ranked * np.maximum(multiplier, 1), 1.0)
    adjusted = np.minimum(np.maximum.accumulate(ranked, axis=1), 1.0)
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=1)
    return out
