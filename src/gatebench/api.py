"""The Python API: `compare(...)` runs a fair bake-off and returns a Study to inspect."""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from gatebench.analysis import summarize, summary_frame
from gatebench.analysis.decision import DEFAULT_PRIORITY, check_priority, decide
from gatebench.analysis.documents import PickDoc, SummaryDoc
from gatebench.analysis.importance import ImportanceResult
from gatebench.errors import SpecError
from gatebench.fileio import write_atomic
from gatebench.protocol import (
    DEFAULT_CELLS,
    Arm,
    ModelOptions,
    SizingConfig,
    StudySpec,
    TaskSpec,
    TrainConfig,
)
from gatebench.protocol.record import TrialRecord
from gatebench.protocol.specs import MAX_ADAPTIVE_SEEDS, MIN_ADAPTIVE_SEEDS
from gatebench.report import build_report
from gatebench.report.importance import build_importance_report
from gatebench.run import Executor, StudyProgress, run_study
from gatebench.run.deployment import study_latency
from gatebench.run.importance import DEFAULT_BUDGET, run_importance
from gatebench.run.progress import StageClock
from gatebench.run.remedies import run_acting_study
from gatebench.run.study import with_training_floor
from gatebench.run.study_timing import with_timing_pass
from gatebench.run.tuning import check_trials, parse_space, tune_arms
from gatebench.store import open_store

DEFAULT_MAX_SEEDS = 100  # --seeds auto: the most pairs (the rule is calibrated to 100); the time
# budget usually ends a study first, so an undecided study has spent it
DEFAULT_TIME_BUDGET_S = 600.0  # --seeds auto: seconds of one compare run (pairs and remedies)
# compare's own defaults: studies that finish (study_spec's stay a fixed 3 pairs)
COMPARE_DEFAULTS = {"seeds": "auto", "max_pairs": DEFAULT_MAX_SEEDS,
                    "time_budget": DEFAULT_TIME_BUDGET_S}

@dataclass
class Study:
    """A finished study: its spec, stored records and the paired summary."""

    out_dir: Path
    spec: StudySpec
    records: list[TrialRecord]  # typed; still readable as mappings (record["test"])
    summary_data: SummaryDoc

    def summary(self) -> pd.DataFrame:
        """One row per cell: size, parameters, test metric with CI, timings."""
        return summary_frame(self.summary_data)

    @property
    def verdict(self) -> str:
        """The verdict label: "<arm> better", equivalent within margin, inconclusive or
        uninformative (both arms failed or both saturated: no evidence either way)."""
        return self.summary_data["verdict"]["label"]

    @property
    def decision(self) -> PickDoc:
        """The pick (analysis.decision): `pick` (an arm or "either"), `headline`, `reasons`,
        `factors` with their intervals, `priority`."""
        return self.summary_data["decision"]

    def to_json(self) -> str:
        """The summary as JSON text (what `--json` prints and summary.json holds)."""
        return json.dumps(self.summary_data, indent=2, allow_nan=False)


def study_spec(
    task: TaskSpec,
    *,
    cells: tuple[str, ...] = DEFAULT_CELLS,
    arms: tuple[Arm, ...] = (),
    seeds: int | str = 3,
    max_pairs: int = 10,
    time_budget: float | None = None,
    match: str = "params",
    hidden: int = 128,
    budget: int | None = None,
    reference_cell: str = "lstm",
    layers: int = 1,
    dropout: float = 0.0,
    bidirectional: bool = False,
    embed_dim: int = 128,
    forget_bias: float = 1.0,
    lr: float = 2e-3,
    batch_size: int = 64,
    max_epochs: int = 20,
    patience: int = 3,
    clip_norm: float = 1.0,
    threads: int = 0,
    device: str = "auto",
    margin: float | None = None,
    reference: str | None = None,
    max_seeds: int | None = None,
) -> StudySpec:
    """Assemble a StudySpec from flat options (what the CLI and `compare` take).

    `seeds` is a number of seed pairs, or "auto": add pairs until the sequential rule decides,
    up to `max_pairs`, within `time_budget` seconds (None: no time limit). `arms` (labelled,
    with overrides) replace `cells` when given; a repeated cell in `cells` makes an A/A study.
    With more than two arms every pair is compared (Holm), or each arm against `reference`
    when given. `max_seeds` is the old name of `max_pairs` (a DeprecationWarning).
    """
    if max_seeds is not None:
        _deprecated("study_spec", "max_seeds", "max_pairs", stacklevel=3)
        max_pairs = max_seeds
    adaptive = isinstance(seeds, str)
    if adaptive and seeds.strip().lower() != "auto":
        raise SpecError(f"--seeds takes a number or 'auto', got {seeds!r}")
    return StudySpec(
        task=task,
        cells=tuple(cells),
        arms=tuple(arms),
        seeds=MIN_ADAPTIVE_SEEDS if adaptive else int(seeds),
        adaptive=adaptive,
        max_pairs=max_pairs,
        time_budget_s=time_budget,
        sizing=SizingConfig(match=match, reference_cell=reference_cell,
                            reference_hidden=hidden, budget=budget),
        model=ModelOptions(num_layers=layers, dropout=dropout, bidirectional=bidirectional,
                           embed_dim=embed_dim, forget_bias=forget_bias),
        train=TrainConfig(lr=lr, batch_size=batch_size, max_epochs=max_epochs,
                          patience=patience, clip_norm=clip_norm, threads=threads,
                          device=device),
        margin=margin,
        reference=reference,
    )


