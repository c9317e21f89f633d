"""Claim "iteration": GRU gives faster experiment iteration, over a fixed learning-rate sweep.

Per task and seed, a cell's sweep time is the sum of its trials' total wall time (the last
history entry's cumulative `wall_s`) over every learning rate of the sweep, and its best
result is its best test metric across the sweep. Only seeds with both cells at every learning
rate count; a seed with any concurrent trial gives no time ratio (its results still count).
"""

from __future__ import annotations

import math
from typing import Any

from gatebench import analysis
from gatebench.claims.base import (
    INCONCLUSIVE,
    NOT_RUN,
    REFUTE_RATIO,
    SUPPORT_RATIO,
    SUPPORTED,
    ClaimResult,
    effect,
    finite,
    fmt_ratio,
    plural,
    ratio_verdict,
    row,
)
from gatebench.claims.catalogue import ITERATION
from gatebench.claims.evidence import Evidence, Record, is_concurrent

WHAT = "GRU/LSTM learning-rate sweep wall time"
BEST = "GRU \u2212 LSTM best test metric across the sweep"


def wall_time(record: Record) -> float:
    """A trial's total wall time: the last history entry's cumulative wall_s (NaN if none)."""
    history = record.get("history") or ()
    value = finite(history[-1].get("wall_s")) if history else None
    return math.nan if value is None else value


def sweeps(evidence: Evidence) -> dict[str, dict[str, list[list[dict[str, Record]]]]]:
    """task -> learning-rate study id -> that study's {gru, lstm} pairs."""
    out: dict[str, dict[str, Any]] = {}
    for sid, records in evidence.studies("iteration/").items():
        parts = sid.split("/")
        task = parts[1] if len(parts) > 2 else sid
        out.setdefault(task, {})[sid] = analysis.pair_records(records)
    return out


def _per_seed(by_lr: dict[str, list[dict[str, Any]]]) -> tuple[dict[Any, dict], int]:
    """Per seed with a complete sweep: each cell's summed wall time and best test metric."""
    seen: dict[Any, dict[str, dict[str, Record]]] = {}
    for sid, pairs in by_lr.items():
        for p in pairs:
            seen.setdefault(p["seed"], {})[sid] = p
    complete, partial = {}, 0
    for seed, pairs in seen.items():
        if len(pairs) < len(by_lr):
            partial += 1
            continue
        first = next(iter(pairs.values()))["gru"]
        metric, hib = str(first.get("metric")), bool(first.get("higher_is_better"))
        pick = max if hib else min
        complete[seed] = {
            "metric": metric, "hib": hib,
            "concurrent": any(is_concurrent(p[c]) for p in pairs.values() for c in ("gru", "lstm")),
            **{c: {"wall_s": sum(wall_time(p[c]) for p in pairs.values()),
                   "best": pick(analysis.effective_metric(p[c], metric, hib)
                                for p in pairs.values())}
               for c in ("gru", "lstm")},
        }
    return complete, partial


def decide(evidence: Evidence, support: float = SUPPORT_RATIO, refute: float = REFUTE_RATIO,
           margin: float = 1.0) -> ClaimResult:
    """Sweep time ratio CI hi <= support with no task's best result significantly worse for
    GRU -> supported; CI lo >= refute -> refuted; otherwise inconclusive."""
    rows, ratios, worse, n_tasks = [], [], [], 0
    excluded = {"incomplete_sweeps": 0, "concurrent_seeds_untimed": 0}
    for task, by_lr in sorted(sweeps(evidence).items()):
        seeds, partial = _per_seed(by_lr)
        excluded["incomplete_sweeps"] += partial
        if not seeds:
            continue
        timed = [s for s in seeds.values() if not s["concurrent"]]
        excluded["concurrent_seeds_untimed"] += len(seeds) - len(timed)
        task_ratios = [s["gru"]["wall_s"] / s["lstm"]["wall_s"] for s in timed
                       if s["gru"]["wall_s"] > 0 and s["lstm"]["wall_s"] > 0]
        ratios.extend(task_ratios)
        n_tasks += bool(task_ratios)
        g = analysis.geometric_mean_ratio(task_ratios)
        rows.append(row(f"{task} sweep time", WHAT, g["geomean"], g["ci"], len(task_ratios),
                        task=task, unit="ratio", verdict=ratio_verdict(g["ci"], support, refute),
                        detail={"learning_rates": sorted(by_lr), "sweep_wall_s": {
                            c: sum(s[c]["wall_s"] for s in timed) / max(len(timed), 1)
                            for c in ("gru", "lstm")}}))
        one = next(iter(seeds.values()))
        diffs = [analysis.improvement_points(one["metric"], one["hib"], s["gru"]["best"],
                                             s["lstm"]["best"]) for s in seeds.values()]
        best = analysis.decide(diffs, margin, unit=analysis.point_unit(one["metric"], one["hib"]))
        if best["label"] == analysis.better_label("lstm"):
            worse.append(task)
        rows.append(row(f"{task} best result", BEST, best["mean"], best["ci"], best["n"],
                        task=task, unit=best["unit"], verdict=best["label"],
                        detail=best["text"]))
    if not ratios:
        reason = NOT_RUN if not rows else "no complete sweep was timed without concurrent work"
        return ClaimResult(ITERATION.id, ITERATION.statement, INCONCLUSIVE, reason,
                           effect(WHAT, unit="ratio"), evidence=rows, excluded=excluded)
    pooled = analysis.geometric_mean_ratio(ratios)
    time_verdict = ratio_verdict(pooled["ci"], support, refute)
    # Faster, but to a worse model, is not a clear win for iteration.
    verdict = INCONCLUSIVE if time_verdict == SUPPORTED and worse else time_verdict
    reason = (f"{WHAT} is {fmt_ratio(pooled['geomean'], pooled['ci'])} (n={len(ratios)} seeds "
              f"over {plural(n_tasks, 'task')}; supported needs the CI "
              f"\u2264 {support:g}, refuted \u2265 {refute:g}); best result significantly worse "
              f"for GRU on {', '.join(worse) if worse else 'no task'}.")
    return ClaimResult(ITERATION.id, ITERATION.statement, verdict, reason,
                       effect(WHAT, pooled["geomean"], pooled["ci"], "ratio"),
                       evidence=rows, excluded=excluded)
