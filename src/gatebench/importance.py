"""The Python API of `gatebench importance`: how much the cell matters next to everything else."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from gatebench.api import study_spec, task_spec
from gatebench.report.importance import build_importance_report
from gatebench.run import Executor, StudyProgress
from gatebench.run.importance import DEFAULT_BUDGET, run_importance
from gatebench.run.study import with_training_floor


def importance(
    data: str | os.PathLike | None = None,
    *,
    dataset: str | None = None,
    task: str = "text",
    out: str | os.PathLike | None = None,
    factors: Sequence[str] | None = None,
    cells: Sequence[str] | None = None,
    budget: int = DEFAULT_BUDGET,
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    task_options: dict[str, Any] | None = None,
    resamples: int | None = None,
    explicit: Collection[str] | None = None,
    **study_options: Any,
) -> dict[str, Any]:
    """Run (or resume) an importance study; returns importance.json's data and writes a report.

    `study_options` are those of `study_spec` (hidden, lr, max_epochs, ...): the base
    configuration every factor varies from, after the same optimiser-step floor as
    `compare` (`explicit`: the floored settings the user set, default: those given).
    `cells` default to GRU and LSTM.
    """
    tspec = task_spec(data, dataset=dataset, task=task, **(task_options or {}))
    spec = study_spec(tspec, **study_options)
    name = dataset or Path(str(data)).stem
    out_dir = Path(out) if out is not None else Path("runs") / "importance" / name
    spec, floor_notes = with_training_floor(
        spec, out_dir, study_options.keys() if explicit is None else explicit)
    result = run_importance(spec.trials()[0], out_dir, cells=cells, factors=factors,
                            budget=budget, fresh=fresh, executor=executor, progress=progress,
                            resamples=resamples, notes=floor_notes)
    build_importance_report(out_dir, result)
    result["out_dir"] = str(out_dir)
    return result


__all__ = ["importance"]
