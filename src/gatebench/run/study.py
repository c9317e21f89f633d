"""Run a study: validate everything first, then store each finished trial as it arrives."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from gatebench.analysis.health import blocking, health_checks
from gatebench.analysis.pairing import pair_records
from gatebench.analysis.sequential import sequential_decide
from gatebench.analysis.summary import paired_improvements
from gatebench.cells import get_cell
from gatebench.errors import DataError
from gatebench.fileio import write_atomic
from gatebench.protocol import StudySpec
from gatebench.protocol.budget import effective_training
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.study_timing import run_timing_pass
from gatebench.run.trial import CHECKPOINT_KEY, cached_task, plan_sizes
from gatebench.store import open_store
from gatebench.tasks.base import TaskData


def validate_study(study: StudySpec) -> None:
    """Every check that needs no data: the spec's values and each arm's cell."""
    study.validate()
    for arm in study.arms:
        get_cell(arm.cell)  # an unknown cell fails here, naming the known ones


def prepare_study(study: StudySpec, out_dir: Path) -> tuple[TaskData, dict[str, dict]]:
    """Validate the spec, load the data and solve the sizes, before anything is written."""
    validate_study(study)
    data = cached_task(study.task, out_dir)
    for fraction in study.data_fractions:
        if min(len(data.train), round(len(data.train) * fraction)) < 2:
            raise DataError(
                f"training fraction {fraction} leaves fewer than 2 training rows; "
                "use a larger fraction or more data"
            )
    # one trial per arm: an arm with its own hidden size is sized (and its cell checked) apart
    first = study.trials(1)[: len(study.arms)]
    sizes = {t.arm_label: plan_sizes(t, data, (t.cell,))[t.cell] for t in first}
    return data, sizes


def with_training_floor(
    study: StudySpec, out_dir: Path, explicit: Collection[str] = frozenset()
) -> tuple[StudySpec, list[str]]:
    """The study with the optimiser-step floor applied for its smallest training set, and notes.

    One training config for every arm and fraction (see gatebench.protocol.budget); the
    settings named in `explicit` are the user's and stay as given.
    """
    validate_study(study)
    data = cached_task(study.task, Path(out_dir))
    n_train = min(max(1, round(len(data.train) * f)) for f in study.data_fractions)
    train, notes = effective_training(study.train, n_train, explicit)
    return replace(study, train=train), notes


def run_study(
    study: StudySpec,
    out_dir: str | Path,
    *,
    study_id: str = "compare",
    kind: str = "compare",
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
) -> list[dict[str, Any]]:
    """Run every trial not yet stored; returns the study's records (resumed ones included).

    With `study.adaptive` (``--seeds auto``), seed pairs are added round by round until the
    sequential rule decides, `max_seeds` is reached or the time budget is spent; why it stopped,
    and each look, are saved as the study's state in the store.
    """
    out_dir = Path(out_dir)
    data, _ = prepare_study(study, out_dir)
    progress = progress or StudyProgress()
    executor = executor or LocalExecutor()
    with open_store(out_dir, create=True) as store:
        store.save_study(study_id, study.to_dict(), kind=kind)
        if fresh:
            store.delete_study_trials([t.spec_id for t in study.trials(study.most_seeds)])
        if kind == "compare":  # the training-time ratio's own pass, before any trial runs
            run_timing_pass(study, data, store, study_id, progress, fresh=fresh)
        run = _TrialRunner(store, executor, progress, out_dir, study_id)
        if not study.adaptive:
            trials = study.trials()
            progress.study_start(len(trials), run.stored(trials), data.info.metric)
            run(trials)
            progress.study_end()
            return store.records([t.spec_id for t in trials])
        return _run_adaptive(study, store, run, progress, data.info.metric, study_id)


class _TrialRunner:
    """Runs the trials of a list not yet stored, storing each record as it arrives."""

    def __init__(self, store: Any, executor: Executor, progress: StudyProgress,
                 out_dir: Path, study_id: str) -> None:
        self.store, self.executor, self.progress = store, executor, progress
        self.out_dir, self.study_id = out_dir, study_id

    def stored(self, trials: list) -> int:
        return sum(self.store.has(t.spec_id) for t in trials)

    def __call__(self, trials: list) -> None:
        pending = [t for t in trials if not self.store.has(t.spec_id)]
        for record in self.executor.run(pending, cache_dir=self.out_dir,
                                        progress=self.progress):
            record["checkpoint"] = save_checkpoint(self.out_dir, record)
            record["study_id"] = self.study_id
            record["concurrent"] = record.get("concurrent", False) or self.executor.concurrent
            self.store.put(record)
            self.progress.trial_end(record)


def outcome_label(outcome: str, a: str, b: str) -> str:
    """A rule's outcome in the verdict vocabulary, naming the arms: "GRU better", ..."""
    names = {"a_better": f"{a.upper()} better", "b_better": f"{b.upper()} better",
             "equivalent": "equivalent within margin"}
    return names.get(outcome, outcome)


