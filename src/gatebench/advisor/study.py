"""The user's own compare study (summary.json): as reasons beside the claims, or as the pick.

As reasons: a study on the user's own data answers "which is more accurate here" directly, so
its accuracy verdict weighs twice a claim's; its time ratio was measured on their task and
device, and is read as the speed claim reads its own.

As the pick (`advise --study DIR`): the same `analysis.decision.decide` that ends
`gatebench compare` answers, from the study's summary.json. The priority is the user's
`--priority`, or follows from their answers: a latency budget makes latency decide, a fast time
budget training time; else quality. With a `--runtime` answer, only that runtime's latency
counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from gatebench.advisor.advice import GRU, LSTM, NEITHER, UNCLEAR, Reason
from gatebench.advisor.answers import Answers
from gatebench.advisor.closeness import assess, device_kind
from gatebench.advisor.evidence import STUDY, EvidenceSource, read_source
from gatebench.advisor.reasons import favours, relevance
from gatebench.analysis.decision import DEFAULT_PRIORITY, LATENCY, TRAINING, Pick, decide
from gatebench.analysis.documents import SummaryDoc
from gatebench.analysis.verdict import EQUIVALENT, better_label
from gatebench.claims.base import Effect, ratio_verdict
from gatebench.claims.catalogue import ACCURACY, COST, FOLKLORE_CELLS, SPEED
from gatebench.errors import DataError
from gatebench.numbers import finite

STUDY_ACCURACY_WEIGHT = 2.0
LABEL_FAVOURS = {**{better_label(c): f for c, f in zip(FOLKLORE_CELLS, (GRU, LSTM), strict=True)},
                 EQUIVALENT: NEITHER}


class StudyFacts(NamedTuple):
    """What a study's summary says about its situation (None: not recorded)."""

    seq_len: float | None  # median sequence length
    n_train: float | None
    device: str | None


def _facts(summary: SummaryDoc) -> StudyFacts:
    description = (summary.get("task") or {}).get("description") or {}
    seq = description.get("seq_len")
    seq_median = finite(seq.get("median")) if isinstance(seq, dict) else finite(seq)
    cell = next(iter((summary.get("cells") or {}).values()), {})
    return StudyFacts(seq_median, finite(description.get("n_train")), cell.get("device"))


def _time_ratio(summary: SummaryDoc) -> tuple[Effect, bool] | None:
    """GRU/LSTM per-epoch time ratio as recorded, flipped when the study ran LSTM first, and
    whether its trials were timed side by side (concurrently)."""
    ratio = summary.get("time_ratio") or {}
    value, ci = finite(ratio.get("geomean")), ratio.get("ci") or [None, None]
    if value is None:
        return None
    if list(summary.get("cells") or ())[:1] == list(FOLKLORE_CELLS[1:]):
        lo, hi = finite(ci[0]), finite(ci[1])
        value, ci = 1.0 / value, [1.0 / hi if hi else None, 1.0 / lo if lo else None]
    return ({"what": "GRU/LSTM compute time per epoch (your study)", "value": value,
             "ci": list(ci), "unit": "ratio"}, bool(ratio.get("concurrent")))


def study_reasons(source: EvidenceSource, answers: Answers) -> list[Reason]:
    """The accuracy reason and, when timed alone, the speed reason of one compare study."""
    summary = source.summary
    if set(summary.get("cells") or ()) != set(FOLKLORE_CELLS):
        return []
    task = (summary.get("task") or {}).get("name")
    facts = _facts(summary)
    device = device_kind(facts.device)
    name = str((summary.get("study") or {}).get("out_dir") or source.path.parent)
    verdict = summary.get("verdict") or {}
    label = str(verdict.get("label") or "inconclusive")
    closeness = assess(answers, seq_lens=[facts.seq_len] if facts.seq_len else [],
                       n_trains=[facts.n_train] if facts.n_train else [])
    direction = LABEL_FAVOURS.get(label, UNCLEAR)
    diff = summary.get("difference") or {}
    effect: Effect = {"what": f"{diff.get('what', 'gru - lstm')} test {summary.get('metric')}",
                      "value": verdict.get("mean"), "ci": verdict.get("ci") or [None, None],
                      "unit": verdict.get("unit") or summary.get("unit") or ""}
    out = [Reason(
        claim=None, study=name, statement=f"which cell is more accurate on {task}",
        verdict=label, effect=effect,
        task=task, device=device, closeness=closeness, favours=direction,
        weight=0.0 if direction == UNCLEAR else STUDY_ACCURACY_WEIGHT * closeness.factor,
        why="a compare study answers accuracy directly", source=source.label, topic=ACCURACY,
        notes=[str(verdict.get("text"))] if verdict.get("text") else [],
    )]
    timed = _time_ratio(summary)
    if timed is not None:
        out.append(_speed_reason(timed, facts, answers, source, name, task, device))
    return out


def _speed_reason(timed: tuple[Effect, bool], facts: StudyFacts, answers: Answers,
                  source: EvidenceSource, name: str, task: str | None,
                  device: str | None) -> Reason:
    """The study's time ratio, weighed and oriented as the speed claim's own."""
    ratio, concurrent = timed
    weight, why = relevance(SPEED, answers)
    timing = assess(answers, seq_lens=[facts.seq_len] if facts.seq_len else [],
                    devices=[facts.device] if facts.device else [])
    rv = ratio_verdict(ratio["ci"])
    speed_dir = favours(SPEED, rv, ratio)
    notes = []
    if concurrent:
        speed_dir = UNCLEAR  # trials shared the machine: their clocks are not speed evidence
        notes.append("timed side by side with other trials: not evidence for speed")
    return Reason(
        claim=None, study=name, statement=f"which cell trains faster on {task}", verdict=rv,
        effect=ratio, task=task, device=device, closeness=timing, favours=speed_dir,
        weight=0.0 if speed_dir == UNCLEAR else weight * timing.factor, why=why,
        source=source.label, topic=COST, notes=notes,
    )


def priority_from(answers: Answers, priority: str | None = None) -> str:
    """The priority given, else the one the answers imply (module doc)."""
    if priority is not None:
        return priority
    if answers.latency_budget_ms is not None:
        return LATENCY
    if answers.time_budget == "fast":
        return TRAINING
    return DEFAULT_PRIORITY


def study_pick(study_dir: str | Path, answers: Answers | None = None,
               priority: str | None = None) -> Pick:
    """The pick for a compare folder (or its summary.json), with the priority resolved."""
    source = read_source(study_dir)
    if source.kind != STUDY:
        raise DataError(f"{study_dir} is a suite folder; --study takes a compare folder "
                        "(summary.json from gatebench compare)")
    answers = answers or Answers()
    return decide(source.summary, priority_from(answers, priority), runtime=answers.runtime)
