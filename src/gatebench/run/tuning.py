"""Equal-budget tuning: every arm searched with the same space, sampler and number of trials.

Each arm gets its own Optuna study in the study folder (`tuning.sqlite3`), a TPE sampler with
the same fixed seed, and the same number of trials; the first trial of each is the arm's
default configuration, so the report can say how far the default was from the best. A trial
is one fit on a tuning seed kept apart from the verdict's seed pairs, scored on the validation
split (the best epoch's validation metric); the test split is never looked at. Trials run in
rounds, one per arm, through any executor, and are stored in results.sqlite like every trial:
an interrupted search resumes, and a trial whose record is stored is never run again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebench.analysis.documents import DimensionDoc, TunedArm, TuningReport, TuningTrial
from gatebench.cells.budget import CellSize
from gatebench.errors import SpecError, UnknownNameError
from gatebench.protocol import Arm, StudySpec, TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.study import prepare_study
from gatebench.run.trials import TrialLoop
from gatebench.store import open_store

if TYPE_CHECKING:
    from optuna import Study

TUNING_STORAGE = "tuning.sqlite3"
TUNING_SEED = 10_000  # the search's own seed stream: never one of the verdict's seed pairs
SAMPLER_SEED = 0
SELECTION = ("validation metric at the best epoch, one fit per configuration on tuning seed "
             f"{TUNING_SEED} (the verdict's seed pairs and the test split are not used)")


@dataclass(frozen=True)
class Dimension:
    """One searchable option: its range, whether it is searched on a log scale, its kind."""

    name: str
    low: float
    high: float
    log: bool
    integer: bool = False

    def validate(self) -> None:
        """SpecError on an empty range or a value the option cannot take."""
        if not self.low < self.high:
            raise SpecError(f"--tune {self.name}: the range {self.low:g}:{self.high:g} is "
                            "empty; give low:high with low < high")
        if self.name == "lr" and self.low <= 0:
            raise SpecError(f"--tune lr: a learning rate must be positive, got {self.low:g}")
        if self.log and self.low <= 0:
            raise SpecError(f"--tune {self.name}: a log-scale range must be positive, got "
                            f"{self.low:g}:{self.high:g}")
        if self.name == "dropout" and not (0 <= self.low and self.high < 1):
            raise SpecError(f"--tune dropout: the range must lie in [0, 1), got "
                            f"{self.low:g}:{self.high:g}")
        if self.name == "hidden" and self.low < 1:
            raise SpecError(f"--tune hidden: sizes must be at least 1, got {self.low:g}")

    def suggest(self, trial: Any) -> float | int:
        """Ask an Optuna trial for a value in this range."""
        if self.integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def contains(self, value: Any) -> bool:
        """Whether a default value lies in the range (only then is it enqueued)."""
        return value is not None and self.low <= value <= self.high

    def to_dict(self) -> DimensionDoc:
        """JSON-able range."""
        return {"low": self.low, "high": self.high, "log": self.log, "integer": self.integer}


def _default_ranges(spec: StudySpec) -> dict[str, Dimension]:
    lr, hidden = spec.train.lr, spec.sizing.reference_hidden
    return {
        "lr": Dimension("lr", lr / 10, lr * 10, log=True),
        "hidden": Dimension("hidden", max(4, hidden // 4), hidden * 2, log=True, integer=True),
        "dropout": Dimension("dropout", 0.0, 0.5, log=False),
        "weight_decay": Dimension("weight_decay", 1e-6, 1e-2, log=True),
    }


SEARCHABLE = ("lr", "hidden", "dropout", "weight_decay")


def parse_space(text: str, spec: StudySpec) -> tuple[Dimension, ...]:
    """`lr,dropout` or `lr=1e-4:1e-2,hidden=32:256` -> dimensions (defaults scale with spec)."""
    defaults = _default_ranges(spec)
    dims: dict[str, Dimension] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, bounds = part.partition("=")
        name = name.strip().lower()
        if name not in defaults:
            raise UnknownNameError("search-space name", name, SEARCHABLE)
        if name in dims:
            raise SpecError(f"--tune names {name} twice")
        dim = defaults[name]
        if bounds:
            low, sep, high = bounds.partition(":")
            try:
                lo, hi = float(low), float(high)
            except ValueError:
                raise SpecError(f"--tune {name}={bounds}: give the range as low:high, e.g. "
                                f"{name}=1e-4:1e-2") from None
            if not sep or not (math.isfinite(lo) and math.isfinite(hi)):
                raise SpecError(f"--tune {name}={bounds}: give the range as low:high")
            dim = replace(dim, low=lo, high=hi)
        dim.validate()
        dims[name] = dim
    if not dims:
        raise SpecError(f"--tune needs at least one name; known: {', '.join(SEARCHABLE)}")
    return tuple(dims.values())


def check_trials(trials: int) -> None:
    """SpecError unless the search gets at least one trial per arm."""
    if trials < 1:
        raise SpecError(f"--trials must be at least 1, got {trials}")


def _search_key(spec: StudySpec, space: Sequence[Dimension], trials: int) -> str:
    # A search is resumed only when nothing that shapes it changed: the task, the base options
    # (minus the seeds, which the search does not use), the space and the trial count.
    base = spec.to_dict()
    for key in ("seeds", "adaptive", "max_seeds", "time_budget_s", "margin", "arms", "cells"):
        base.pop(key, None)
    text = json.dumps({"base": base, "space": [d.name for d in space],
                       "ranges": [d.to_dict() for d in space], "trials": trials},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _trial_spec(spec: StudySpec, arm: Arm, params: dict[str, float]) -> TrialSpec:
    overrides = {**dict(arm.overrides), **params}
    tuned = Arm.make(arm.cell, label=arm.label, **overrides)
    one = replace(spec, arms=(tuned,), seeds=1, data_fractions=(1.0,)).trials(1)[0]
    return replace(one, seed=TUNING_SEED)


def _validation_score(record: TrialRecord | None) -> float | None:
    if record is None or not record.ok or not 0 < record.best_epoch <= len(record.history):
        return None
    value = record.history[record.best_epoch - 1].get("val_metric")
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _defaults(arm: Arm, spec: StudySpec, sizes: dict[str, CellSize],
              space: Sequence[Dimension]) -> dict[str, float | None]:
    # What the arm would run untuned: its override, else the study's option (hidden: the size
    # the parameter budget solved for this arm's cell).
    base = {"lr": spec.train.lr, "dropout": spec.model.dropout,
            "weight_decay": spec.train.weight_decay,
            "hidden": sizes[arm.label]["hidden_size"] if arm.label in sizes else None}
    return {d.name: arm.option(d.name, base[d.name]) for d in space}


def _sampler(optuna: Any, number: int) -> Any:
    # Seeded per trial number, not once per process: a resumed search proposes what an
    # uninterrupted one would have (a sampler re-seeded at start would repeat its proposals).
    return optuna.samplers.TPESampler(seed=SAMPLER_SEED * 1_000_003 + number)


def _quiet_optuna() -> Any:
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    return optuna


def tune_arms(
    spec: StudySpec,
    out_dir: str | Path,
    space: Sequence[Dimension],
    trials: int,
    *,
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
) -> tuple[tuple[Arm, ...], TuningReport]:
    """Search every arm with the same budget; returns the tuned arms and the search report."""
    check_trials(trials)
    out_dir = Path(out_dir)
    data, sizes = prepare_study(spec, out_dir)  # validates and loads before anything is written
    optuna = _quiet_optuna()
    from optuna.trial import TrialState

    higher = data.info.higher_is_better
    key = _search_key(spec, space, trials)
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{(out_dir / TUNING_STORAGE).resolve().as_posix()}"
    names = {arm.label: f"tune/{arm.label}/{key}" for arm in spec.arms}
    if fresh:
        existing = {s.study_name for s in optuna.get_all_study_summaries(storage)}
        for name in names.values():
            if name in existing:
                optuna.delete_study(study_name=name, storage=storage)
    studies: dict[str, Study] = {}
    for arm in spec.arms:
        study = optuna.create_study(
            study_name=names[arm.label], storage=storage, load_if_exists=True,
            direction="maximize" if higher else "minimize",
            sampler=_sampler(optuna, 0),
        )
        if not study.trials:
            default = _defaults(arm, spec, sizes, space)
            if all(d.contains(default[d.name]) for d in space):
                study.enqueue_trial(default)
        studies[arm.label] = study

    progress = progress or StudyProgress()
    executor = executor or LocalExecutor()
    arms = {arm.label: arm for arm in spec.arms}
    finished = (TrialState.COMPLETE, TrialState.FAIL)

    def done(label: str) -> int:
        return sum(t.state in finished for t in studies[label].trials)

    total = trials * len(arms)
    progress.phase(f"equal-budget tuning: {trials} trials per arm", total)
    progress.study_start(total, sum(min(done(a), trials) for a in arms), data.info.metric)
    with open_store(out_dir, create=True) as store:
        store.save_study(f"tune/{key}", {"space": [d.name for d in space], "trials": trials,
                                         "base": spec.to_dict()}, kind="tuning")
        if fresh:  # the search starts over: its stored fits go with its Optuna studies
            store.delete_study_trials([r.spec_id for r in
                                       store.records(study_id=f"tune/{key}")])
        # Only the chosen configurations keep weights, and the search never sees the test
        # split: its scores are dropped, not stored.
        run = TrialLoop(store, executor, progress, out_dir, f"tune/{key}", keep_weights=False,
                        tag=lambda r: r.tagged(test={}, tuning={"search_key": key,
                                                             "arm": r.arm}))
        while any(done(a) < trials for a in arms):
            _tuning_round(run, studies, spec, arms, space, trials, done)
    progress.study_end()
    report = _report(studies, spec, sizes, space, trials, key, higher)
    tuned = tuple(
        Arm.make(arm.cell, label=arm.label,
                 **{**dict(arm.overrides), **report["arms"][arm.label]["best"]})
        if report["arms"][arm.label]["best"] is not None else arm
        for arm in spec.arms
    )
    return tuned, report


def _tuning_round(run: TrialLoop, studies: dict[str, Study], spec: StudySpec,
                  arms: dict[str, Arm], space: Sequence[Dimension], trials: int,
                  done: Callable[[str], int]) -> None:
    """One round: each unfinished arm's interrupted trial, or a new one, side by side."""
    import optuna
    from optuna.trial import TrialState

    round_ = []
    for label, study in studies.items():
        if done(label) >= trials:
            continue
        stale = [t for t in study.trials if t.state == TrialState.RUNNING]
        if stale:
            number, params = stale[0].number, stale[0].params
        else:
            study.sampler = _sampler(optuna, len(study.trials))
            trial = study.ask()
            number = trial.number
            params = {d.name: d.suggest(trial) for d in space}
        round_.append((label, number, _trial_spec(spec, arms[label], params)))
    run([s for _, _, s in round_])
    for label, number, tspec in round_:
        score = _validation_score(run.store.get(tspec.spec_id))
        if score is None:
            studies[label].tell(number, state=TrialState.FAIL)
        else:
            studies[label].tell(number, score)