def pairs_per_round(executor: Executor, n_arms: int) -> int:
    """Seed pairs added per look: enough to keep every parallel worker busy, else one."""
    workers = int(getattr(executor, "workers", 1) or 1)
    return max(1, workers // max(n_arms, 1))


def _run_adaptive(study: StudySpec, store: Any, run: _TrialRunner, progress: StudyProgress,
                  metric: str, study_id: str) -> list[dict[str, Any]]:
    a, b = study.labels
    step = pairs_per_round(run.executor, len(study.arms))
    n = min(study.seeds, study.max_seeds)
    started = time.monotonic()
    looks: list[dict[str, Any]] = []
    first = study.trials(n)
    progress.study_start(len(first), run.stored(first), metric)
    while True:
        trials = study.trials(n)
        progress.grow(len(trials))
        run(trials)
        records = store.records([t.spec_id for t in trials])
        pairs = pair_records(records, (a, b))
        if not pairs:
            raise DataError(f"no complete {a}/{b} pair after {n} seeds; see the trial records")
        hib = bool(records[0].get("higher_is_better"))
        diffs = paired_improvements(pairs, a, b, str(records[0].get("metric")), hib)
        decision = sequential_decide(diffs, margin=study.margin, max_pairs=study.max_seeds)
        # "pairs": what the decision counts (a stop inside a batch ignores the pairs after it)
        look = {"pairs": decision.n, "pairs_run": len(diffs), **decision.to_dict(),
                "verdict": outcome_label(decision.outcome, a, b)}
        looks.append(look)
        progress.look(look)
        if decision.final:
            reason = decision.reason
            break
        blocked = blocking(health_checks(records, arms=(a, b), margin=study.margin))
        if blocked:  # more seeds do not fix training: stop and say what to change
            reason = f"training health at {len(diffs)} pairs: {blocked[0]['message']}"
            break
        if n >= study.max_seeds:
            reason = f"reached max seeds ({study.max_seeds}) undecided"
            break
        elapsed = time.monotonic() - started
        if study.time_budget_s is not None and elapsed >= study.time_budget_s:
            reason = (f"time budget of {study.time_budget_s:g} s spent at {len(diffs)} pairs "
                      "(undecided)")
            break
        n = min(n + step, study.max_seeds)
    progress.study_end()
    store.save_study_state(study_id, {
        "design": "sequential", "method": decision.method, "pairs": decision.n,
        "pairs_run": len(diffs),
        "max_seeds": study.max_seeds, "stopped": reason, "looks": looks,
    })
    return records


def checkpoint_path(out_dir: Path, spec_id: str) -> Path:
    """Where a trial's best-validation weights live in the study folder."""
    return out_dir / "checkpoints" / f"{spec_id}.pt"


def save_checkpoint(out_dir: Path, record: dict[str, Any]) -> str | None:
    """Write the record's checkpoint bytes (removing them from it); returns the relative path."""
    blob = record.pop(CHECKPOINT_KEY, None)
    if blob is None:
        return None
    path = checkpoint_path(out_dir, record["spec_id"])
    write_atomic(path, blob)  # a crash leaves the old file or none, never half of one
    return str(path.relative_to(out_dir))
