"""Health that acts: when --seeds auto trials still improve or fail to train, remedy and go on.

A study whose trials were still improving when training stopped, or ended at the trivial
baseline, compares training budgets, not cells; more seeds of the same do not help. Within the
time budget, and the same for every arm, the study then:

- still improving: doubles the epochs and the patience (at most MAX_DOUBLINGS times);
- failed to train: runs the equal-budget learning-rate search of `--tune lr` (HEALTH_LR_TRIALS
  trials per arm, on the validation split) once, then, if trials still fail, a longer budget.

Each remedy starts the seed pairs again under the new configuration (the earlier trials stay in
the store, with their own spec ids, so a rerun resumes every step). A remedy is taken only when
the budget left pays for it and for the first look after it, at this run's pace per pair;
otherwise the study goes on adding pairs and says why it did not act. Every action, taken or
not, is listed in the study's state (`health_actions`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from gatebench.analysis.documents import HealthAction, SeedingState, TuningReport
from gatebench.protocol import StudySpec
from gatebench.protocol.record import TrialRecord
from gatebench.protocol.specs import MIN_ADAPTIVE_SEEDS
from gatebench.run.executors import Executor
from gatebench.run.progress import StudyProgress
from gatebench.run.study import Budget, run_study
from gatebench.run.tuning import parse_space, tune_arms
from gatebench.store import open_store

HEALTH_LR_TRIALS = 6  # trials per arm of the learning-rate search a failed study gets
MAX_DOUBLINGS = 2  # epochs (and patience) doubled at most this many times


@dataclass(frozen=True)
class Remedy:
    """One action for a blocking health check: what it does, its cost in pairs, and how."""

    name: str
    says: str
    cost_pairs: Callable[[StudySpec], float]  # pair-equivalents at today's pace, incl. a look
    apply: Callable[..., tuple[StudySpec, TuningReport | None]]


def _more_epochs(spec: StudySpec, **_: Any) -> tuple[StudySpec, None]:
    train = replace(spec.train, max_epochs=spec.train.max_epochs * 2,
                    patience=spec.train.patience * 2)
    return replace(spec, train=train), None


def _lr_search(spec: StudySpec, *, out_dir: Path, executor: Executor | None,
               progress: StudyProgress | None, **_: Any) -> tuple[StudySpec, TuningReport]:
    arms, tuning = tune_arms(spec, out_dir, parse_space("lr", spec), HEALTH_LR_TRIALS,
                             executor=executor, progress=progress)
    return replace(spec, arms=arms), tuning


MORE_EPOCHS = Remedy(
    "more epochs", "doubled the epochs and the patience for every arm",
    lambda spec: 2.0 * MIN_ADAPTIVE_SEEDS, _more_epochs)
LR_SEARCH = Remedy(
    "learning-rate search",
    f"searched the learning rate of every arm ({HEALTH_LR_TRIALS} trials each, same space "
    "and sampler, chosen on validation)",
    lambda spec: HEALTH_LR_TRIALS + MIN_ADAPTIVE_SEEDS, _lr_search)
# Per blocking check, the remedies in the order they are tried.
REMEDIES: dict[str, tuple[Remedy, ...]] = {
    "still-improving": (MORE_EPOCHS,) * MAX_DOUBLINGS,
    "failed-to-train": (LR_SEARCH, *(MORE_EPOCHS,) * MAX_DOUBLINGS),
}


def _next_remedy(check: str, taken: list[HealthAction], tuned: bool) -> Remedy | None:
    used = [a["remedy"] for a in taken if a["applied"]]
    options = [r for r in REMEDIES.get(check, ()) if not (tuned and r is LR_SEARCH)]
    for remedy in options:
        if used.count(remedy.name) < options.count(remedy):
            return remedy
    return None


def _any_left(taken: list[HealthAction], tuned: bool) -> bool:
    return any(_next_remedy(check, taken, tuned) for check in REMEDIES)


def run_acting_study(
    spec: StudySpec,
    out_dir: str | Path,
    *,
    fresh: bool = False,
    tuned: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    study_id: str = "compare",
) -> tuple[StudySpec, list[TrialRecord], TuningReport | None]:
    """Run an adaptive study, remedying blocking health within its budget (module doc).

    Returns the study as finally run, its records and the search report of a learning-rate
    remedy (None without one). `tuned`: the arms were searched already (`--tune`).
    """
    out_dir = Path(out_dir)
    budget = Budget(spec.time_budget_s)
    taken: list[HealthAction] = []
    tuning: TuningReport | None = None
    seen: set[str] = set()
    while True:
        key = json.dumps(spec.to_dict(), sort_keys=True)
        acting = _any_left(taken, tuned or tuning is not None) and all(
            a["applied"] for a in taken)  # once the budget refused a remedy, go on adding pairs
        records = run_study(spec, out_dir, study_id=study_id, fresh=fresh and key not in seen,
                            executor=executor, progress=progress, budget=budget,
                            act_on_health=acting)
        seen.add(key)
        with open_store(out_dir) as store:
            state = cast("SeedingState", store.study_state(study_id))
        need = state.get("health_need")
        remedy = _next_remedy(need, taken, tuned or tuning is not None) if need else None
        if remedy is None:
            break
        action: HealthAction = {"check": need, "remedy": remedy.name,
                                "at_pairs": state.get("pairs_run"),
                                "applied": _affordable(remedy, spec, state, budget)}
        taken.append(action)
        if not action["applied"]:
            action["says"] = (f"did not {remedy.name}: the {budget.left():.0f} s left would not "
                              "pay for it and a first look after it")
            budget.pace = state.get("pair_s")  # the same study goes on at the pace it had
            continue
        action["says"] = remedy.says
        (progress or StudyProgress()).phase(f"training health ({need}): {remedy.says}", 1)
        spec, report = remedy.apply(spec, out_dir=out_dir, executor=executor, progress=progress)
        tuning = report if report is not None else tuning
    state["health_actions"] = taken
    state["elapsed_s"] = budget.elapsed()
    with open_store(out_dir) as store:
        store.save_study_state(study_id, state)
    return spec, records, tuning


def _affordable(remedy: Remedy, spec: StudySpec, state: SeedingState, budget: Budget) -> bool:
    """Whether the budget left pays for the remedy and the first look after it."""
    left, pace = budget.left(), state.get("pair_s")
    if left is None or pace is None:
        return True
    return remedy.cost_pairs(spec) * float(pace) <= left
