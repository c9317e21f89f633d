"""The claim verdict vocabulary, the result every decider returns, and the rules they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict

from gatebench.analysis.combine import (  # the verdict words and tests deciders share
    AGAINST,
    BETTER,
    FOR,
    UNDECIDED,
    Combined,
    CombinedDoc,
    TaskTest,
    verdict_of,
)
from gatebench.analysis.combine import CLAIM_VERDICTS as CLAIM_VERDICTS
from gatebench.analysis.combine import INCONCLUSIVE as INCONCLUSIVE
from gatebench.analysis.combine import MATCHES as MATCHES
from gatebench.analysis.combine import REFUTED as REFUTED
from gatebench.analysis.combine import SUPPORTED as SUPPORTED
from gatebench.analysis.combine import better_test as better_test
from gatebench.analysis.combine import combine as combine_tests
from gatebench.analysis.combine import matches_test as matches_test
from gatebench.analysis.rules import MIXED as MIXED
from gatebench.analysis.rules import UNINFORMATIVE, Decision
from gatebench.claims.catalogue import Claim
from gatebench.numbers import finite, jsonable

NOT_RUN = "not run"

# Speed ratios GRU/LSTM: "GRU 20-30% faster" puts the ratio at 0.70-0.80; a whole CI at or
# below 0.85 says GRU is at least ~15% faster, a whole CI at or above 0.90 says it is not
# meaningfully faster (or is slower). The gap between them is the zone of too little evidence.
SUPPORT_RATIO = 0.85
REFUTE_RATIO = 0.90

# What a claim left out, by reason: a count, the study ids (or notes), or a count per cell
# (read only: each decider builds its own dict).
Exclusions = Mapping[str, int | list[str] | dict[str, int]]


class Effect(TypedDict):
    """A headline effect as JSON: what is measured, its value, its CI [lo, hi] and unit."""

    what: str
    value: float | None
    ci: list[float | None]
    unit: str


class EvidenceRow(TypedDict, total=False):
    """One evidence row as JSON: label, what, value, ci and n always, task, device, runtime and
    detail always present (None if n/a); the rest where the claim records them."""

    label: Required[str]
    what: Required[str]
    value: Required[float | None]
    ci: Required[list[float | None]]
    n: Required[int]
    task: Required[str | None]
    device: Required[str | None]
    runtime: Required[str | None]
    detail: Required[dict[str, Any] | None]  # free-form, per claim
    unit: str
    level: str  # config, group, task, gap, length, probe, finding, ...
    group: str
    verdict: str  # a group's own verdict
    counts_as: str  # how a task or configuration reads for the claim
    outcome: str  # a rules Decision's outcome (a_better, b_better, equivalent, ...)
    seq_len: float
    batch: int
    hidden: int
    impl: str  # native or neutral layers
    sizing: str
    regime: str
    mode: str
    config_key: str
    data_fraction: float
    n_train: int
    pairing: str
    top_factor: str
    top_share: float
    cell_share: float


class ClaimJSON(TypedDict, total=False):
    """A decided claim as claims.json holds it (`ClaimResult.to_dict`); an advisor reading a
    file may find only id and verdict."""

    id: Required[str]
    verdict: Required[str]
    statement: str
    reason: str
    effect: Effect
    depends_on: str | None
    evidence: list[EvidenceRow]
    excluded: Exclusions  # why records were left out, per claim
    would_change: str
    combined: CombinedDoc | None


def effect(what: str, value: Any = None, ci: Sequence[Any] = (None, None), unit: str = ""
           ) -> Effect:
    """A headline effect: what is measured, its value, its CI [lo, hi] and unit."""
    return {"what": what, "value": finite(value), "ci": [finite(c) for c in ci], "unit": unit}


def row(label: str, what: str, value: Any, ci: Sequence[Any] = (None, None), n: int = 0,
        **extra: Any) -> EvidenceRow:
    """One evidence row; task, device, runtime and detail are always present (None if n/a)."""
    base: EvidenceRow = {"label": label, "what": what, "value": finite(value),
                         "ci": [finite(c) for c in ci], "n": int(n), "task": None,
                         "device": None, "runtime": None, "detail": None}
    return {**base, **extra}  # type: ignore[typeddict-item]  # extras per claim


@dataclass
class ClaimResult:
    """A claim's computed verdict with its reason, headline effect and the evidence behind it."""

    id: str
    statement: str
    verdict: str
    reason: str
    effect: Effect
    depends_on: str | None = None
    evidence: list[EvidenceRow] = field(default_factory=list)
    excluded: Exclusions = field(default_factory=dict)
    would_change: str = ""  # what result would turn this verdict into another one
    combined: Combined | None = None  # how its tasks combined (None: not decided by tasks)

    def __post_init__(self) -> None:
        if self.verdict not in CLAIM_VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {CLAIM_VERDICTS}")

    def to_dict(self) -> ClaimJSON:
        """JSON-able dict (non-finite numbers become None, so allow_nan=False holds)."""
        return jsonable({
            "id": self.id, "statement": self.statement, "verdict": self.verdict,
            "reason": self.reason, "effect": self.effect, "depends_on": self.depends_on,
            "evidence": self.evidence, "excluded": self.excluded,
            "would_change": self.would_change,
            "combined": self.combined.to_dict() if self.combined else None,
        })


