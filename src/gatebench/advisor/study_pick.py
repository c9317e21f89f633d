"""`advise --study DIR`: the pick from the user's own compare study, scored as compare scores it.

The same `analysis.decision.decide` that ends `gatebench compare` answers here, from the
study's summary.json. The priority is the user's `--priority`, or follows from their answers:
a latency budget makes latency decide, a fast time budget training time; else quality. With
a `--runtime` answer, only that runtime's latency counts.
"""

from __future__ import annotations

from pathlib import Path

from gatebench.advisor.answers import Answers
from gatebench.advisor.evidence import STUDY, read_source
from gatebench.analysis.decision import DEFAULT_PRIORITY, LATENCY, TRAINING, Pick, decide
from gatebench.errors import DataError


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
