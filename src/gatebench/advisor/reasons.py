"""A claim verdict as a cited reason: which claims bear on the answers and how much, which cell
a verdict favours, the rows that match the user, and how close the evidence is.

Every fact about a claim comes from its catalogue entry (`gatebench.claims.catalogue.Claim`):
the question it answers, its topic, the cell its folklore favours, how its effect is measured,
the facts it reads and whether it is timed. No claim id is special here.

Relevance, by the question a claim answers (a weight of 0 means it is not cited):

| question | weight |
|---|---|
| short sequences | length < 100, or short dependencies: 1 (0.3 when length and range unknown) |
| long dependencies | long dependencies 1; else length >= 400 0.7, >= 100 or unknown 0.3 |
| small training set | training examples < 10,000 1, < 50,000 0.3, unknown 0.3 |
| training time | time budget fast 1, normal .5, none .1, unknown .5; x the claim's cost share |
| latency budget | a latency budget 1, only a runtime 0.5, neither 0.2 |

Direction: a supported claim favours the cell its folklore favours (a parity claim: neither).
A refuted claim favours the other cell only when its effect's CI says the favoured one is worse
(a ratio wholly above 1, a difference wholly below 0); otherwise it means "no advantage". A
refuted parity claim favours whichever cell its difference wholly points to, else nothing.
Inconclusive, or mixed with nothing matching the user's situation, decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gatebench.advisor.advice import GRU, LSTM, NEITHER, UNCLEAR, Reason
from gatebench.advisor.answers import LONG_RANGE, SHORT_RANGE, Answers
from gatebench.advisor.closeness import assess, device_kind
from gatebench.advisor.evidence import EvidenceSource, catalogued
from gatebench.advisor.rows import Match, Row, match, seq_len_of, slowest_p50
from gatebench.claims import catalogue as cat
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimJSON,
    Effect,
)
from gatebench.claims.catalogue import Claim
from gatebench.numbers import finite

SHORT_LEN, LONG_LEN = 100, 400  # the folklore's "< 100 tokens"; "very long" starts well above it
SMALL_DATA, MEDIUM_DATA = 10_000, 50_000
TIME_WEIGHT = {"fast": 1.0, "normal": 0.5, "none": 0.1, None: 0.5}
MATTERS = {"fast": "a lot", "normal": "somewhat", "none": "little"}
# A mixed claim resolved by the rows matching the user speaks less directly than a claim
# whose evidence agrees throughout.
RESOLVED_SHARE = 0.7
# Both cells ten times inside the latency budget: the latency difference will hardly decide.
HEADROOM, HEADROOM_SHARE = 10.0, 0.3
LABEL = dict(zip(cat.FOLKLORE_CELLS, (GRU, LSTM), strict=True))  # cell name -> advice label
OTHER = dict(zip(cat.FOLKLORE_CELLS, reversed(cat.FOLKLORE_CELLS), strict=True))

Weight = tuple[float, str]


def _short(a: Answers, claim: Claim) -> Weight:
    if a.seq_len is not None:
        if a.seq_len < SHORT_LEN:
            return 1.0, f"your sequences ({a.seq_len}) are short (< {SHORT_LEN})"
        return 0.0, ""
    if a.dependency_range == SHORT_RANGE:
        return 1.0, "you expect short dependencies"
    if a.dependency_range == LONG_RANGE:
        return 0.0, ""
    return 0.3, "sequence length unknown: short sequences are possible"


def _long(a: Answers, claim: Claim) -> Weight:
    if a.dependency_range == LONG_RANGE:
        return 1.0, "you expect long-range dependencies"
    if a.dependency_range == SHORT_RANGE:
        return 0.0, ""
    if a.seq_len is None:
        return 0.3, "dependency range and length unknown: long dependencies are possible"
    if a.seq_len >= LONG_LEN:
        return 0.7, f"your sequences ({a.seq_len}) are long; dependency range unknown"
    if a.seq_len >= SHORT_LEN:
        return 0.3, f"your sequences ({a.seq_len}) are medium-length; dependency range unknown"
    return 0.0, ""


def _small(a: Answers, claim: Claim) -> Weight:
    if a.train_size is None:
        return 0.3, "training-set size unknown"
    if a.train_size < SMALL_DATA:
        return 1.0, f"{a.train_size:,} training examples is small data (< {SMALL_DATA:,})"
    if a.train_size < MEDIUM_DATA:
        return 0.3, f"{a.train_size:,} training examples is moderate data"
    return 0.0, ""


def _training_time(a: Answers, claim: Claim) -> Weight:
    why = ("time budget unknown" if a.time_budget is None else
           f"time budget {a.time_budget}: training speed matters {MATTERS[a.time_budget]}")
    return TIME_WEIGHT[a.time_budget] * claim.cost_share, why


def _latency(a: Answers, claim: Claim) -> Weight:
    if a.latency_budget_ms is not None:
        return 1.0, f"you have a latency budget of {a.latency_budget_ms:g} ms"
    if a.runtime is not None:
        return 0.5, f"you deploy with {a.runtime}"
    return 0.2, "latency budget unknown"


RULES: dict[str, Callable[[Answers, Claim], Weight]] = {
    cat.SHORT_SEQUENCES: _short, cat.LONG_DEPENDENCIES: _long,
    cat.SMALL_TRAINING_SET: _small, cat.TRAINING_TIME: _training_time,
    cat.LATENCY_BUDGET: _latency,
}


def relevance(claim: Claim, answers: Answers) -> Weight:
    """(weight, why) of a claim for these answers; (0, "") for a claim answering no question."""
    rule = RULES.get(claim.question) if claim.question else None
    return rule(answers, claim) if rule else (0.0, "")


def _ci(effect: Effect) -> tuple[float | None, float | None]:
    ci = effect.get("ci") or [None, None]
    return finite(ci[0]), finite(ci[1])


def _is_ratio(claim: Claim, effect: Effect) -> bool:
    return claim.measure == cat.RATIO or (claim.measure == cat.BY_UNIT
                                          and effect.get("unit") == "ratio")


def favours(claim: Claim, verdict: str, effect: Effect) -> str:
    """GRU, LSTM, neither or unclear for one claim verdict with its headline effect."""
    if verdict not in (SUPPORTED, REFUTED):
        return UNCLEAR
    lo, hi = _ci(effect)
    ratio = _is_ratio(claim, effect)
    if claim.favours == cat.NEITHER:  # first cell against second, either way
        if verdict == SUPPORTED:
            return NEITHER
        first_ahead = hi is not None and hi < 1.0 if ratio else lo is not None and lo > 0
        second_ahead = lo is not None and lo > 1.0 if ratio else hi is not None and hi < 0
        first, second = (LABEL[c] for c in cat.FOLKLORE_CELLS)
        return first if first_ahead else second if second_ahead else UNCLEAR
    if verdict == SUPPORTED:
        return LABEL[claim.favours]
    worse = lo is not None and lo > 1.0 if ratio else hi is not None and hi < 0
    return LABEL[OTHER[claim.favours]] if worse else NEITHER


def _facts(rows: list[Row], source: EvidenceSource) -> dict[str, list[Any]]:
    """Lengths, training-set sizes, devices and runtimes of the rows (task facts fill gaps)."""
    facts: dict[str, list[Any]] = {d: [] for d in cat.ANSWERS}
    for r in rows:
        task = source.task_facts(r.get("task"))
        detail = r.get("detail") if isinstance(r.get("detail"), dict) else {}
        task_len = task.get("seq_len")
        facts["seq_len"].append(seq_len_of(r) or finite(
            task_len.get("median") if isinstance(task_len, dict) else task_len))
        n_train = finite(r.get("n_train") or detail.get("n_train") or task.get("n_train"))
        # A learning-curve row was trained on a fraction of the task's training set.
        share = finite(r.get("data_fraction")) or 1.0
        facts["n_train"].append(n_train * share if n_train else None)
        facts["device"].append(r.get("device"))
        facts["runtime"].append(r.get("runtime"))
    return {k: [v for v in vs if v is not None] for k, vs in facts.items()}


def _names(values: list[Any], limit: int = 3) -> str | None:
    unique = list(dict.fromkeys(str(v) for v in values if v))
    if not unique:
        return None
    more = f" +{len(unique) - limit} more" if len(unique) > limit else ""
    return ", ".join(unique[:limit]) + more


def claim_reason(claim: ClaimJSON, source: EvidenceSource,
                 answers: Answers) -> Reason | None:
    """The reason a claim gives for these answers; None when the claim does not bear on them
    (or is not in this version's catalogue)."""
    about = catalogued(str(claim["id"]))
    weight, why = relevance(about, answers) if about else (0.0, "")
    if about is None or weight <= 0:
        return None
    m = match(claim, answers, about.rows)
    verdict = m.verdict or str(claim["verdict"])
    effect: Effect = {"what": about.id, "value": None, "unit": "",  # type: ignore[typeddict-item]
                      **(m.effect or claim.get("effect") or {})}
    effect["ci"] = list(effect.get("ci") or [None, None])
    facts = _facts(m.facts_rows(), source)
    closeness = assess(answers, **{f"{d}s": facts[d] for d in about.reads})
    direction = m.favours or favours(about, verdict, effect)
    notes = list(m.notes)
    other = _timed_elsewhere(about, facts["device"], source, answers)
    if other:  # another device's timings decide nothing for this one
        verdict, direction = INCONCLUSIVE, UNCLEAR
        notes.append(f"timed on {other} (the evidence's machine), not on your "
                     f"{answers.device}: it decides nothing for you")
    notes += _pooled_notes(claim, m)
    share = RESOLVED_SHARE if m.verdict is not None and claim.get("verdict") == MIXED else 1.0
    if about.timing == cat.LATENCY:
        share *= _headroom(claim, answers, notes)
    return Reason(
        claim=about.id, study=None, statement=str(claim.get("statement") or about.id),
        verdict=verdict, effect=effect,
        task=_names([r.get("task") for r in m.rows]) or _labels(m.rows),
        device=_names(sorted({device_kind(d) for d in facts["device"]} - {None})),
        closeness=closeness, favours=direction,
        weight=0.0 if direction == UNCLEAR else weight * closeness.factor * share,
        why=why, source=source.label, topic=about.topic, notes=notes, about=about,
    )


def _pooled_notes(claim: ClaimJSON, m: Match) -> list[str]:
    """What the claim's pooled verdict and the file say beside the matching rows."""
    notes = []
    if claim.get("verdict") == MIXED and m.verdict is None:
        notes.append(f"mixed: it depends on {claim.get('depends_on') or 'the setting'}, and no "
                     f"evidence matches your situation on that")
    if m.verdict is not None and m.verdict != claim.get("verdict"):
        notes.append(f"the claim's pooled verdict is {claim.get('verdict')}")
    if claim.get("reason") == NOT_RUN:
        notes.append("not run in this evidence")
    return notes


def _timed_elsewhere(claim: Claim, devices: list[Any], source: EvidenceSource,
                     answers: Answers) -> str | None:
    """The device a timing claim without per-row devices ran on, when it is not the user's."""
    if not claim.timed or answers.device is None or devices:
        return None
    machine = source.meta.get("machine") if isinstance(source.meta.get("machine"), dict) else {}
    measured_on = "gpu" if machine.get("gpu") else "cpu"
    return measured_on if measured_on != answers.device else None


def _labels(rows: list[Row]) -> str | None:
    return _names([r.get("group") or r.get("label") for r in rows])


def _headroom(claim: ClaimJSON, answers: Answers, notes: list[str]) -> float:
    """Shrink a latency claim's weight when every measured latency is far inside the budget."""
    budget, slowest = answers.latency_budget_ms, slowest_p50(claim, answers)
    if budget is None or slowest is None:
        return 1.0
    if slowest * HEADROOM <= budget:
        notes.append(f"both cells measured at \u2264 {slowest:.3g} ms p50, a tenth of your "
                     f"{budget:g} ms budget or less: latency will hardly decide (for the "
                     f"evidence's model size)")
        return HEADROOM_SHARE
    if slowest > budget:
        notes.append(f"measured p50 reaches {slowest:.3g} ms, over your {budget:g} ms budget "
                     f"(for the evidence's model size)")
    return 1.0
