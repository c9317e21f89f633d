"""Claim "iteration": GRU gives faster experiment iteration: time until a sweep is good enough.

Per task and seed, each cell runs the same learning-rate sweep. A cell's iteration time is the
wall time from the start of its sweep until its validation metric first reaches the seed's
common target: `share` of the way from the task's trivial baseline (else the first recorded
value) to the worse of the two cells' best validation values over the whole sweep (which both
reach). It sums the full wall time of the trials before the one that reaches it, plus that
trial's wall time up to the epoch that does. The sweep's order would decide which trial comes
first, so the time is the mean over every order of the sweep (a randomised sweep's expected
time): the result does not depend on the order the suite ran it in. The paired GRU/LSTM ratio
of those times decides (`ratio_rule`, equivalent within ×1.1), tasks combined by the one rule
("GRU better"); the reason names the device and kernels that were timed. This is the
time-to-quality a practitioner waits for, not the per-epoch kernel gap that the speed claim
measures (the advisor counts only one of the two). Seeds with a concurrent trial give no time
(their results still count for the best value).
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

from gatebench import analysis
from gatebench.analysis.rules import ratio_rule
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    at_level,
    better_test,
    counts_as,
    decide_tasks,
    decision_effect,
    decision_row,
    finite,
    headline_task,
    mark_rows,
    not_run,
    readings_text,
    task_claim_result,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, ITERATION
from gatebench.claims.convergence import best_val, start_value, target, timed_on
from gatebench.claims.evidence import Evidence, is_concurrent
from gatebench.protocol.record import TrialRecord

WHAT = "GRU/LSTM wall time until the learning-rate sweep first reaches the common target"
UNIT = "ratio"
WITHIN = 0.1


def wall_time(record: TrialRecord) -> float:
    """A trial's total wall time: the last history entry's cumulative wall_s (NaN if none)."""
    history = record.history
    value = finite(history[-1].get("wall_s")) if history else None
    return math.nan if value is None else value


def _lr(sid: str) -> float:
    m = re.search(r"lr=([0-9.eE+-]+)", sid)
    return float(m.group(1)) if m else math.inf


def sweeps(evidence: Evidence) -> dict[str, dict[Any, dict[str, list[TrialRecord]]]]:
    """task -> seed -> cell -> that cell's trials (ascending learning rate)."""
    out: dict[str, dict[Any, dict[str, list[TrialRecord]]]] = {}
    for sid, records in sorted(evidence.studies("iteration/").items(), key=lambda kv: _lr(kv[0])):
        parts = sid.split("/")
        task = parts[1] if len(parts) > 2 else sid
        for p in analysis.pair_records(records):
            for c in FOLKLORE_CELLS:
                out.setdefault(task, {}).setdefault(p["seed"], {}).setdefault(c, []).append(p[c])
    return out


def time_to(trials: list[TrialRecord], goal: float, hib: bool) -> float | None:
    """Wall seconds from the sweep's start until validation first reaches `goal`."""
    spent = 0.0
    for t in trials:
        for h in t.history:
            v = finite(h.get("val_metric"))
            if v is not None and (v >= goal if hib else v <= goal):
                return spent + (finite(h.get("wall_s")) or math.nan)
        spent += wall_time(t)
    return None


def expected_time(trials: list[TrialRecord], goal: float, hib: bool) -> float | None:
    """The mean of `time_to` over every order of the sweep (None when no order reaches)."""
    times = [time_to(list(order), goal, hib) for order in itertools.permutations(trials)]
    if any(t is None for t in times):
        return None
    return sum(times) / len(times)  # type: ignore[arg-type]


def seed_ratio(by_cell: dict[str, list[TrialRecord]], share: float) -> float | None:
    """GRU/LSTM time to the seed's common target (None: incomplete, untimed or never reached)."""
    if any(len(by_cell.get(c, ())) != len(by_cell.get(GRU, ())) for c in FOLKLORE_CELLS):
        return None
    if any(is_concurrent(t) for c in FOLKLORE_CELLS for t in by_cell[c]):
        return None
    hib = by_cell[GRU][0].higher_is_better
    bests = []
    for c in FOLKLORE_CELLS:
        values = [b for b in map(best_val, by_cell[c]) if b is not None]
        if not values:
            return None
        bests.append(max(values) if hib else min(values))
    starts = [start_value(by_cell[c][0]) for c in FOLKLORE_CELLS]
    if any(v is None for v in starts):
        return None
    start = min(starts) if hib else max(starts)  # type: ignore[type-var]
    goal = target(min(bests) if hib else max(bests), start, share)  # type: ignore[arg-type]
    times = [expected_time(by_cell[c], goal, hib) for c in FOLKLORE_CELLS]
    if any(t is None or not t > 0 for t in times):
        return None
    return times[0] / times[1]


def decide(evidence: Evidence, share: float = 0.9) -> ClaimResult:
    """Per task: GRU/LSTM time-to-target ratio significantly below 1 -> for; above 1 or
    equivalent within ×1.1 -> against; tasks combined by the one rule ("GRU better")."""
    rows, decisions, where = [], {}, {}
    excluded = {"seeds_without_time": 0}
    for task, seeds in sorted(sweeps(evidence).items()):
        ratios = []
        for by_cell in seeds.values():
            r = seed_ratio(by_cell, share)
            if r is None:
                excluded["seeds_without_time"] += 1
            else:
                ratios.append(r)
        if not ratios:
            continue
        d = ratio_rule(ratios, within=WITHIN)
        decisions[task] = d
        trials = [t for s in seeds.values() for c in s.values() for t in c]
        where[task] = timed_on(trials)
        n_lrs = max(len(c) for s in seeds.values() for c in s.values())
        rows.append(decision_row(f"{task} sweep", WHAT, d, UNIT, task=task, level="task",
                                 device=trials[0].device,
                                 detail={"learning_rates": n_lrs, "seeds": len(seeds),
                                         "timed_on": where[task],
                                         "orders": "mean over every order of the sweep"}))
    if not decisions:
        return not_run(ITERATION, WHAT, UNIT, "running the sweeps alone on the machine: "
                       "gatebench suite --claims iteration", rows, excluded)
    combined = decide_tasks({t: better_test(d) for t, d in decisions.items()}, BETTER)
    mark_rows(rows, combined, at_level("task"))
    head = headline_task(counts_as(combined), combined.verdict, key=lambda t: decisions[t].n)
    reason = (f"{WHAT} ({share:.0%} of the way from the trivial baseline to the worse of the "
              f"two sweeps' best validation value, per seed; mean over every sweep order): "
              + readings_text(combined, {t: f"timed on {where[t]}; {d.reason}"
                                         for t, d in decisions.items()}) + ".")
    return task_claim_result(
        ITERATION, combined, reason,
        decision_effect(f"{WHAT} ({head}, {where[head]})", decisions[head], UNIT),
        rows, excluded, {
            SUPPORTED: "a task where LSTM's sweep reaches the target as fast or faster would "
                       "make it mixed",
            REFUTED: "a task where GRU's sweep reaches the target significantly sooner would "
                     "make it mixed",
            MIXED: "it stays mixed while tasks disagree",
            INCONCLUSIVE: f"more seeds, until the time ratio's interval excludes 1 or fits "
                          f"within \u00d7{1 + WITHIN:g}",
        })
