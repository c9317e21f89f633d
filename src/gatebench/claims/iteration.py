"""Claim "iteration": GRU gives faster experiment iteration: time until a sweep is good enough.

Per task and seed, each cell runs the same learning-rate sweep in the same order (ascending).
A cell's iteration time is the wall time from the start of its sweep until its validation
metric first reaches the seed's common target: `share` of the worse of the two cells' best
validation value over the whole sweep (which both reach). It sums the full wall time of the
trials before the one that reaches it, plus that trial's wall time up to the epoch that does.
The paired GRU/LSTM ratio of those times decides (`ratio_rule`, equivalent within ×1.1);
Holm across tasks. This is the time-to-quality a practitioner waits for, not the per-epoch
kernel gap that the speed claim measures (the advisor counts only one of the two).
Seeds with a concurrent trial give no time (their results still count for the best value).
"""

from __future__ import annotations

import math
import re
from typing import Any

from gatebench import analysis
from gatebench.analysis.rules import ratio_rule
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    decision_effect,
    decision_row,
    finite,
    headline_task,
    holm_verdict,
    not_run,
    task_claim_result,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, ITERATION
from gatebench.claims.convergence import best_val, target
from gatebench.claims.evidence import Evidence, Record, is_concurrent

WHAT = "GRU/LSTM wall time until the learning-rate sweep first reaches the common target"
UNIT = "ratio"
WITHIN = 0.1


def wall_time(record: Record) -> float:
    """A trial's total wall time: the last history entry's cumulative wall_s (NaN if none)."""
    history = record.get("history") or ()
    value = finite(history[-1].get("wall_s")) if history else None
    return math.nan if value is None else value


def _lr(sid: str) -> float:
    m = re.search(r"lr=([0-9.eE+-]+)", sid)
    return float(m.group(1)) if m else math.inf


def sweeps(evidence: Evidence) -> dict[str, dict[Any, dict[str, list[Record]]]]:
    """task -> seed -> cell -> that cell's trials in sweep order (ascending learning rate)."""
    out: dict[str, dict[Any, dict[str, list[Record]]]] = {}
    for sid, records in sorted(evidence.studies("iteration/").items(), key=lambda kv: _lr(kv[0])):
        parts = sid.split("/")
        task = parts[1] if len(parts) > 2 else sid
        for p in analysis.pair_records(records):
            for c in FOLKLORE_CELLS:
                out.setdefault(task, {}).setdefault(p["seed"], {}).setdefault(c, []).append(p[c])
    return out


def time_to(trials: list[Record], goal: float, hib: bool) -> float | None:
    """Wall seconds from the sweep's start until validation first reaches `goal`."""
    spent = 0.0
    for t in trials:
        for h in t.get("history") or ():
            v = finite(h.get("val_metric"))
            if v is not None and (v >= goal if hib else v <= goal):
                return spent + (finite(h.get("wall_s")) or math.nan)
        spent += wall_time(t)
    return None


def seed_ratio(by_cell: dict[str, list[Record]], share: float) -> float | None:
    """GRU/LSTM time to the seed's common target (None: incomplete, untimed or never reached)."""
    if any(len(by_cell.get(c, ())) != len(by_cell.get(GRU, ())) for c in FOLKLORE_CELLS):
        return None
    if any(is_concurrent(t) for c in FOLKLORE_CELLS for t in by_cell[c]):
        return None
    hib = bool(by_cell[GRU][0].get("higher_is_better"))
    bests = []
    for c in FOLKLORE_CELLS:
        values = [b for b in map(best_val, by_cell[c]) if b is not None]
        if not values:
            return None
        bests.append(max(values) if hib else min(values))
    goal = target(min(bests) if hib else max(bests), hib, share)
    times = [time_to(by_cell[c], goal, hib) for c in FOLKLORE_CELLS]
    if any(t is None or not t > 0 for t in times):
        return None
    return times[0] / times[1]


def decide(evidence: Evidence, share: float = 0.95) -> ClaimResult:
    """Per task: GRU/LSTM time-to-target ratio significantly below 1 -> supports; above 1 or
    equivalent within ×1.1 -> refutes; Holm across tasks; split -> mixed."""
    rows, decisions = [], {}
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
        n_lrs = max(len(c) for s in seeds.values() for c in s.values())
        device = next((t.get("device") for s in seeds.values() for c in s.values() for t in c),
                      None)
        rows.append(decision_row(f"{task} sweep", WHAT, d, UNIT, task=task, level="task",
                                 device=device,
                                 detail={"learning_rates": n_lrs, "seeds": len(seeds)}))
    if not decisions:
        return not_run(ITERATION, WHAT, UNIT, "running the sweeps alone on the machine: "
                       "gatebench suite --claims iteration", rows, excluded)
    adjusted, verdicts, verdict = holm_verdict(decisions)
    for r in rows:
        r.update(outcome_holm=adjusted[r["task"]], counts_as=verdicts[r["task"]])
    head = headline_task(verdicts, verdict, key=lambda t: decisions[t].n)
    reason = (f"{WHAT} ({share:.0%} of the worse of the two sweeps' best validation value, "
              f"per seed): " + "; ".join(f"{t}: {adjusted[t]} ({d.reason})"
                                        for t, d in decisions.items()) + ".")
    return task_claim_result(
        ITERATION, verdict, reason, decision_effect(f"{WHAT} ({head})", decisions[head], UNIT),
        rows, excluded, {
            SUPPORTED: "a task where LSTM's sweep reaches the target as fast or faster would "
                       "make it mixed",
            REFUTED: "a task where GRU's sweep reaches the target significantly sooner would "
                     "make it mixed",
            MIXED: "it stays mixed while tasks disagree",
            INCONCLUSIVE: f"more seeds, until the time ratio's interval excludes 1 or fits "
                          f"within \u00d7{1 + WITHIN:g}",
        })
