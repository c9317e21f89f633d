"""Claim "convergence": GRU converges in fewer epochs, to the pair's common target.

Trials come from the short/ and small/ studies at the full data fraction, each stored trial
counted once (a trial shared by two studies is the same evidence). For each seed pair the
common target is `share` (default 0.95) of the worse of the two cells' best validation values
(for higher-is-better metrics b − (1 − s)|b|; for errors b + (1/s − 1)|b|), which both runs
reach. Primary figure: the paired GRU/LSTM ratio of optimiser steps to that target
(`ratio_rule`, equivalent within ×1.1); on the same batches, steps and epochs give the same
ratio. Epochs and training seconds are reported beside it. Pairs where a trial failed to train
(near the trivial baseline) are left out and counted per cell. Holm across tasks: GRU
significantly fewer steps -> supported; more or equivalent -> refuted; split -> mixed.
"""

from __future__ import annotations

import math
from typing import Any

from gatebench.analysis import pair_records
from gatebench.analysis.health import trial_failed
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
from gatebench.claims.catalogue import CONVERGENCE, FOLKLORE_CELLS, GRU, LSTM
from gatebench.claims.evidence import Evidence, Record, is_concurrent, unique_trials

WHAT = "GRU/LSTM optimiser steps to the pair's common target"
UNIT = "ratio"
WITHIN = 0.1


def target(best: float, higher_is_better: bool, share: float) -> float:
    """The value that counts as reaching `share` of `best` (module docstring)."""
    if higher_is_better:
        return best - (1.0 - share) * abs(best)
    return best + (1.0 / share - 1.0) * abs(best)


def best_val(record: Record) -> float | None:
    """The run's best finite validation metric (None when it has none)."""
    values = [v for v in (finite(h.get("val_metric")) for h in record.get("history") or ())
              if v is not None]
    if not values:
        return None
    return max(values) if record.get("higher_is_better") else min(values)


def reach(record: Record, goal: float) -> dict[str, float] | None:
    """Epoch, optimiser steps and training seconds when validation first reaches `goal`."""
    hib = bool(record.get("higher_is_better"))
    history = record.get("history") or ()
    per_epoch = _steps_per_epoch(record)
    for h in history:
        v = finite(h.get("val_metric"))
        if v is not None and (v >= goal if hib else v <= goal):
            epoch = float(h.get("epoch"))
            steps = finite(h.get("steps"))
            return {"epoch": epoch,
                    "steps": steps if steps is not None else epoch * per_epoch,
                    "seconds": finite(h.get("train_time_s")) or math.nan}
    return None


def _steps_per_epoch(record: Record) -> float:
    steps = finite((record.get("timing") or {}).get("steps"))
    epochs = len(record.get("history") or ()) or 1
    return steps / epochs if steps else math.nan


def pair_ratios(pair: dict[str, Any], share: float) -> dict[str, float] | None:
    """GRU/LSTM steps, epochs and seconds to the pair's common target (None: no validation)."""
    g, lstm = pair[GRU], pair[LSTM]
    bests = best_val(g), best_val(lstm)
    if bests[0] is None or bests[1] is None:
        return None
    hib = bool(g.get("higher_is_better"))
    goal = target(min(bests) if hib else max(bests), hib, share)
    a, b = reach(g, goal), reach(lstm, goal)
    if a is None or b is None:
        return None
    timed = not (is_concurrent(g) or is_concurrent(lstm))
    return {"steps": _ratio(a["steps"], b["steps"]), "epochs": _ratio(a["epoch"], b["epoch"]),
            "seconds": _ratio(a["seconds"], b["seconds"]) if timed else math.nan,
            "gru_epochs": a["epoch"], "lstm_epochs": b["epoch"]}


def _ratio(a: float, b: float) -> float:
    return a / b if a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b) else math.nan


def decide(evidence: Evidence, share: float = 0.95) -> ClaimResult:
    """Per task: GRU/LSTM steps to the common target significantly below 1 -> supports;
    above 1 or equivalent within ×1.1 -> refutes; Holm across tasks; split -> mixed."""
    by_task: dict[str, list[Record]] = {}
    for records in {**evidence.studies("short/"), **evidence.studies("small/")}.values():
        for r in records:
            if math.isclose(finite(r.get("data_fraction", 1.0)) or 0.0, 1.0):
                by_task.setdefault((r.get("task") or {}).get("name") or "?", []).append(r)
    rows, decisions = [], {}
    excluded: dict[str, Any] = {"pairs_without_target": 0,
                                "failed_trials": dict.fromkeys(FOLKLORE_CELLS, 0)}
    for task, records in sorted(by_task.items()):
        ratios = []
        for p in pair_records(unique_trials(records)):
            bad = {c: bool(trial_failed(p[c])) for c in FOLKLORE_CELLS}
            for c, f in bad.items():
                excluded["failed_trials"][c] += f
            if any(bad.values()):
                continue
            r = pair_ratios(p, share)
            if r is None:
                excluded["pairs_without_target"] += 1
                continue
            ratios.append(r)
        if not ratios:
            continue
        for key, what in (("steps", WHAT), ("epochs", "GRU/LSTM epochs to the common target"),
                          ("seconds", "GRU/LSTM training seconds to the common target")):
            d = ratio_rule([r[key] for r in ratios], within=WITHIN)
            if key == "steps":
                decisions[task] = d
            rows.append(decision_row(f"{task} {key}", what, d, UNIT, task=task, measure=key,
                                     level="task" if key == "steps" else "beside",
                                     detail={"gru_epochs": _mean(r["gru_epochs"] for r in ratios),
                                             "lstm_epochs": _mean(r["lstm_epochs"]
                                                                  for r in ratios)}))
    if not decisions:
        return not_run(CONVERGENCE, WHAT, UNIT, "running the short and small-data studies: "
                       "gatebench suite --claims convergence", rows, excluded)
    adjusted, verdicts, verdict = holm_verdict(decisions)
    head = headline_task(verdicts, verdict, key=lambda t: decisions[t].n)
    reason = (f"{WHAT} ({share:.0%} of the worse best validation of each pair; each stored "
              f"trial once; failed trials left out): "
              + "; ".join(f"{t}: {adjusted[t]} ({d.reason})" for t, d in decisions.items())
              + ".")
    return task_claim_result(
        CONVERGENCE, verdict, reason, decision_effect(f"{WHAT} ({head})", decisions[head], UNIT),
        rows, excluded, {
            SUPPORTED: "a task where LSTM reaches the common target in as few steps or fewer "
                       "would make it mixed",
            REFUTED: "a task where GRU needs significantly fewer steps would make it mixed",
            MIXED: "it stays mixed while tasks disagree",
            INCONCLUSIVE: f"more seeds, until a task's interval excludes 1 or fits within "
                          f"\u00d7{1 + WITHIN:g}",
        })


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return sum(vals) / len(vals) if vals else None