def not_run(claim: Claim, what: str, unit: str = "", would_change: str = "",
            evidence: list[EvidenceRow] | None = None,
            excluded: Exclusions | None = None) -> ClaimResult:
    """The result of a claim whose experiment left no usable records (with the rows and
    exclusions it did find)."""
    return ClaimResult(claim.id, claim.statement, INCONCLUSIVE, NOT_RUN, effect(what, unit=unit),
                       evidence=list(evidence or []), excluded=dict(excluded or {}),
                       would_change=would_change or f"running its experiments (gatebench suite "
                                                    f"--claims {claim.id})")


def decision_effect(what: str, d: Decision, unit: str = "") -> Effect:
    """A headline effect from a rules Decision (no interval where the rule gives none)."""
    return effect(what, d.estimate, d.ci, unit)


def decision_row(label: str, what: str, d: Decision, unit: str = "", **extra: Any
                 ) -> EvidenceRow:
    """An evidence row carrying a rules Decision: estimate, interval, outcome, p and method."""
    return row(label, what, d.estimate, d.ci, d.n, unit=unit, outcome=d.outcome,
               p_value=d.p_value, method=d.method, rule_reason=d.reason, **extra)


READING_VERDICT = {FOR: SUPPORTED, AGAINST: REFUTED, UNDECIDED: INCONCLUSIVE,
                   UNINFORMATIVE: UNINFORMATIVE}


def decide_tasks(tests: dict[str, TaskTest], kind: str = BETTER, noun: str = "task"
                 ) -> Combined:
    """The one combining rule (analysis.combine) over a claim's per-task tests."""
    return combine_tests(tests, kind, noun=noun)


def counts_as(combined: Combined) -> dict[str, str]:
    """Per task, its reading as a claim verdict word (for: supported, against: refuted,
    undecided: inconclusive, or uninformative)."""
    return {k: READING_VERDICT[t.reading] for k, t in combined.tasks.items()}


def mark_rows(rows: list[EvidenceRow], combined: Combined,
              name_of: Callable[[EvidenceRow], Any]) -> None:
    """Give each row that `name_of` maps to a combined task its reading (counts_as), adjusted
    p-values and, for an uninformative task, why (rows mapped to None are left alone)."""
    verdicts = counts_as(combined)
    for r in rows:
        name = name_of(r)
        if name in combined.tasks:
            t = combined.tasks[name]
            r.update(counts_as=verdicts[name], p_for_holm=t.p_for_adjusted,
                     p_against_holm=t.p_against_adjusted,
                     **({"uninformative": t.why} if t.why else {}))


def at_level(level: str, key: str = "task") -> Callable[[EvidenceRow], Any]:
    """A `mark_rows` selector: rows at `level` named by their `key`."""
    return lambda r: r.get(key) if r.get("level") == level else None