def check_seeding(max_pairs: Any = None, time_budget: Any = None) -> None:
    """`--max-seeds` and `--time-budget` before anything runs: one line naming the fix."""
    if max_pairs is not None and not MIN_ADAPTIVE_SEEDS <= int(max_pairs) <= MAX_ADAPTIVE_SEEDS:
        raise SpecError(f"--max-seeds must be between {MIN_ADAPTIVE_SEEDS} and "
                        f"{MAX_ADAPTIVE_SEEDS} pairs, got {max_pairs}")
    if time_budget is not None and not (math.isfinite(float(time_budget))
                                        and float(time_budget) > 0):
        raise SpecError(f"--time-budget must be a positive number of seconds, got {time_budget}")


_RENAMED_OPTIONS = {"max_seeds": "max_pairs"}  # compare's old keywords; they go next release


def _renamed_options(options: dict[str, Any]) -> dict[str, Any]:
    """`compare`'s keywords with any old name (_RENAMED_OPTIONS) replaced by its new one, with a
    DeprecationWarning; giving both names is a SpecError."""
    options = dict(options)
    for old, new in _RENAMED_OPTIONS.items():
        if old not in options:
            continue
        if new in options:
            raise SpecError(f"give {new}= only: {old}= is its old name")
        _deprecated("compare", old, new, stacklevel=4)
        options[new] = options.pop(old)
    return options


def _deprecated(function: str, old: str, new: str, stacklevel: int) -> None:
    """A DeprecationWarning at the user's call (`stacklevel` frames up): `old=` is now `new=`."""
    warnings.warn(f"{function}({old}=...) is now {new}=...; {old} goes in the next release",
                  DeprecationWarning, stacklevel=stacklevel)


def task_spec(data: str | os.PathLike | None = None, *, dataset: str | None = None,
              task: str = "text", **options: Any) -> TaskSpec:
    """A reference dataset by name, or the user's file read as the given task family."""
    if (data is None) == (dataset is None):
        raise SpecError("give either a data file or --dataset NAME (not both)")
    if dataset is not None:
        return TaskSpec.make(dataset, **options)
    return TaskSpec.make(task, path=str(Path(data).expanduser().resolve()), **options)


def study_dir(data: str | os.PathLike | None, dataset: str | None,
              out: str | os.PathLike | None = None) -> Path:
    """The study folder: `out`, else runs/<dataset or data file's stem>."""
    return Path(out) if out is not None else Path("runs") / (dataset or Path(data).stem)


