"""`gatebench importance`: run a designed experiment over the cell and what else a user could
change, and decompose the variance.

The design (factors, fractions, points) is `protocol.design`'s. Trials go through any executor
and the one trial loop, and land in the study folder's results.sqlite, so an interrupted study
resumes where it stopped.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from gatebench.analysis.importance import (
    INTERACTIONS,
    METHOD,
    SEED,
    DecomposeOptions,
    DesignRow,
    ImportanceResult,
    decompose,
)
from gatebench.cells.registry import get_cell
from gatebench.errors import SpecError
from gatebench.fileio import write_atomic
from gatebench.protocol import DEFAULT_CELLS, TaskSpec, TrialSpec
from gatebench.protocol.design import (
    CELL,
    FACTORS,
    Design,
    DesignPoint,
    Factor,
    build_design,
    check_factors,
    default_factors,
    fraction_columns,
    known_factors,
    min_budget,
    resolution,
)
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.trial import cached_task, plan_sizes
from gatebench.run.trials import TrialLoop
from gatebench.store import open_store
from gatebench.tasks.base import TaskData

IMPORTANCE_FILE = "importance.json"
STUDY_KIND = "importance"
DEFAULT_BUDGET = 32


def _check_sizes(design: Design, data_for: Callable[[TaskSpec], TaskData]) -> None:
    # Solve every point's hidden size before anything is written: a budget that cannot be met
    # fails here, with the sizing's own message.
    for point in design.points:
        plan_sizes(point.spec, data_for(point.spec.task), (point.spec.cell,))


def _rows(design: Design, records: dict[str, TrialRecord]) -> list[DesignRow]:
    rows: list[DesignRow] = []
    for point, spec in design.trials():
        record = records.get(spec.spec_id)
        if record is None:
            continue
        value = record.test.get(record.metric) if record.ok else None
        seconds = record.timing.train_compute_s
        rows.append({"point": point.index, "levels": dict(point.levels), "seed": spec.seed,
                     "metric": value,
                     "log10_train_s": math.log10(seconds) if seconds and seconds > 0 else None})
    return rows


def analyse(design: Design, records: Sequence[TrialRecord], *, resamples: int | None = None
            ) -> ImportanceResult:
    """Effects and net shares of the test metric (a trial with no metric scored as the
    design's worst) and of log training time, from stored records."""
    by_id = {r.spec_id: r for r in records}
    rows = _rows(design, by_id)
    hib = records[0].higher_is_better if records else True
    options: DecomposeOptions = {} if resamples is None else {"resamples": resamples}
    if CELL in design.factors:
        options["contrast"] = CELL
    return {"metric": decompose(rows, design.factors, "metric", higher_is_better=hib,
                                **options),
            "time": decompose(rows, design.factors, "log10_train_s", **options),
            "trials": len(rows), "diverged": sum(1 for r in rows if r["metric"] is None)}


@dataclass(frozen=True)
class ImportancePlan:
    """A validated importance study: its base configuration, design and loaded task facts."""

    study_id: str
    base: TrialSpec
    cells: tuple[str, ...]
    budget: int
    design: Design
    data: TaskData


def plan_importance(
    base: TrialSpec,
    out_dir: str | Path,
    *,
    cells: Sequence[str] | None = None,
    factors: Sequence[str] | None = None,
    budget: int = DEFAULT_BUDGET,
) -> ImportancePlan:
    """Validate everything, load the data and solve every size; writes nothing to the store.

    `cells` default to GRU and LSTM (protocol.DEFAULT_CELLS: the contenders join when named,
    since each cell level doubles the design); `factors` to `default_factors` of the task's
    family.
    """
    out_dir = Path(out_dir)
    if budget < 1:
        raise SpecError(f"--trials must be positive, got {budget}")
    for spec_part in (base.sizing, base.model, base.train):
        spec_part.validate()
    cells = tuple(cells) if cells else DEFAULT_CELLS
    for cell in cells:
        get_cell(cell)
    if len(set(cells)) != len(cells):
        raise SpecError(f"--cells needs distinct cell names, got {','.join(cells)}")
    data = cached_task(base.task, out_dir)
    family = data.info.family
    factors = check_factors(tuple(factors) if factors else default_factors(family),
                            base.task, family)
    if CELL in factors and len(cells) < 2:
        raise SpecError("the cell factor needs at least two cells in --cells")
    design = build_design(replace(base, cell=cells[0], arm=cells[0]), data.info.description,
                          cells, factors, budget)
    _check_sizes(design, lambda task: cached_task(task, out_dir))
    return ImportancePlan(f"importance/{base.task.name}", base, cells, budget, design, data)


def run_design(
    plan: ImportancePlan,
    out_dir: str | Path,
    *,
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
) -> tuple[list[TrialRecord], int]:
    """Run the plan's trials not yet stored; returns its records and how many were resumed.

    Each record carries the study id and its design tags ("importance": point, levels,
    replicate), so the claim can be decided from stored records alone.
    """
    out_dir = Path(out_dir)
    trials = plan.design.trials()
    tags = {spec.spec_id: (point, spec.seed) for point, spec in trials}
    ids = list(tags)
    progress = progress or StudyProgress()
    executor = executor or LocalExecutor()
    with open_store(out_dir, create=True) as store:
        store.save_study(plan.study_id, {"base": plan.base.to_dict(), "cells": list(plan.cells),
                                         "budget": plan.budget, **plan.design.to_dict()},
                         kind=STUDY_KIND)
        if fresh:
            store.delete_study_trials(ids)
        run = TrialLoop(store, executor, progress, out_dir, plan.study_id, keep_weights=False,
                        tag=lambda r: _tagged(r, *tags[r.spec_id]))
        pending = len(trials) - run.stored([spec for _, spec in trials])
        progress.study_start(len(trials), len(trials) - pending, plan.data.info.metric)
        run([spec for _, spec in trials])
        progress.study_end()
        # Tagged again on the way out: a trial stored earlier by another study keeps its row.
        records = [_tagged(r, *tags[r.spec_id]).tagged(study_id=plan.study_id)
                   for r in store.records(ids)]
    return records, len(trials) - pending


def _tagged(record: TrialRecord, point: DesignPoint, seed: int) -> TrialRecord:
    return record.tagged(importance={"point": point.index, "levels": dict(point.levels),
                                     "replicate": seed})


def importance_result(plan: ImportancePlan, records: Sequence[TrialRecord], *,
                      resamples: int | None = None) -> ImportanceResult:
    """importance.json's data: the task, design, factors, shares with intervals and cost."""
    info, design = plan.data.info, plan.design
    result: ImportanceResult = {
        "task": {"name": info.name, "family": info.family, "metric": info.metric,
                 "higher_is_better": info.higher_is_better, "spec": plan.base.task.to_dict()},
        "study_id": plan.study_id,
        "design": design.to_dict(),
        "factors": [{"name": f, "what": "the recurrent cell" if f == CELL else FACTORS[f].what,
                     "levels": list(design.levels[f])} for f in design.factors],
        "base": plan.base.to_dict(),
        "method": METHOD,
        **analyse(design, records, resamples=resamples),
        "cost": {"trial_s": sum(_trial_seconds(r) for r in records),
                 "concurrent": any(r.concurrent for r in records)},
    }
    result["shares"] = {p["name"]: {"share": p["share"], "ci": p["ci"]}
                        for p in result["metric"]["parts"]}
    result["ranges"] = result["metric"]["ranges"]  # the shares hold for these levels only
    return result


def run_importance(
    base: TrialSpec,
    out_dir: str | Path,
    *,
    cells: Sequence[str] | None = None,
    factors: Sequence[str] | None = None,
    budget: int = DEFAULT_BUDGET,
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    resamples: int | None = None,
    notes: Sequence[str] = (),
) -> ImportanceResult:
    """Run (or resume) the design for `base`'s task; writes and returns importance.json's data.

    `notes` (how the base configuration was adjusted, e.g. the step floor) are kept with it.

    Everything is validated, the data loaded and every size solved before the store is
    opened, so bad input writes nothing.
    """
    out_dir = Path(out_dir)
    plan = plan_importance(base, out_dir, cells=cells, factors=factors, budget=budget)
    executor = executor or LocalExecutor()
    started = time.perf_counter()
    records, resumed = run_design(plan, out_dir, fresh=fresh, executor=executor,
                                  progress=progress)
    run_s = time.perf_counter() - started
    (progress or StudyProgress()).phase("variance decomposition (bootstrap intervals)", 1)
    result = importance_result(plan, records, resamples=resamples)
    result["cost"].update({"run_wall_s": run_s, "resumed": resumed, "executor": executor.name})
    result["training_floor"] = list(notes)
    write_atomic(out_dir / IMPORTANCE_FILE, _dumps(result))
    return result


def _trial_seconds(record: TrialRecord) -> float:
    t = record.timing
    return sum(float(v or 0.0) for v in (t.prep_s, t.train_compute_s, t.eval_s))


def _dumps(result: ImportanceResult) -> str:
    return json.dumps(result, indent=2, allow_nan=False)


# The design's names stay importable from here (protocol.design is their home).
__all__ = ["CELL", "DEFAULT_BUDGET", "FACTORS", "IMPORTANCE_FILE", "INTERACTIONS", "SEED",
           "Design", "Factor", "ImportancePlan", "analyse", "build_design", "check_factors",
           "default_factors", "fraction_columns", "importance_result", "known_factors",
           "min_budget", "plan_importance", "resolution", "run_design", "run_importance"]