def readings_text(combined: Combined, describe: dict[str, str]) -> str:
    """"a: for (…; adjusted p = 0.01); b: uninformative (why)": each task's reading."""
    parts = []
    for name, t in combined.tasks.items():
        if t.reading == UNINFORMATIVE:
            parts.append(f"{name}: uninformative ({t.why})")
            continue
        q = t.p_for_adjusted if t.reading == FOR else t.p_against_adjusted \
            if t.reading == AGAINST else min(_p1(t.p_for_adjusted), _p1(t.p_against_adjusted))
        parts.append(f"{name}: {t.reading} ({describe.get(name, '')}; adjusted p = "
                     f"{_p1(q):.3g})".replace("(; ", "("))
    return "; ".join(parts)


def _p1(x: float | None) -> float:
    return 1.0 if x is None else float(x)


def from_readings(verdicts: Iterable[str]) -> str:
    """Already-read rows (supported / refuted / other) -> one verdict by the combining rule
    for "A better": some for and none against -> supported, and so on."""
    votes = list(verdicts)
    informative = sum(v != UNINFORMATIVE for v in votes)
    return verdict_of(BETTER, votes.count(SUPPORTED), votes.count(REFUTED), informative)


def headline_task(verdicts: dict[str, str], verdict: str, key: Callable[[str], Any]) -> str:
    """The task whose number heads a claim: among the tasks whose own verdict is the claim's
    (the ones that decided it), else among all, the one with the largest `key`. A refuted
    claim is then never headed by an undecided task's interval around 0."""
    deciding = [t for t, v in verdicts.items() if v == verdict]
    return max(deciding or list(verdicts), key=key)


def task_claim_result(claim: Claim, combined: Combined, reason: str,
                      headline: Effect, rows: list[EvidenceRow],
                      excluded: Exclusions, would_change: dict[str, str]) -> ClaimResult:
    """A claim decided across tasks by the combining rule: the reason leads with the tally
    ("k of N tasks informative, j for, i against"), mixed verdicts depend on the task, and
    `would_change` gives, per verdict, what result would turn it into another."""
    verdict = combined.verdict
    return ClaimResult(claim.id, claim.statement, verdict, f"{combined.tally()}. {reason}",
                       headline, depends_on="the task" if verdict == MIXED else None,
                       evidence=rows, excluded=excluded, would_change=would_change[verdict],
                       combined=combined)


def ratio_verdict(ci: Sequence[Any], support: float = SUPPORT_RATIO,
                  refute: float = REFUTE_RATIO) -> str:
    """GRU/LSTM time ratio CI -> supported (hi <= support), refuted (lo >= refute), else not."""
    lo, hi = finite(ci[0]), finite(ci[1])
    if hi is not None and hi <= support:
        return SUPPORTED
    if lo is not None and lo >= refute:
        return REFUTED
    return INCONCLUSIVE


def split_by(groups: dict[tuple[str, ...], str], names: Sequence[str]) -> str | None:
    """Which key dimensions separate supported groups from refuted ones (None: no conflict).

    A dimension explains the split when, looking at the decided groups only, each of its values
    carries a single verdict; `names` labels the key's dimensions in order.
    """
    decided = {k: v for k, v in groups.items() if v in (SUPPORTED, REFUTED)}
    if len(set(decided.values())) < 2:
        return None
    explaining = [
        name for i, name in enumerate(names)
        if all(len({v for k, v in decided.items() if k[i] == value}) == 1
               for value in {k[i] for k in decided})
    ]
    return " or ".join(explaining) if explaining else " and ".join(names)


def plural(n: int, word: str, words: str | None = None) -> str:
    """"1 task", "3 tasks" ("1 study", "2 studies" with `words`)."""
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def fmt_ratio(value: Any, ci: Sequence[Any]) -> str:
    """0.93× [0.88, 0.98] (a dash where a number is missing)."""
    return f"{_f(value, 2)}\u00d7 [{_f(ci[0], 2)}, {_f(ci[1], 2)}]"


def fmt_diff(value: Any, ci: Sequence[Any], unit: str = "") -> str:
    """+1.2 [−0.3, +2.7] points (signed, a dash where a number is missing)."""
    text = f"{_f(value, 2, True)} [{_f(ci[0], 2, True)}, {_f(ci[1], 2, True)}]"
    return f"{text} {unit}".rstrip()


def _f(x: Any, digits: int, signed: bool = False) -> str:
    value = finite(x)
    if value is None:
        return "\u2013"
    return (f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}").replace("-", "\u2212")
