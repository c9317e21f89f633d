"""Run a study: validate everything first, then store each finished trial as it arrives."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from gatebench.analysis.documents import Look, SeedingState
from gatebench.analysis.health import blocking, health_checks
from gatebench.analysis.margins import skill_margin
from gatebench.analysis.pairing import pair_records
from gatebench.analysis.sequential import fewest_pairs_to_decide, sequential_decide
from gatebench.analysis.summary import paired_improvements, summarize
from gatebench.analysis.verdict import outcome_label
from gatebench.cells import get_cell
from gatebench.cells.budget import CellSize
from gatebench.errors import DataError
from gatebench.protocol import StudySpec
from gatebench.protocol.budget import effective_training
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.study_timing import run_timing_pass
from gatebench.run.trial import cached_task, plan_sizes
from gatebench.run.trials import TrialLoop
from gatebench.store import open_store
from gatebench.tasks.base import TaskData


def validate_study(study: StudySpec) -> None:
    """Every check that needs no data: the spec's values and each arm's cell."""
    study.validate()
    for arm in study.arms:
        get_cell(arm.cell)  # an unknown cell fails here, naming the known ones


def prepare_study(study: StudySpec, out_dir: Path) -> tuple[TaskData, dict[str, CellSize]]:
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


class Budget:
    """A study's time budget: `seconds` of this run from its start (None: no limit)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.pace: float | None = None  # seconds per pair carried into a resumed run

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def left(self) -> float | None:
        """Seconds left (never below 0), or None without a budget."""
        return None if self.seconds is None else max(0.0, self.seconds - self.elapsed())


