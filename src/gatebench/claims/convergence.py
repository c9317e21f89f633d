"""Claim "convergence": GRU converges in fewer epochs, to the pair's common target.

Trials come from the short/ and small/ studies at the full data fraction, each stored trial
counted once (a trial shared by two studies is the same evidence). For each seed pair the
common target lies `share` (default 0.9) of the way from the task's trivial baseline to the
worse of the two cells' best validation values (which both runs reach); without a recorded
baseline, from the worse of the two first-epoch values. Primary figure: the paired GRU/LSTM
ratio of optimiser steps to that target (`ratio_rule`, equivalent within ×1.1), at step
granularity: the step where validation crosses the target, interpolated linearly between the
evaluations around it (and the same for seconds and epochs, reported beside). Pairs where a
trial failed to train (near the trivial baseline) are left out and counted per cell; a task
whose trials were still improving when they stopped (the health checks of `compare`) is
uninformative: its steps-to-target measure the budget. Tasks combine by the one rule
(analysis.combine, "GRU better"): a task for when GRU needs significantly fewer steps after
Holm, against when more or equivalent.
"""

from __future__ import annotations

import math

from gatebench.analysis import pair_records
from gatebench.analysis.health import trial_failed
from gatebench.analysis.pairing import Pair
from gatebench.analysis.rules import ratio_rule
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    Exclusions,
    TaskTest,
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
from gatebench.claims.catalogue import CONVERGENCE, FOLKLORE_CELLS, GRU, LSTM
from gatebench.claims.evidence import Evidence, is_concurrent, unique_trials
from gatebench.claims.health import FAILURES, health_reason, task_health
from gatebench.protocol.record import TrialRecord

WHAT = "GRU/LSTM optimiser steps to the pair's common target"
UNIT = "ratio"
WITHIN = 0.1


def target(best: float, baseline: float, share: float) -> float:
    """The value `share` of the way from `baseline` to `best` (module docstring)."""
    return baseline + share * (best - baseline)


def start_value(record: TrialRecord) -> float | None:
    """Where training starts from: the task's trivial baseline for the record's metric, else
    the first recorded validation value."""
    base = record.task.description.get("baseline") or {}
    if base.get("metric") == record.metric and finite(base.get("value")) is not None:
        return float(base["value"])
    history = record.history
    return finite(history[0].get("val_metric")) if history else None


def best_val(record: TrialRecord) -> float | None:
    """The run's best finite validation metric (None when it has none)."""
    values = [v for v in (finite(h.get("val_metric")) for h in record.history) if v is not None]
    if not values:
        return None
    return max(values) if record.higher_is_better else min(values)


def reach(record: TrialRecord, goal: float, start: float) -> dict[str, float] | None:
    """Epochs, optimiser steps and training seconds when validation first reaches `goal`,
    interpolated linearly between the evaluation before and the one that reaches it (before
    the first epoch: step 0 at `start`)."""
    hib = record.higher_is_better
    per_epoch = _steps_per_epoch(record)
    before = {"epoch": 0.0, "steps": 0.0, "seconds": 0.0, "value": start}
    for h in record.history:
        v = finite(h.get("val_metric"))
        if v is None:
            continue
        epoch = float(h.get("epoch"))
        steps = finite(h.get("steps"))
        now = {"epoch": epoch, "steps": steps if steps is not None else epoch * per_epoch,
               "seconds": finite(h.get("train_time_s")) or math.nan, "value": v}
        if v >= goal if hib else v <= goal:
            span = now["value"] - before["value"]
            w = 1.0 if span == 0 else min(1.0, max(0.0, (goal - before["value"]) / span))
            return {k: before[k] + w * (now[k] - before[k]) for k in ("epoch", "steps",
                                                                      "seconds")}
        before = now
    return None


def _steps_per_epoch(record: TrialRecord) -> float:
    steps = finite(record.timing.steps)
    epochs = len(record.history) or 1
    return steps / epochs if steps else math.nan


def pair_ratios(pair: Pair, share: float) -> dict[str, float] | None:
    """GRU/LSTM steps, epochs and seconds to the pair's common target (None: no validation)."""
    g, lstm = pair[GRU], pair[LSTM]
    bests = best_val(g), best_val(lstm)
    if bests[0] is None or bests[1] is None:
        return None
    hib = g.higher_is_better
    starts = start_value(g), start_value(lstm)
    if starts[0] is None or starts[1] is None:
        return None
    start = min(starts) if hib else max(starts)
    goal = target(min(bests) if hib else max(bests), start, share)
    a, b = reach(g, goal, start), reach(lstm, goal, start)
    if a is None or b is None:
        return None
    timed = not (is_concurrent(g) or is_concurrent(lstm))
    return {"steps": _ratio(a["steps"], b["steps"]), "epochs": _ratio(a["epoch"], b["epoch"]),
            "seconds": _ratio(a["seconds"], b["seconds"]) if timed else math.nan,
            "gru_epochs": a["epoch"], "lstm_epochs": b["epoch"]}