def _report(studies: dict[str, Study], spec: StudySpec, sizes: dict[str, CellSize],
            space: Sequence[Dimension], trials: int, key: str, higher: bool) -> TuningReport:
    from optuna.trial import TrialState

    arms: dict[str, TunedArm] = {}
    for arm in spec.arms:
        study = studies[arm.label]
        rows: list[TuningTrial] = [
            {"number": t.number, "params": t.params, "value": t.value,
             "state": t.state.name.lower()} for t in study.trials
            if t.state in (TrialState.COMPLETE, TrialState.FAIL)][:trials]
        scored = [r for r in rows if r["value"] is not None]
        best = (max if higher else min)(scored, key=lambda r: r["value"]) if scored else None
        default = _defaults(arm, spec, sizes, space)
        default_row = next((r for r in rows if r["params"] == default), None)
        gap = None
        if best is not None and default_row is not None and default_row["value"] is not None:
            gap = best["value"] - default_row["value"]
        arms[arm.label] = {
            "cell": arm.cell,
            "best": best["params"] if best else None,
            "best_value": best["value"] if best else None,
            "default": default,
            "default_value": default_row["value"] if default_row else None,
            "gain_over_default": gap,  # in the validation metric's own units; >0 is better
            "trials": rows,
        }
        if not higher and gap is not None:
            arms[arm.label]["gain_over_default"] = -gap
    return {
        "space": {d.name: d.to_dict() for d in space},
        "trials_per_arm": trials,
        "sampler": f"Optuna TPE, seed {SAMPLER_SEED}, the default configuration first",
        "selection": SELECTION,
        "storage": TUNING_STORAGE,
        "search_key": key,
        "arms": arms,
    }


__all__ = ["SEARCHABLE", "TUNING_SEED", "TUNING_STORAGE", "Dimension", "check_trials",
           "parse_space", "tune_arms"]