def run_study(
    study: StudySpec,
    out_dir: str | Path,
    *,
    study_id: str = "compare",
    kind: str = "compare",
    fresh: bool = False,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    budget: Budget | None = None,
    act_on_health: bool = False,
) -> list[TrialRecord]:
    """Run every trial not yet stored; returns the study's records (resumed ones included).

    With `study.adaptive` (``--seeds auto``), seed pairs are added round by round until the
    sequential rule decides, `max_pairs` is reached or the time budget is spent (an undecided
    study never stops before); why it stopped and each look are saved as the study's state in
    the store. `budget` (shared by the runs
    of one compare; default: the study's own) counts from its creation. With
    `act_on_health`, a look whose training health blocks with a remedy (run.remedies) stops
    the run early, naming the check as the state's `health_need`.
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
            executor.wait_ready()  # with the workers idle: the pass needs the machine
            run_timing_pass(study, data, store, study_id, progress, fresh=fresh)
        run = TrialLoop(store, executor, progress, out_dir, study_id)
        if not study.adaptive:
            trials = study.trials()
            progress.study_start(len(trials), run.stored(trials), data.info.metric)
            run(trials)
            progress.study_end()
            return store.records([t.spec_id for t in trials])
        if len(study.arms) > 2:  # k arms: the ranking decides (no health remedies yet)
            return _run_adaptive_ranking(study, store, run, progress, data.info.metric, study_id)
        loop = _Adaptive(study, run, budget or Budget(study.time_budget_s), act_on_health)
        records, state = loop.run(data.info.metric)
        store.save_study_state(study_id, state)
        return records


def pairs_per_round(executor: Executor) -> int:
    """Seed pairs added per look: one per parallel worker (one with a single worker).

    Every worker gets a trial of each arm a round, so the worker whose arm trains faster takes
    the next pair's trial instead of idling until the slower arm ends. Batches cost no
    decisiveness: the sequential rule's evidence and interval run over every prefix of the
    pairs, so a look after a batch decides whatever a look inside it would have (at the cost
    of at most `workers - 1` pairs run past the deciding one, which count in the verdict).
    """
    return max(1, int(getattr(executor, "workers", 1) or 1))


# Checks that more seeds do not fix but a remedy might (run.remedies); the others (a single
# diverged trial, a coarse validation split) are findings reported with the verdict.
REMEDIABLE = ("failed-to-train", "still-improving")


class _Adaptive:
    """The --seeds auto loop: add pairs, look, and stop only for a reason worth stating."""

    def __init__(self, study: StudySpec, run: TrialLoop, budget: Budget,
                 act_on_health: bool) -> None:
        self.study, self.runner, self.budget, self.act = study, run, budget, act_on_health
        self.labels = study.labels
        # wall seconds per new pair, one value per round run (a resumed run starts from the pace
        # its budget carries, so it does not run a pair it cannot pay for)
        self.pair_s: list[float] = [budget.pace] if budget.pace else []

    def run(self, metric: str) -> tuple[list[TrialRecord], SeedingState]:
        """Rounds of pairs until a stop; returns the records and the state to save.

        A round of several pairs (one per parallel worker) is looked at pair by pair, as rounds
        of one pair would have been: the executor never changes where a study stops or what it
        says. Pairs run past the deciding look stay stored (a continuation uses them) and the
        state counts them as `seeds_past_stop`.
        """
        study, progress = self.study, self.runner.progress
        step = pairs_per_round(self.runner.executor)
        n = first_look = min(study.seeds, study.max_pairs)
        looks: list[Look] = []
        progress.study_start(len(study.trials(n)), self.runner.stored(study.trials(n)), metric)
        while True:
            self._run_pairs(n)
            for k in range(first_look, n + 1):
                records, diffs = self._pairs_so_far(k)
                margin = skill_margin(records, study.margin).value  # the task's, unless given
                decision = sequential_decide(diffs, margin=margin, max_pairs=study.max_pairs)
                look: Look = {"pairs": decision.n, "pairs_run": len(diffs), **decision.to_dict(),
                        "verdict": outcome_label(decision.outcome, *self.labels[:2])}
                looks.append(look)
                progress.look(look)
                stop = self._stop(decision, records, diffs, k, margin, ran=n)
                if stop is not None:
                    break
            if stop is not None:
                break
            first_look = n + 1
            n = min(n + min(step, self._affordable(n)), study.max_pairs)
        progress.study_end()
        state: SeedingState = {
            "design": "sequential", "method": decision.method, "pairs": decision.n,
            "pairs_run": len(diffs), "seeds_in_verdict": k,
            "max_seeds": study.max_pairs,  # the state's key since its first release
            "time_budget_s": self.budget.seconds, "elapsed_s": self.budget.elapsed(),
            "pair_s": self.seconds_per_pair(),
            "estimand": decision.estimand, "bound": decision.bound, **stop,
            "looks": looks}
        if n > k:
            state["seeds_past_stop"] = n - k
        return records, state

    def _run_pairs(self, n: int) -> None:
        """Run the first `n` seed pairs (those not stored yet), timing the new ones."""
        trials = self.study.trials(n)
        self.runner.progress.grow(len(trials))
        new_pairs = (len(trials) - self.runner.stored(trials)) / max(len(self.study.arms), 1)
        started = time.monotonic()
        self.runner(trials)
        if new_pairs > 0:
            self.pair_s.append((time.monotonic() - started) / new_pairs)

    def _pairs_so_far(self, n: int) -> tuple[list[TrialRecord], list[float]]:
        """The first `n` seeds' records and their paired differences, in pair order."""
        a, b = self.labels[:2]
        records = self.runner.store.records([t.spec_id for t in self.study.trials(n)])
        pairs = pair_records(records, (a, b))
        if not pairs:
            raise DataError(f"no complete {a}/{b} pair after {n} seeds; see the trial records")
        first = records[0]
        return records, paired_improvements(pairs, a, b, first.metric, first.higher_is_better)

    def seconds_per_pair(self) -> float | None:
        """Wall seconds one more pair is expected to take: the median of this run's rounds."""
        return float(sorted(self.pair_s)[len(self.pair_s) // 2]) if self.pair_s else None

    def _affordable(self, n: int) -> int:
        """More pairs the budget and the maximum allow (at this run's pace; 1 before any)."""
        most = self.study.max_pairs - n
        left, pace = self.budget.left(), self.seconds_per_pair()
        if left is None or pace is None:
            return most
        return max(0, min(most, int(left // pace)))

    def _stop(self, decision: Any, records: list[TrialRecord], diffs: list[float],
              looked: int, margin: float, ran: int) -> SeedingState | None:
        """Why to stop at the look after `looked` seeds of the `ran` run (state fields), or None
        to look further or add pairs."""
        # health first: a verdict on trials that did not train is blocked anyway (apply_health)
        blocked = blocking(health_checks(records, arms=self.labels, margin=margin))
        fixable = [c for c in blocked if c["check"] in REMEDIABLE]
        if self.act and fixable:
            return {"stopped": f"training health at {len(diffs)} pairs: "
                               f"{fixable[0]['message']}", "health_need": fixable[0]["check"]}
        if decision.final and not blocked:
            return {"stopped": decision.reason}
        if looked < ran:  # pairs already run are looked at before any budget is spent
            return None
        n = ran
        # a blocked study goes on while its budget lasts: more pairs can dilute a failure share
        # below the blocking third, and an honest "inconclusive" needs the budget spent
        health = (f"; training health: {blocked[0]['message']}" if blocked else "")
        if n >= self.study.max_pairs:
            return {"stopped": f"reached max seeds ({self.study.max_pairs}) undecided{health}"}
        left, pace = self.budget.left(), self.seconds_per_pair()
        if self._affordable(n) < 1:
            more = _what_would_decide(diffs, margin, n, self.study)
            return {"stopped": f"time budget of {self.budget.seconds:g} s spent at {len(diffs)} "
                               f"pairs (undecided: {left:.0f} s left, a pair takes about "
                               f"{pace:.0f} s){health}{more}", "budget_spent": True}
        return None


def _what_would_decide(diffs: list[float], margin: float, n: int, study: StudySpec) -> str:
    """What a continuation could buy: the fewest further pairs that could decide, at best."""
    ways = [k for k in fewest_pairs_to_decide(diffs, margin, study.max_pairs - n).values()
            if k is not None]
    if not ways:
        return f"; even {study.max_pairs - n} more pair(s) could not decide it"
    return (f"; at best {min(ways)} more pair(s) could decide it: a rerun with a larger "
            "--time-budget continues this study")


def ranking_decided(records: list[TrialRecord], study: StudySpec) -> tuple[bool, Look]:
    """k-arm ``--seeds auto``: whether to stop adding pairs, and the look to record.

    Stop when every comparison (each arm against `study.reference` if set) has a final
    sequential decision under Holm's step-down: decided (a winner or equivalent), or stopped
    for futility. The look has what a two-arm look has: pairs, final, verdict (the ranking).
    """
    summary = summarize(records, margin=study.margin, arms=study.labels,
                        max_pairs=study.max_pairs, reference=study.reference)
    ranking = summary["ranking"]
    look: Look = {"pairs": summary["n_pairs"], "pairs_run": summary["n_pairs"],
            "final": bool(ranking["final"]), "decided": bool(ranking["decided"]),
            "verdict": f"ranking {ranking['text']}", "method": ranking["method"]}
    return look["final"], look


def _run_adaptive_ranking(study: StudySpec, store: Any, run: TrialLoop,
                          progress: StudyProgress, metric: str, study_id: str
                          ) -> list[TrialRecord]:
    # k arms: the two-arm loop's stops (decided, health, max seeds, time), with the ranking
    # deciding (ranking_decided) instead of one comparison's sequential rule. A round of several
    # pairs (a parallel pool) is looked at pair by pair, as the two-arm loop does.
    step = pairs_per_round(run.executor)
    n = first_look = min(study.seeds, study.max_pairs)
    started = time.monotonic()
    looks: list[Look] = []
    progress.study_start(len(study.trials(n)), run.stored(study.trials(n)), metric)
    reason = None
    while reason is None:
        trials = study.trials(n)
        progress.grow(len(trials))
        run(trials)
        for k in range(first_look, n + 1):
            records = store.records([t.spec_id for t in study.trials(k)])
            final, look = ranking_decided(records, study)
            looks.append(look)
            progress.look(look)
            reason = _ranking_stop(final, look, records, study, (k, n),
                                   time.monotonic() - started)
            if reason is not None:
                break
        ran, first_look, n = n, n + 1, min(n + step, study.max_pairs)
    progress.study_end()
    state: SeedingState = {
        "design": "sequential", "method": look["method"], "pairs": look["pairs"],
        "pairs_run": look["pairs_run"], "seeds_in_verdict": k,
        "max_seeds": study.max_pairs,  # the state's key
        "stopped": reason, "time_budget_s": study.time_budget_s,
        "elapsed_s": time.monotonic() - started, "looks": looks,
        "ranking_decided": look["decided"],
    }
    if ran > k:  # a parallel round ran past the deciding look
        state["seeds_past_stop"] = ran - k
    store.save_study_state(study_id, state)
    return records


def _ranking_stop(final: bool, look: Look, records: list[TrialRecord],
                  study: StudySpec, seeds: tuple[int, int], elapsed: float) -> str | None:
    """Why to stop at the look after `seeds` = (looked, ran) seeds, or None to go on."""
    pairs = look["pairs"]
    if final:
        return f"{look['verdict']} at {pairs} pairs"
    margin = skill_margin(records, study.margin).value
    blocked = blocking(health_checks(records, arms=study.labels, margin=margin))
    if blocked:  # more seeds do not fix training: stop and say what to change
        return f"training health at {pairs} pairs: {blocked[0]['message']}"
    looked, ran = seeds
    if looked < ran:  # pairs already run are looked at before the maximum or budget stops
        return None
    if ran >= study.max_pairs:
        return f"reached max seeds ({study.max_pairs}) with the ranking undecided"
    if study.time_budget_s is not None and elapsed >= study.time_budget_s:
        return f"time budget of {study.time_budget_s:g} s spent at {pairs} pairs (undecided)"
    return None
