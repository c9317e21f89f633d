"""Claim "small-data": GRU overfits less on small data, by the train-validation gap per task.

The suite trains every data fraction for the same number of optimiser steps (epochs scaled by
1/fraction, one study per fraction: "small/<task>" and "small/<task>/f=<fraction>"; the small
fractions with no early stopping). A trial's gap is validation loss minus training loss, both
scored in eval mode at an epoch's end (`train_loss_eval`; older records fall back to the running
training loss, and say so), at a fixed optimiser-step budget: the epoch where the pair's
common step count (the fewer steps either trial ran) is reached, never the early-stopped
checkpoint, which would cap the overfitting it is meant to show. Gaps are divided by the task's
chance loss (ln K for K classes; 1 for a standardised regression target) so tasks are in
comparable units. Per task, at its smallest fraction, only pairs where both cells trained give
the paired LSTM − GRU gap (`paired_rule`, margin `margin`; positive: GRU overfits less): a
failed model has no gap to speak of. Pairs where one cell failed are reported as a failure-rate
difference (`success_rule`) beside it. Tasks combine by the one rule ("GRU better").
"""

from __future__ import annotations

import math
from typing import TypedDict

from gatebench import analysis
from gatebench.analysis.health import trial_failed
from gatebench.analysis.pairing import Pair
from gatebench.analysis.rules import Decision, paired_rule, success_rule
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    Exclusions,
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
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, LSTM, SMALL_DATA
from gatebench.claims.evidence import Evidence, unique_trials
from gatebench.protocol.record import TrialRecord

UNIT = "\u00d7 chance loss"
WHAT = "LSTM \u2212 GRU train\u2013validation gap at the smallest fraction (positive: GRU " \
       "overfits less)"


class FractionEvidence(TypedDict):
    """One data fraction of a task: the gap, test-metric and trained-share Decisions, and the
    counts behind them."""

    gap: Decision
    metric: Decision
    metric_unit: str
    pairs: int
    both_failed: int
    running_train_loss: int  # pairs whose gap fell back to the running training loss
    failures: dict[str, int]  # per cell
    trained: Decision


def chance_loss(record: TrialRecord) -> float:
    """The loss of a model that learned nothing: ln K for K classes, 1 for a standardised
    regression target (the mean predictor's MSE in standard units)."""
    if record.task.objective == "regression":
        return 1.0
    classes = record.task.description.get("classes")
    k = len(classes) if isinstance(classes, dict) and len(classes) > 1 else 2
    return math.log(k)


def gap(record: TrialRecord, steps: float | None = None) -> tuple[float | None, bool]:
    """(normalised gap at the first epoch that reaches `steps` optimiser steps, else at the
    last epoch; whether the eval-mode training loss was used)."""
    history = record.history
    if not history:
        return None, False
    h = next((h for h in history if steps is not None and (finite(h.get("steps")) or 0) >= steps),
             history[-1])
    train = finite(h.get("train_loss_eval"))
    eval_mode = train is not None
    train = train if eval_mode else finite(h.get("train_loss"))
    val = finite(h.get("val_loss"))
    if train is None or val is None:
        return None, eval_mode
    return (val - train) / chance_loss(record), eval_mode


def common_steps(pair: Pair) -> float | None:
    """The optimiser steps both trials of a pair ran (the fewer of their totals)."""
    totals = [finite((pair[c].history or [{}])[-1].get("steps"))
              for c in FOLKLORE_CELLS]
    return None if any(t is None for t in totals) else min(totals)  # type: ignore[type-var]


def task_name(sid: str) -> str:
    """"small/<task>[/f=...]" -> <task>."""
    parts = sid.split("/")
    return parts[1] if len(parts) > 1 else sid


def fraction_evidence(records: list[TrialRecord], margin: float
                      ) -> dict[float, FractionEvidence]:
    """Per data fraction: the paired gap Decision, the test-metric Decision and counts."""
    out: dict[float, FractionEvidence] = {}
    pairs = analysis.pair_records(records)
    by_fraction: dict[float, list[Pair]] = {}
    for p in pairs:
        by_fraction.setdefault(float(p["data_fraction"]), []).append(p)
    for fraction, ps in sorted(by_fraction.items()):
        first = ps[0][GRU]
        metric, hib = first.metric, first.higher_is_better
        gaps, both_failed, running = [], 0, 0
        for p in ps:
            failed = [bool(trial_failed(p[c])) for c in FOLKLORE_CELLS]
            both_failed += all(failed)
            if any(failed):  # a failed model has no gap: counted in the failure rates
                continue
            budget = common_steps(p)
            (g, g_eval), (ls, l_eval) = gap(p[GRU], budget), gap(p[LSTM], budget)
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
            "trained": success_rule([not trial_failed(p[GRU]) for p in ps],
                                    [not trial_failed(p[LSTM]) for p in ps]),
        }
    return out


def decide(evidence: Evidence, margin: float = 0.02) -> ClaimResult:
    """Per task at its smallest fraction (< 1): GRU's normalised gap significantly smaller ->
    for; larger or equivalent within ±margin -> against; tasks combined by the one rule."""
    by_task: dict[str, list[TrialRecord]] = {}
    for sid, records in evidence.studies("small/").items():
        by_task.setdefault(task_name(sid), []).extend(records)
    rows, deciding = [], {}
    no_small: list[str] = []
    running = 0
    for task, records in sorted(by_task.items()):
        fractions = fraction_evidence(unique_trials(records), margin)
        small = [f for f in fractions if f < 1.0]
        if not small:
            no_small.append(task)
            continue
        for f, e in fractions.items():
            running += e["running_train_loss"]
            rows.append(decision_row(f"{task} @ {f:g}", WHAT.replace(" at the smallest fraction",
                                                                     ""),
                                     e["gap"], UNIT, task=task, data_fraction=f, level="gap",
                                     failures=e["failures"],
                                     detail={"pairs": e["pairs"], "both_failed": e["both_failed"],
                                             "decides": f == min(small)}))
            rows.append(decision_row(f"{task} @ {f:g} test", "GRU \u2212 LSTM test metric",
                                     e["metric"], e["metric_unit"], task=task, data_fraction=f,
                                     level="metric"))
            rows.append(decision_row(f"{task} @ {f:g} trained", "GRU \u2212 LSTM share of "
                                     "seeds that trained (pairs where one cell failed)",
                                     e["trained"], "share", task=task, data_fraction=f,
                                     level="failures", failures=e["failures"]))
        deciding[task] = (min(small), fractions[min(small)]["gap"])
    excluded: Exclusions = {"no_small_fraction": no_small, "running_train_loss_pairs": running}
    if not deciding:
        return not_run(SMALL_DATA, WHAT, UNIT, "a learning curve with a fraction below 1: "
                       "gatebench suite --claims small-data", rows, excluded)
    combined = decide_tasks({t: better_test(d) for t, (_, d) in deciding.items()}, BETTER)
    mark_rows(rows, combined, lambda r: r["task"] if r.get("level") == "gap"
              and (r.get("detail") or {}).get("decides") else None)
    head = headline_task(counts_as(combined), combined.verdict, key=lambda t: deciding[t][1].n)
    reason = ("gap = validation \u2212 training loss, both in eval mode, at the pair's common "
              "optimiser-step budget (not the early-stopped epoch), in units of the chance "
              "loss, over pairs where both cells trained (one-cell failures are a failure-rate "
              "difference beside it): " + readings_text(combined, {
                  t: f"fraction {f:g}: {d.reason}" for t, (f, d) in deciding.items()}) + ".")
    return task_claim_result(
        SMALL_DATA, combined, reason,
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

