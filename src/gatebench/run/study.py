"""Run a study: validate everything first, then store each finished trial as it arrives."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from gatebench.errors import DataError
from gatebench.fileio import write_atomic
from gatebench.protocol import StudySpec
from gatebench.protocol.budget import effective_training
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.trial import CHECKPOINT_KEY, cached_task, plan_sizes
from gatebench.store import open_store
from gatebench.tasks.base import TaskData


def prepare_study(study: StudySpec, out_dir: Path) -> tuple[TaskData, dict[str, dict]]:
    """Validate the spec, load the data and solve the sizes, before anything is written."""
    study.validate()
    data = cached_task(study.task, out_dir)
    for fraction in study.data_fractions:
        if min(len(data.train), round(len(data.train) * fraction)) < 2:
            raise DataError(
                f"training fraction {fraction} leaves fewer than 2 training rows; "
                "use a larger fraction or more data"
            )
    sizes = plan_sizes(study.trials()[0], data, study.cells)
    return data, sizes


def with_training_floor(
    study: StudySpec, out_dir: Path, explicit: Collection[str] = frozenset()
) -> tuple[StudySpec, list[str]]:
    """The study with the optimiser-step floor applied for its smallest training set, and notes.

    One training config for every arm and fraction (see gatebench.protocol.budget); the
    settings named in `explicit` are the user's and stay as given.
    """
    study.validate()
    data = cached_task(study.task, Path(out_dir))
    n_train = min(max(1, round(len(data.train) * f)) for f in study.data_fractions)
    train, notes = effective_training(study.train, n_train, explicit)
    return study.with_(train=train), notes


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
    """Run every trial not yet stored; returns the study's records (resumed ones included)."""
    out_dir = Path(out_dir)
    data, _ = prepare_study(study, out_dir)
    trials = study.trials()
    ids = [t.spec_id for t in trials]
    progress = progress or StudyProgress()
    executor = executor or LocalExecutor()
    with open_store(out_dir, create=True) as store:
        store.save_study(study_id, study.to_dict(), kind=kind)
        if fresh:
            store.delete_study_trials(ids)
        pending = [t for t in trials if not store.has(t.spec_id)]
        progress.study_start(len(trials), len(trials) - len(pending), data.info.metric)
        for record in executor.run(pending, cache_dir=out_dir, progress=progress):
            record["checkpoint"] = save_checkpoint(out_dir, record)
            record["study_id"] = study_id
            record["concurrent"] = record.get("concurrent", False) or executor.concurrent
            store.put(record)
            progress.trial_end(record)
        progress.study_end()
        return store.records(ids)


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
