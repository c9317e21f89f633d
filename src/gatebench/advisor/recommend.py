"""`advise`: answers + evidence -> a cited recommendation (the rules live in the modules named)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatebench.advisor.advice import UNCLEAR, Advice, Reason
from gatebench.advisor.answers import FAMILIES, Answers
from gatebench.advisor.claim_reasons import claim_reason
from gatebench.advisor.closeness import FAR
from gatebench.advisor.contenders import contender_note
from gatebench.advisor.evidence import CLAIMS, SHIPPED, STUDY, EvidenceSource
from gatebench.advisor.relevance import ACCURACY, COST
from gatebench.advisor.score import recommend
from gatebench.advisor.settle import compare_command, latency_command
from gatebench.advisor.study_reasons import study_reasons
from gatebench.advisor.what_matters import first_advice
from gatebench.claims.base import NOT_RUN

# A study on the user's own data outranks the reference claims on the same topic: they stay
# cited, at half weight, as context.
SECONDARY_SHARE = 0.5
PROVENANCE = ("profile", "command", "machine", "versions", "generated")


def pick_claims(sources: Sequence[EvidenceSource]
                ) -> list[tuple[dict[str, Any], EvidenceSource]]:
    """Per claim id, the first source's version that was run (sources come user-first)."""
    chosen: dict[str, tuple[dict[str, Any], EvidenceSource]] = {}
    for source in (s for s in sources if s.kind == CLAIMS):
        for claim in source.claims:
            cid = str(claim["id"])
            previous = chosen.get(cid)
            if previous is None or (previous[0].get("reason") == NOT_RUN
                                    and claim.get("reason") != NOT_RUN):
                chosen[cid] = (claim, source)
    return list(chosen.values())


def _demote(reasons: list[Reason], study_reasons: list[Reason]) -> None:
    """Claims on a topic the user's own study settles become context (half weight)."""
    for topic, claim_ids in ((ACCURACY, None), (COST, ("speed",))):
        settled = [s for s in study_reasons if s.topic == topic and s.favours != UNCLEAR
                   and s.closeness.level != FAR]
        if not settled:
            continue
        for r in reasons:
            if r.topic == topic and (claim_ids is None or r.claim in claim_ids):
                r.weight *= SECONDARY_SHARE
                r.notes.append(f"secondary to your own study ({settled[0].study})")


def _count_timing_once(reasons: list[Reason]) -> None:
    """Iteration time includes the per-step gap the speed claim measures: when speed already
    counts, iteration is cited as context with no weight of its own."""
    speed = next((r for r in reasons if r.claim == "speed" and r.weight > 0), None)
    for r in reasons:
        if r.claim == "iteration" and speed is not None and r.weight > 0:
            r.weight = 0.0
            r.notes.append("context only: its wall times include the per-step kernel gap the "
                           "speed claim already counts")


def _caveats(answers: Answers, reasons: list[Reason], sources: Sequence[EvidenceSource],
             skipped: list[str]) -> list[str]:
    out = []
    if answers.unknown():
        out.append(f"unanswered, so treated as unknown: {', '.join(answers.unknown())} "
                   f"(answering them sharpens the advice)")
    far = [r.claim or r.study for r in reasons if r.closeness.level == FAR]
    if far:
        out.append(f"evidence far from your situation: {', '.join(map(str, far))}")
    if any(r.claim == "inference" and r.closeness.level == FAR for r in reasons):
        out.append(f"latency on your device and runtime: run `{latency_command()}` there")
    for s in sources:
        if s.origin == SHIPPED:
            out.append(f"shipped evidence: reference tasks, not your data "
                       f"({provenance(s.meta)})")
    if not any(r.study for r in reasons):
        out.append("no compare study on your own data among the evidence")
    out.extend(f"{p}: not a GRU-vs-LSTM study, left out" for p in skipped)
    return out


def advise(answers: Answers, evidence: Sequence[EvidenceSource]) -> Advice:
    """Recommend GRU, LSTM or either from evidence, citing every verdict and study used."""
    studies, skipped = [], []
    for source in (s for s in evidence if s.kind == STUDY):
        found = study_reasons(source, answers)
        studies.extend(found)
        if not found:
            skipped.append(str(source.path))
    claims = [r for claim, source in pick_claims(evidence)
              if (r := claim_reason(claim, source, answers)) is not None]
    _demote(claims, studies)
    _count_timing_once(claims)
    reasons = sorted(studies + claims, key=lambda r: (r.favours == UNCLEAR, -r.weight))
    recommendation, confidence, scores = recommend(reasons, len(answers.unknown()))
    own = [r for r in studies if r.topic == ACCURACY and r.favours != UNCLEAR
           and r.closeness.level != FAR]
    needs_settling = confidence == "low" or any(r.closeness.level == FAR for r in reasons)
    settle = _settle(answers, evidence) if needs_settling and not own else None
    return Advice(recommendation, confidence, answers, reasons,
                  _caveats(answers, reasons, evidence, skipped), settle, scores,
                  [f"{s.label} ({s.path.name})" for s in evidence],
                  first=first_advice(answers, evidence),
                  contender=contender_note(answers, evidence))


def provenance(meta: dict[str, Any]) -> str:
    """Where a claims file came from, as far as it says: profile, machine, versions, date."""
    parts = []
    for key in PROVENANCE:
        value = meta.get(key)
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
        if value:
            parts.append(f"{key}: {value}")
    return "; ".join(parts) or "no provenance recorded"


def _settle(answers: Answers, evidence: Sequence[EvidenceSource]) -> str:
    """A fresh study, or more seeds for the user's inconclusive one (compare resumes)."""
    for source in (s for s in evidence if s.kind == STUDY):
        summary = source.summary
        family = (summary.get("task") or {}).get("family")
        verdict = summary.get("verdict") or {}
        extra, n = verdict.get("suggested_seeds"), verdict.get("n")
        if isinstance(extra, int) and isinstance(n, int):
            out = (summary.get("study") or {}).get("out_dir") or str(source.path.parent)
            return compare_command(answers, family if family in FAMILIES else None,
                                   seeds=n + extra, out=out)
    return compare_command(answers)
