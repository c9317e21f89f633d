"""Claim "small-data": GRU overfits less on small data, by the train-validation gap."""

from __future__ import annotations

from typing import Any

from gatebench.analysis import bootstrap_ci, learning_curve, t_ci
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    combine,
    effect,
    finite,
    fmt_diff,
    plural,
    row,
)
from gatebench.claims.catalogue import SMALL_DATA
from gatebench.claims.evidence import Evidence
from gatebench.errors import GatebenchError

GAP = "validation \u2212 training loss at the best epoch"
WHAT = f"GRU \u2212 LSTM gap ({GAP})"
UNIT = "loss"


def _values(values: list[Any]) -> list[float]:
    return [v for v in map(finite, values) if v is not None]


def gap_differences(curve_row: dict[str, Any]) -> list[float]:
    """Per seed pair, GRU's gap minus LSTM's (negative: GRU overfits less); learning_curve
    lists both cells' values in the same pair order."""
    pairs = zip(curve_row["gru"]["gap"]["values"], curve_row["lstm"]["gap"]["values"], strict=True)
    return [g - lstm for g, lstm in ((finite(a), finite(b)) for a, b in pairs)
            if g is not None and lstm is not None]


def lstm_scores_better(metric_ci: list[Any]) -> bool:
    """The paired GRU − LSTM test-metric CI (positive: GRU better) lies entirely below 0."""
    hi = finite(metric_ci[1])
    return hi is not None and hi < 0


def study_verdict(gap_ci: list[Any], metric_ci: list[Any]) -> str:
    """GRU's gap significantly smaller (CI < 0) and its test metric not significantly worse ->
    supported; gap significantly larger or LSTM significantly better on test -> refuted."""
    gap_lo, gap_hi = finite(gap_ci[0]), finite(gap_ci[1])
    if (gap_lo is not None and gap_lo > 0) or lstm_scores_better(metric_ci):
        return REFUTED
    if gap_hi is not None and gap_hi < 0:
        return SUPPORTED
    return INCONCLUSIVE


def _curve_rows(sid: str, task: Any, curve: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The whole learning curve: per fraction and cell, test metric and gap with CIs."""
    rows = []
    for r in curve:
        for cell in ("gru", "lstm"):
            c, gaps = r[cell], _values(r[cell]["gap"]["values"])
            rows.append(row(f"{sid} {cell} @ {r['data_fraction']:g}", "test metric",
                            c["mean"], c["ci"], r["n_pairs"], task=task, cell=cell,
                            data_fraction=r["data_fraction"], level="curve",
                            gap={"mean": c["gap"]["mean"], "ci": list(bootstrap_ci(gaps))}))
    return rows


def decide(evidence: Evidence) -> ClaimResult:
    """At each small/* study's smallest fraction (< 1): a paired t-CI of GRU − LSTM gap < 0 ->
    supported; > 0, or LSTM's test metric significantly better -> refuted; tasks disagree ->
    mixed."""
    rows, verdicts, pooled, lstm_better = [], {}, [], []
    excluded: dict[str, list[str]] = {"no_small_fraction": [], "unreadable": []}
    for sid, records in evidence.studies("small/").items():
        try:
            curve = learning_curve(records)
        except GatebenchError:
            excluded["unreadable"].append(sid)
            continue
        small = next((r for r in curve if r["n_pairs"] and r["data_fraction"] < 1.0), None)
        if small is None:
            excluded["no_small_fraction"].append(sid)
            continue
        task = (records[0].get("task") or {}).get("name")
        rows.extend(_curve_rows(sid, task, curve))
        for r in curve:
            diffs = gap_differences(r)
            gap_ci = list(t_ci(diffs))
            metric = r["difference"]
            fraction_verdict = study_verdict(gap_ci, metric["ci"])
            if r is small:
                verdicts[sid] = fraction_verdict
                pooled.extend(diffs)
                if lstm_scores_better(metric["ci"]):
                    lstm_better.append(sid)
            rows.append(row(
                f"{sid} @ {r['data_fraction']:g}", WHAT, sum(diffs) / len(diffs) if diffs else None,
                gap_ci, len(diffs), task=task, data_fraction=r["data_fraction"], unit=UNIT,
                level="difference", verdict=fraction_verdict, decides=r is small,
                metric_difference={"what": metric["what"], "unit": metric["unit"],
                                   "mean": metric["mean"], "ci": metric["ci"]},
            ))
    if not verdicts:
        return ClaimResult(SMALL_DATA.id, SMALL_DATA.statement, INCONCLUSIVE, NOT_RUN,
                           effect(WHAT, unit=UNIT), evidence=rows, excluded=excluded)
    verdict = combine(verdicts.values())
    lo, hi = t_ci(pooled)
    mean = sum(pooled) / len(pooled) if pooled else None
    tally = "; ".join(f"{sid} {v}" for sid, v in verdicts.items())
    reason = (f"at the smallest data fraction GRU \u2212 LSTM gap is "
              f"{fmt_diff(mean, (lo, hi), UNIT)} (n={len(pooled)} pairs, "
              f"{plural(len(verdicts), 'task')} pooled; negative = GRU overfits less); LSTM's "
              f"test metric significantly better on {', '.join(lstm_better) or 'no task'}; "
              f"per task: {tally}.")
    return ClaimResult(
        SMALL_DATA.id, SMALL_DATA.statement, verdict, reason,
        effect(f"{WHAT}, smallest fraction, tasks pooled", mean, (lo, hi), UNIT),
        depends_on="the task" if verdict == MIXED else None, evidence=rows, excluded=excluded,
    )
