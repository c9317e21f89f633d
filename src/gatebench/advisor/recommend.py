"""`advise`: answers + evidence -> a cited recommendation (reasons come from `reasons` and
`study`; the notes beside the pick from `notes`).

Scoring: a reason's weight is relevance (how much the claim bears on the answers, see
`reasons`) x closeness (near 1, partial or unknown 0.75, far 0.5) x directness (a claim's own
verdict 1, a mixed claim resolved by the rows matching the user 0.7, a compare study's accuracy
verdict 2; reference claims on a topic the user's own study settles count half). A cell is
recommended when its summed weight exceeds the other's by at least DECIDE; otherwise the
answer is "either".

Confidence for a cell: high when the lead is >= 1.5 and the other cell has at most a quarter
of the winner's weight; medium when the lead is >= 0.8; low otherwise, and low whenever every
reason for the winner is far from the user's situation. For "either": high when measured
parity weighs >= 2 and neither cell has DECIDE/2; medium when parity weighs >= 1 and neither
cell has DECIDE; else low (evidence pulling both ways is a conflict, not parity). Unanswered
questions lower it: two or more unknown answers cost one level, five or more leave it low.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatebench.advisor.advice import EITHER, GRU, LSTM, NEITHER, UNCLEAR, Advice, Reason
from gatebench.advisor.answers import FAMILIES, Answers
from gatebench.advisor.closeness import FAR
from gatebench.advisor.evidence import CLAIMS, SHIPPED, STUDY, EvidenceSource
from gatebench.advisor.notes import compare_command, contender_note, first_advice, latency_command
from gatebench.advisor.reasons import claim_reason
from gatebench.advisor.study import study_reasons
from gatebench.claims.base import NOT_RUN, ClaimJSON
from gatebench.claims.catalogue import ACCURACY, LATENCY, STEP_TIME, SWEEP_TIME, Claim

# A study on the user's own data outranks the reference claims on the same topic: they stay
# cited, at half weight, as context.
SECONDARY_SHARE = 0.5
PROVENANCE = ("profile", "command", "machine", "versions", "generated")

DECIDE = 0.5
HIGH_LEAD, MEDIUM_LEAD, HIGH_SHARE = 1.5, 0.8, 0.25
HIGH_PARITY, MEDIUM_PARITY = 2.0, 1.0
LEVELS = ("low", "medium", "high")
UNKNOWN_DOWNGRADE, UNKNOWN_LOW = 2, 5


def tally(reasons: list[Reason]) -> dict[str, float]:
    """Summed weight per side: GRU, LSTM and neither (parity)."""
    out = {GRU: 0.0, LSTM: 0.0, NEITHER: 0.0}
    for r in reasons:
        if r.favours in out:
            out[r.favours] += r.weight
    return out


def recommend(reasons: list[Reason], n_unknown: int) -> tuple[str, str, dict[str, float]]:
    """(recommendation, confidence, tally) from weighted reasons and the unknown answers."""
    t = tally(reasons)
    lead = t[GRU] - t[LSTM]
    if abs(lead) < DECIDE:
        strongest = max(t[GRU], t[LSTM])
        if t[NEITHER] >= HIGH_PARITY and strongest < DECIDE / 2:
            level = "high"
        else:
            level = "medium" if t[NEITHER] >= MEDIUM_PARITY and strongest < DECIDE else "low"
        return EITHER, _discount(level, n_unknown), t
    winner, loser = (GRU, LSTM) if lead > 0 else (LSTM, GRU)
    if abs(lead) >= HIGH_LEAD and t[loser] <= HIGH_SHARE * t[winner]:
        level = "high"
    else:
        level = "medium" if abs(lead) >= MEDIUM_LEAD else "low"
    if all(r.closeness.level == FAR for r in reasons if r.favours == winner and r.weight > 0):
        level = "low"
    return winner, _discount(level, n_unknown), t


def _discount(level: str, n_unknown: int) -> str:
    if n_unknown >= UNKNOWN_LOW:
        return "low"
    if n_unknown >= UNKNOWN_DOWNGRADE:
        return LEVELS[max(0, LEVELS.index(level) - 1)]
    return level


def pick_claims(sources: Sequence[EvidenceSource]) -> list[tuple[ClaimJSON, EvidenceSource]]:
    """Per claim id, the first source's version that was run (sources come user-first)."""
    chosen: dict[str, tuple[ClaimJSON, EvidenceSource]] = {}
    for source in (s for s in sources if s.kind == CLAIMS):
        for claim in source.claims:
            cid = str(claim["id"])
            previous = chosen.get(cid)
            if previous is None or (previous[0].get("reason") == NOT_RUN
                                    and claim.get("reason") != NOT_RUN):
                chosen[cid] = (claim, source)
    return list(chosen.values())


def _settles(study: Reason, about: Claim | None) -> bool:
    """Whether a study's reason settles what a claim measures: its accuracy verdict any
    accuracy claim; its time ratio (a training-step time) a claim timing the same step."""
    if about is None or study.topic != about.topic:
        return False
    return about.topic == ACCURACY or about.timing == STEP_TIME


def _demote(reasons: list[Reason], study_reasons: list[Reason]) -> None:
    """Claims on what the user's own study settles become context (half weight)."""
    settling = [s for s in study_reasons if s.favours != UNCLEAR and s.closeness.level != FAR]
    for r in reasons:
        settled = [s for s in settling if _settles(s, r.about)]
        if settled:
            r.weight *= SECONDARY_SHARE
            r.notes.append(f"secondary to your own study ({settled[0].study})")


def _count_timing_once(reasons: list[Reason]) -> None:
    """A sweep's wall time includes the per-step gap a training-step claim measures: when
    that claim already counts, the sweep is cited as context with no weight of its own."""
    step = next((r for r in reasons if _timing(r) == STEP_TIME and r.weight > 0), None)
    for r in reasons:
        if _timing(r) == SWEEP_TIME and step is not None and r.weight > 0:
            r.weight = 0.0
            r.notes.append("context only: its wall times include the per-step kernel gap the "
                           "speed claim already counts")


def _timing(r: Reason) -> str | None:
    return r.about.timing if r.about else None


def _caveats(answers: Answers, reasons: list[Reason], sources: Sequence[EvidenceSource],
             skipped: list[str]) -> list[str]:
    out = []
    if answers.unknown():
        out.append(f"unanswered, so treated as unknown: {', '.join(answers.unknown())} "
                   f"(answering them sharpens the advice)")
    far = [r.claim or r.study for r in reasons if r.closeness.level == FAR]
    if far:
        out.append(f"evidence far from your situation: {', '.join(map(str, far))}")
    if any(_timing(r) == LATENCY and r.closeness.level == FAR for r in reasons):
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