def compare(
    data: str | os.PathLike | None = None,
    *,
    dataset: str | None = None,
    task: str = "text",
    out: str | os.PathLike | None = None,
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    task_options: dict[str, Any] | None = None,
    latency: bool = True,
    explicit: Collection[str] | None = None,
    tune: str | None = None,
    trials: int = 20,
    priority: str = DEFAULT_PRIORITY,
    **study_options: Any,
) -> Study:
    """Run a fair GRU-vs-LSTM bake-off on a file or reference dataset; resumes if interrupted.

    By default seed pairs are added until the verdict is decided, within COMPARE_DEFAULTS
    (`seeds="auto"`, at most 100 pairs, a 600 s time budget); `time_budget=None` lifts the
    time limit.

    `task_options` go to the data loader (text_col, label_col, ...); the other keywords are
    those of `study_spec` (cells, seeds, match, hidden, max_epochs, ...). With `latency`, the
    trained models' inference latency (batch 1, eager/TorchScript/ONNX) joins the summary.
    With `tune` ("lr", "lr,dropout", "lr=1e-4:1e-2", ...), every arm is first searched with
    the same space, sampler and `trials` on the validation split (run.tuning); the seed pairs
    then run each arm's chosen configuration. With "auto" seeds (the default) the study remedies
    blocking training health within its time budget (run.remedies). The summary ends with
    `decision`, the pick (analysis.decision), ordered by `priority` when quality does not
    decide.
    """
    priority = check_priority(priority)
    study_options = _renamed_options(study_options)
    check_seeding(study_options.get("max_pairs"), study_options.get("time_budget"))
    tspec = task_spec(data, dataset=dataset, task=task, **(task_options or {}))
    given = {k: v for k, v in study_options.items() if not (k == "seeds" and v is None)}
    spec = study_spec(tspec, **{**COMPARE_DEFAULTS, **given})
    if spec.adaptive and len(spec.arms) != 2 and "seeds" not in given:
        spec = replace(spec, adaptive=False)  # the sequential rule pairs two arms: fixed pairs
    out_dir = study_dir(data, dataset, out)
    tuning = None
    if tune is not None:  # bad search input fails before the data is even read
        check_trials(trials)
        space = parse_space(tune, spec)
    progress = clock = StageClock(progress or StudyProgress())  # summary["wall_s"]
    if executor is not None:  # its workers start while this process loads the data
        executor.start()
    spec, floor_notes = with_training_floor(
        spec, out_dir, study_options.keys() if explicit is None else explicit)
    if tune is not None:
        arms, tuning = tune_arms(spec, out_dir, space, trials, fresh=fresh, executor=executor,
                                 progress=progress)
        spec = replace(spec, arms=arms)
    if spec.adaptive:
        spec, records, health_tuning = run_acting_study(
            spec, out_dir, fresh=fresh, tuned=tuning is not None, executor=executor,
            progress=progress)
        tuning = health_tuning or tuning
    else:
        records = run_study(spec, out_dir, fresh=fresh, executor=executor, progress=progress)
    summary = _study_summary(spec, records, out_dir, floor_notes)
    if tuning is not None:
        summary["tuning"] = tuning
    if latency and len(set(spec.cells)) < 2:
        summary["latency"] = {"skipped": {"latency": "every arm uses the same cell"}}
    elif latency:
        progress.phase("inference latency: each arm's best checkpoint, no trial running", 1)
        summary["latency"] = study_latency(out_dir, records, fresh=fresh)
    summary["decision"] = decide(summary, priority).to_dict()
    summary["wall_s"] = clock.stop()
    study = Study(out_dir, spec, records, summary)
    write_atomic(out_dir / "summary.json", study.to_json())
    build_report(out_dir)
    return study


def _study_summary(spec: StudySpec, records: list[TrialRecord], out_dir: Path,
                   floor_notes: list[str]) -> SummaryDoc:
    """The records' summary with what the driver knows: the timing pass's ratio, the arms,
    the seeding state and the study's folder, spec and training floor."""
    summary = summarize(records, margin=spec.margin, arms=spec.labels,
                        max_pairs=spec.max_pairs if spec.adaptive else None,
                        reference=spec.reference)
    summary = with_timing_pass(summary, out_dir, spec)
    summary["arms"] = {a.label: a.to_dict() for a in spec.arms}
    if spec.adaptive:
        with open_store(out_dir) as store:
            summary["seeding"] = store.study_state("compare")
    summary["study"] = {"out_dir": str(out_dir), "spec": spec.to_dict(), "kind": "compare",
                        "training_floor": floor_notes}
    return summary


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
) -> ImportanceResult:
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


__all__ = ["DEFAULT_MAX_SEEDS", "DEFAULT_TIME_BUDGET_S", "Study", "compare", "importance",
           "study_dir", "study_spec", "task_spec"]
