"""A claim verdict as a cited reason: relevance, the rows that match the user, closeness."""

from __future__ import annotations

from typing import Any

from gatebench.advisor.advice import UNCLEAR, Reason
from gatebench.advisor.answers import Answers
from gatebench.advisor.closeness import assess, device_kind
from gatebench.advisor.direction import favours
from gatebench.advisor.evidence import EvidenceSource
from gatebench.advisor.relevance import COST, TOPIC, relevance
from gatebench.advisor.rows import Row, match, seq_len_of, slowest_p50
from gatebench.claims.base import INCONCLUSIVE, MIXED, NOT_RUN
from gatebench.numbers import finite

# Which facts of the evidence matter for each claim: accuracy does not depend on the device,
# timings do; a timing benchmark has no training set.
DIMENSIONS = {
    "short": ("seq_len", "n_train"), "long": ("seq_len",), "small-data": ("seq_len", "n_train"),
    "convergence": ("seq_len", "n_train"), "speed": ("seq_len", "device"),
    "inference": ("seq_len", "device", "runtime"), "iteration": ("n_train", "device"),
}
# A mixed claim resolved by the rows matching the user speaks less directly than a claim
# whose evidence agrees throughout.
RESOLVED_SHARE = 0.7
# Both cells ten times inside the latency budget: the latency difference will hardly decide.
HEADROOM, HEADROOM_SHARE = 10.0, 0.3


def _facts(rows: list[Row], source: EvidenceSource) -> dict[str, list[Any]]:
    """Lengths, training-set sizes, devices and runtimes of the rows (task facts fill gaps)."""
    facts: dict[str, list[Any]] = {"seq_len": [], "n_train": [], "device": [], "runtime": []}
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


def claim_reason(claim: dict[str, Any], source: EvidenceSource,
                 answers: Answers) -> Reason | None:
    """The reason a claim gives for these answers; None when the claim does not bear on them."""
    cid = str(claim["id"])
    weight, why = relevance(cid, answers)
    if weight <= 0:
        return None
    m = match(claim, answers)
    verdict = m.verdict or str(claim["verdict"])
    effect = {"what": cid, "value": None, "unit": "",
              **(m.effect or claim.get("effect") or {})}
    effect["ci"] = list(effect.get("ci") or [None, None])
    facts = _facts(m.facts_rows(), source)
    dims = DIMENSIONS.get(cid, ())
    closeness = assess(answers, **{f"{d}s": facts[d] for d in dims})
    direction = m.favours or favours(cid, verdict, effect)
    notes = list(m.notes)
    other = _timed_elsewhere(cid, facts["device"], source, answers)
    if other:  # another device's timings decide nothing for this one
        verdict, direction = INCONCLUSIVE, UNCLEAR
        notes.append(f"timed on {other} (the evidence's machine), not on your "
                     f"{answers.device}: it decides nothing for you")
    if claim.get("verdict") == MIXED and m.verdict is None:
        notes.append(f"mixed: it depends on {claim.get('depends_on') or 'the setting'}, and no "
                     f"evidence matches your situation on that")
    if m.verdict is not None and m.verdict != claim.get("verdict"):
        notes.append(f"the claim's pooled verdict is {claim.get('verdict')}")
    if claim.get("reason") == NOT_RUN:
        notes.append("not run in this evidence")
    share = RESOLVED_SHARE if m.verdict is not None and claim.get("verdict") == MIXED else 1.0
    if cid == "inference":
        share *= _headroom(claim, answers, notes)
    return Reason(
        claim=cid, study=None, statement=str(claim.get("statement") or cid), verdict=verdict,
        effect=effect, task=_names([r.get("task") for r in m.rows]) or _labels(m.rows),
        device=_names(sorted({device_kind(d) for d in facts["device"]} - {None})),
        closeness=closeness, favours=direction,
        weight=0.0 if direction == UNCLEAR else weight * closeness.factor * share,
        why=why, source=source.label, topic=TOPIC.get(cid, COST), notes=notes,
    )


TIMED = ("speed", "inference", "iteration")  # claims whose numbers are wall-clock times


def _timed_elsewhere(cid: str, devices: list[Any], source: EvidenceSource,
                     answers: Answers) -> str | None:
    """The device a timing claim without per-row devices ran on, when it is not the user's."""
    if cid not in TIMED or answers.device is None or devices:
        return None
    machine = source.meta.get("machine") if isinstance(source.meta.get("machine"), dict) else {}
    measured_on = "gpu" if machine.get("gpu") else "cpu"
    return measured_on if measured_on != answers.device else None


def _labels(rows: list[Row]) -> str | None:
    return _names([r.get("group") or r.get("label") for r in rows])


def _headroom(claim: dict[str, Any], answers: Answers, notes: list[str]) -> float:
    """Shrink the inference weight when every measured latency is far inside the budget."""
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
