"""Claim "small-data": GRU overfits less on small data, by the train-validation gap per task.

The suite trains every data fraction for the same number of optimiser steps (epochs scaled by
1/fraction, one study per fraction: "small/<task>" and "small/<task>/f=<fraction>"). A
trial's gap is validation loss minus training loss at its selected epoch, both scored in eval
mode at the epoch's end (`train_loss_eval`; older records fall back to the running training
loss, and say so), divided by the task's chance loss (ln K for K classes; 1 for a standardised
regression target) so tasks are in comparable units. Per task, at its smallest fraction, seed
pairs where both cells failed to train carry no signal; the rest give the paired
LSTM − GRU gap (`paired_rule`, margin `margin`; positive: GRU overfits less). Holm across
tasks: GRU's gap smaller -> supported; larger or equivalent -> refuted; split -> mixed.
"""

from __future__ import annotations

import math
from typing import Any

from gatebench import analysis
from gatebench.analysis.health import trial_failed
from gatebench.analysis.rules import paired_rule
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
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, LSTM, SMALL_DATA
from gatebench.claims.evidence import Evidence, Record, unique_trials

UNIT = "\u00d7 chance loss"
WHAT = "LSTM \u2212 GRU train\u2013validation gap at the smallest fraction (positive: GRU " \
       "overfits less)"


def chance_loss(record: Record) -> float:
    """The loss of a model that learned nothing: ln K for K classes, 1 for a standardised
    regression target (the mean predictor's MSE in standard units)."""
    task = record.get("task") or {}
    if task.get("objective") == "regression":
        return 1.0
    classes = (task.get("description") or {}).get("classes")
    k = len(classes) if isinstance(classes, dict) and len(classes) > 1 else 2
    return math.log(k)


def gap(record: Record) -> tuple[float | None, bool]:
    """(normalised gap at the selected epoch, whether the eval-mode training loss was used)."""
    best, history = record.get("best_epoch"), record.get("history") or []
    if not isinstance(best, int) or not 1 <= best <= len(history):
        return None, False
    h = history[best - 1]
    train = finite(h.get("train_loss_eval"))
    eval_mode = train is not None
    train = train if eval_mode else finite(h.get("train_loss"))
    val = finite(h.get("val_loss"))
    if train is None or val is None:
        return None, eval_mode
    return (val - train) / chance_loss(record), eval_mode


def task_name(sid: str) -> str:
    """"small/<task>[/f=...]" -> <task>."""
    parts = sid.split("/")
    return parts[1] if len(parts) > 1 else sid


def fraction_evidence(records: list[Record], margin: float) -> dict[float, dict[str, Any]]:
    """Per data fraction: the paired gap Decision, the test-metric Decision and counts."""
    out: dict[float, dict[str, Any]] = {}
    pairs = analysis.pair_records(records)
    by_fraction: dict[float, list[dict[str, Any]]] = {}
    for p in pairs:
        by_fraction.setdefault(float(p["data_fraction"]), []).append(p)
    for fraction, ps in sorted(by_fraction.items()):
        first = ps[0][GRU]
        metric, hib = str(first.get("metric")), bool(first.get("higher_is_better"))
        gaps, both_failed, running = [], 0, 0
        for p in ps:
            if trial_failed(p[GRU]) and trial_failed(p[LSTM]):
                both_failed += 1
                continue
            (g, g_eval), (ls, l_eval) = gap(p[GRU]), gap(p[LSTM])
            running += not (g_eval and l_eval)
            if g is not None and ls is not None:
                gaps.append(ls - g)
        metric_diffs = [analysis.improvement_points(
            metric, hib, analysis.effective_metric(p[GRU], metric, hib),
            analysis.effective_metric(p[LSTM], metric, hib)) for p in ps]
        out[fraction] = {
            "gap": paired_rule(gaps, margin), "metric": paired_rule(metric_diffs, 1.0),
            "metric_unit": analysis.point_unit(metric, hib), "pairs": len(ps),
            "both_failed": both_failed, "running_train_loss": running,
            "failures": {c: sum(bool(trial_failed(p[c])) for p in ps) for c in FOLKLORE_CELLS},
        }
    return out


def decide(evidence: Evidence, margin: float = 0.02) -> ClaimResult:
    """Per task at its smallest fraction (< 1): GRU's normalised gap significantly smaller ->
    supports; larger or equivalent within ±margin -> refutes; Holm across tasks; split ->
    mixed."""
    by_task: dict[str, list[Record]] = {}
    for sid, records in evidence.studies("small/").items():
        by_task.setdefault(task_name(sid), []).extend(records)
    rows, deciding = [], {}
    excluded: dict[str, Any] = {"no_small_fraction": [], "running_train_loss_pairs": 0}
    for task, records in sorted(by_task.items()):
        fractions = fraction_evidence(unique_trials(records), margin)
        small = [f for f in fractions if f < 1.0]
        if not small:
            excluded["no_small_fraction"].append(task)
            continue
        for f, e in fractions.items():
            excluded["running_train_loss_pairs"] += e["running_train_loss"]
            rows.append(decision_row(f"{task} @ {f:g}", WHAT.replace(" at the smallest fraction",
                                                                     ""),
                                     e["gap"], UNIT, task=task, data_fraction=f, level="gap",
                                     failures=e["failures"],
                                     detail={"pairs": e["pairs"], "both_failed": e["both_failed"],
                                             "decides": f == min(small)}))
            rows.append(decision_row(f"{task} @ {f:g} test", "GRU \u2212 LSTM test metric",
                                     e["metric"], e["metric_unit"], task=task, data_fraction=f,
                                     level="metric"))
        deciding[task] = (min(small), fractions[min(small)]["gap"])
    if not deciding:
        return not_run(SMALL_DATA, WHAT, UNIT, "a learning curve with a fraction below 1: "
                       "gatebench suite --claims small-data", rows, excluded)
    adjusted, verdicts, verdict = holm_verdict({t: d for t, (_, d) in deciding.items()})
    head = headline_task(verdicts, verdict, key=lambda t: deciding[t][1].n)
    tally = "; ".join(f"{t} at {f:g}: {adjusted[t]} ({d.reason})"
                      for t, (f, d) in deciding.items())
    reason = (f"gap = validation \u2212 training loss at the selected epoch, both in eval mode, "
              f"in units of the chance loss, at equal optimiser steps; per task (Holm): "
              f"{tally}.")
    return task_claim_result(
        SMALL_DATA, verdict, reason,
        decision_effect(f"{WHAT} ({head}, fraction {deciding[head][0]:g})", deciding[head][1],
                        UNIT),
        rows, excluded, {
            SUPPORTED: "a task where LSTM's gap is smaller or equivalent at the smallest "
                       "fraction would make it mixed",
            REFUTED: "a task where GRU's gap is significantly smaller at the smallest fraction "
                     "would make it mixed",
            MIXED: "it stays mixed while tasks disagree",
            INCONCLUSIVE: f"more seeds at the smallest fraction, until the gap's interval "
                          f"excludes 0 or fits inside \u00b1{margin:g}",
        })

