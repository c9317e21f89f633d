"""Real A/A studies: one cell against itself, repeated, to count how often a winner is named.

Run k uses seed pairs k·pairs .. (k+1)·pairs − 1, so the repeats are independent draws of the
same study; both arms share each pair's data split and batch order, and differ only in their
initialisation streams (see protocol.arms). Every run is stored in one results file and
resumes like any study.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from gatebench.analysis import summarize
from gatebench.analysis.calibration import wilson
from gatebench.analysis.rules import WINNERS
from gatebench.errors import SpecError
from gatebench.protocol import StudySpec, TaskSpec, TrainConfig
from gatebench.run.executors import Executor
from gatebench.run.progress import StudyProgress
from gatebench.run.study import run_study, with_training_floor
from gatebench.tasks.registry import get_task


class AAResult(TypedDict):
    """A/A studies' observed false-winner rates, after health checks and by the rule alone."""

    dataset: str
    cell: str
    runs: int
    seeds: int  # seed pairs per study
    winners: int
    rate: float
    ci: list[float]  # 95% Wilson
    rule_winners: int
    rule_rate: float
    rule_ci: list[float]
    outcomes: dict[str, int]  # verdict outcome -> studies


def run_aa_studies(dataset: str, runs: int, out_dir: str | Path, *, cell: str = "lstm",
                   pairs: int = 3, threads: int = 0, executor: Executor | None = None,
                   progress: StudyProgress | None = None) -> AAResult:
    """Run `runs` A/A studies of `cell` on a reference dataset; the observed false-winner rate.

    Returns {"dataset", "cell", "runs", "seeds", "winners", "rate", "ci", "rule_winners",
    "rule_rate", "rule_ci", "outcomes"}: `winners` counts verdicts that named an arm (after the
    training-health checks), `rule_winners` what the statistics alone named; intervals are 95%
    Wilson intervals.
    """
    if runs < 1:
        raise SpecError(f"--aa-studies must be at least 1, got {runs}")
    if pairs < 2:
        raise SpecError(f"--seeds must be at least 2 for a paired verdict, got {pairs}")
    get_task(dataset)  # an unknown dataset fails here, naming the known ones
    out_dir = Path(out_dir)
    outcomes, rule_outcomes = [], []
    for k in range(runs):
        spec = StudySpec(task=TaskSpec.make(dataset), cells=(cell, cell), seeds=pairs,
                         train=TrainConfig(threads=threads), first_seed=k * pairs)
        spec, _ = with_training_floor(spec, out_dir)  # the defaults a user would get
        records = run_study(spec, out_dir, study_id=f"aa-{k}", kind="calibrate",
                            executor=executor, progress=progress)
        verdict = summarize(records, margin=spec.margin, arms=spec.labels)["verdict"]
        outcomes.append(str(verdict.get("outcome")))
        rule_outcomes.append(str((verdict.get("before_health") or verdict).get("outcome")))
    winners = sum(o in WINNERS for o in outcomes)
    rule_winners = sum(o in WINNERS for o in rule_outcomes)
    return {
        "dataset": dataset, "cell": cell, "runs": runs, "seeds": pairs,
        "winners": winners, "rate": winners / runs, "ci": wilson(winners, runs),
        "rule_winners": rule_winners, "rule_rate": rule_winners / runs,
        "rule_ci": wilson(rule_winners, runs),
        "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
    }