def _ratio(a: float, b: float) -> float:
    return a / b if a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b) else math.nan


def _task_ratios(records: list[TrialRecord], share: float, failed: dict[str, int]
                 ) -> tuple[list[dict[str, float]], int]:
    """Per healthy seed pair of one task, its ratios to the common target, and how many pairs
    had none (failed trials are counted per cell into `failed`)."""
    ratios, without_target = [], 0
    for p in pair_records(unique_trials(records)):
        bad = {c: bool(trial_failed(p[c])) for c in FOLKLORE_CELLS}
        for c, f in bad.items():
            failed[c] += f
        if any(bad.values()):
            continue
        r = pair_ratios(p, share)
        if r is None:
            without_target += 1
            continue
        ratios.append(r)
    return ratios, without_target


def timed_on(records: list[TrialRecord]) -> str:
    """"cpu; kernels gru aten::gru, lstm mkldnn_rnn_layer": what the seconds were timed on."""
    device = next((r.device for r in records if r.device), "?")
    kernels = {r.cell: r.kernel for r in records if r.kernel}
    return f"{device}; kernels " + ", ".join(f"{c} {k}" for c, k in sorted(kernels.items()))


def decide(evidence: Evidence, share: float = 0.9) -> ClaimResult:
    """Per task: GRU/LSTM steps to the common target significantly below 1 -> for; above 1 or
    equivalent within ×1.1 -> against; tasks combined by the one rule ("GRU better")."""
    by_task: dict[str, list[TrialRecord]] = {}
    for records in {**evidence.studies("short/"), **evidence.studies("small/")}.values():
        for r in records:
            if math.isclose(finite(r.data_fraction) or 0.0, 1.0):
                by_task.setdefault(r.task.name or "?", []).append(r)
    rows, decisions, tests = [], {}, {}
    failed, without_target = dict.fromkeys(FOLKLORE_CELLS, 0), 0
    for task, records in sorted(by_task.items()):
        ratios, no_target = _task_ratios(records, share, failed)
        without_target += no_target
        if not ratios:
            continue
        for key, what in (("steps", WHAT), ("epochs", "GRU/LSTM epochs to the common target"),
                          ("seconds", "GRU/LSTM training seconds to the common target")):
            d = ratio_rule([r[key] for r in ratios], within=WITHIN)
            if key == "steps":
                decisions[task] = d
                unhealthy = health_reason(task_health(unique_trials(records), scored=FAILURES))
                tests[task] = TaskTest.silent(unhealthy) if unhealthy else better_test(d)
            rows.append(decision_row(f"{task} {key}", what, d, UNIT, task=task, measure=key,
                                     level="task" if key == "steps" else "beside",
                                     device=records[0].device,
                                     detail={"gru_epochs": _mean(r["gru_epochs"] for r in ratios),
                                             "lstm_epochs": _mean(r["lstm_epochs"]
                                                                  for r in ratios),
                                             **({"timed_on": timed_on(records)}
                                                if key == "seconds" else {})}))
    excluded: Exclusions = {"pairs_without_target": without_target, "failed_trials": failed}
    if not decisions:
        return not_run(CONVERGENCE, WHAT, UNIT, "running the short and small-data studies: "
                       "gatebench suite --claims convergence", rows, excluded)
    combined = decide_tasks(tests, BETTER)
    mark_rows(rows, combined, at_level("task"))
    verdicts = counts_as(combined)
    head = headline_task(verdicts, combined.verdict, key=lambda t: decisions[t].n)
    reason = (f"{WHAT} ({share:.0%} of the way from the trivial baseline to the worse best "
              f"validation of each pair, at step granularity; each stored trial once; failed "
              f"trials left out): "
              + readings_text(combined, {t: d.reason for t, d in decisions.items()}) + ".")
    return task_claim_result(
        CONVERGENCE, combined, reason,
        decision_effect(f"{WHAT} ({head})", decisions[head], UNIT),
        rows, excluded, {
            SUPPORTED: "a task where LSTM reaches the common target in as few steps or fewer "
                       "would make it mixed",
            REFUTED: "a task where GRU needs significantly fewer steps would make it mixed",
            MIXED: "it stays mixed while tasks disagree",
            INCONCLUSIVE: f"more seeds (or a budget every trial finishes in), until a task's "
                          f"interval excludes 1 or fits within \u00d7{1 + WITHIN:g}",
        })


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return sum(vals) / len(vals) if vals else None
