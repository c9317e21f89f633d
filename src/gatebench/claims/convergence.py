"""Claim "convergence": GRU converges in fewer epochs, to 95% of each run's best validation.

Reaching a share s (default 0.95) of a best validation value b means, for higher-is-better
metrics, a value >= b - (1 - s)|b| (95% of b for non-negative scores), and for lower-is-better
metrics a value <= b + (1/s - 1)|b| (within b / 0.95 for non-negative errors). The epoch
counted is the first history entry that reaches it; times are that entry's cumulative
`train_time_s` (training compute) and `wall_s`.
"""

from __future__ import annotations

import math
from typing import Any

from gatebench.analysis import pair_records, t_ci
from gatebench.claims.base import (
    INCONCLUSIVE,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    effect,
    finite,
    fmt_diff,
    plural,
    row,
)
from gatebench.claims.catalogue import CONVERGENCE
from gatebench.claims.evidence import Evidence, Record, is_concurrent

WHAT = "GRU \u2212 LSTM epochs to 95% of own best validation metric"
UNIT = "epochs"


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
    """Epoch, training time and wall time when validation first reaches `goal` (None: never)."""
    hib = bool(record.get("higher_is_better"))
    for h in record.get("history") or ():
        v = finite(h.get("val_metric"))
        if v is not None and (v >= goal if hib else v <= goal):
            return {"epoch": float(h.get("epoch")), "train_time_s": _num(h.get("train_time_s")),
                    "wall_s": _num(h.get("wall_s"))}
    return None


def _num(x: Any) -> float:
    value = finite(x)
    return math.nan if value is None else value


def _mean(values: list[float]) -> float | None:
    finite_values = [v for v in values if math.isfinite(v)]
    return sum(finite_values) / len(finite_values) if finite_values else None


def pair_differences(pair: dict[str, Any], share: float) -> dict[str, float] | None:
    """GRU − LSTM epochs and training time to own target, and epochs to the pair's common
    target (`share` of the worse of the two bests, which both runs reached)."""
    g, lstm = pair["gru"], pair["lstm"]
    bests = best_val(g), best_val(lstm)
    if bests[0] is None or bests[1] is None:
        return None
    hib = bool(g.get("higher_is_better"))
    own = [reach(r, target(b, hib, share)) for r, b in ((g, bests[0]), (lstm, bests[1]))]
    common = target(min(bests) if hib else max(bests), hib, share)
    both = [reach(r, common) for r in (g, lstm)]
    # Never None: a run's best lies at or past its own target and past the common one.
    timed = not (is_concurrent(g) or is_concurrent(lstm))
    return {
        "epochs": own[0]["epoch"] - own[1]["epoch"],
        "train_time_s": own[0]["train_time_s"] - own[1]["train_time_s"] if timed else math.nan,
        "common_epochs": both[0]["epoch"] - both[1]["epoch"],
        "gru_epochs": own[0]["epoch"],
        "lstm_epochs": own[1]["epoch"],
    }


def epoch_verdict(ci: tuple[float, float], tolerance: float) -> str:
    """CI inside ±tolerance -> refuted (no practical difference); CI < 0 -> supported;
    CI > 0 -> refuted; otherwise inconclusive."""
    lo, hi = finite(ci[0]), finite(ci[1])
    if lo is None or hi is None:
        return INCONCLUSIVE
    if -tolerance <= lo and hi <= tolerance:
        return REFUTED
    if hi < 0:
        return SUPPORTED
    if lo > 0:
        return REFUTED
    return INCONCLUSIVE


def _rows(label: str, diffs: list[dict[str, float]], **extra: Any) -> list[dict[str, Any]]:
    out = []
    for key, what, unit in (
        ("epochs", WHAT, UNIT),
        ("train_time_s", "GRU \u2212 LSTM training time to 95% of own best", "s"),
        ("common_epochs", "GRU \u2212 LSTM epochs to 95% of the pair's worse best", UNIT),
    ):
        values = [d[key] for d in diffs if math.isfinite(d[key])]
        out.append(row(label, what, _mean(values), t_ci(values), len(values), unit=unit,
                       measure=key, **extra))
    return out


def decide(evidence: Evidence, share: float = 0.95, tolerance: float = 0.5) -> ClaimResult:
    """Pairs of all short/* and small/* trials at fraction 1: the t-CI of GRU − LSTM epochs to
    `share` of own best < 0 -> supported; > 0 or inside ±tolerance epochs -> refuted."""
    studies = {**evidence.studies("short/"), **evidence.studies("small/")}
    rows: list[dict[str, Any]] = []
    pooled: list[dict[str, float]] = []
    no_val, incomplete, concurrent, n_studies = 0, 0, 0, 0
    for sid, records in studies.items():
        pairs = pair_records(
            [r for r in records if math.isclose(_num(r.get("data_fraction", 1.0)), 1.0)])
        incomplete += pairs.skipped
        diffs = []
        for p in pairs:
            d = pair_differences(p, share)
            if d is None:
                no_val += 1
                continue
            concurrent += math.isnan(d["train_time_s"])
            diffs.append(d)
        if diffs:
            task = (records[0].get("task") or {}).get("name")
            rows.extend(_rows(sid, diffs, task=task, level="study",
                              detail={"gru_epochs": _mean([d["gru_epochs"] for d in diffs]),
                                      "lstm_epochs": _mean([d["lstm_epochs"] for d in diffs])}))
            pooled.extend(diffs)
            n_studies += 1
    excluded = {"pairs_without_val_metric": no_val, "incomplete_pairs": incomplete,
                "concurrent_pairs_untimed": concurrent}
    if not pooled:
        return ClaimResult(CONVERGENCE.id, CONVERGENCE.statement, INCONCLUSIVE, NOT_RUN,
                           effect(WHAT, unit=UNIT), evidence=rows, excluded=excluded)
    rows.extend(_rows("all studies", pooled, level="pooled"))
    epochs = [d["epochs"] for d in pooled]
    ci = t_ci(epochs)
    mean = _mean(epochs)
    verdict = epoch_verdict(ci, tolerance)
    common = next(r for r in rows[-3:] if r["measure"] == "common_epochs")
    reason = (f"GRU \u2212 LSTM epochs to {share:.0%} of own best validation is "
              f"{fmt_diff(mean, ci, UNIT)} (n={len(epochs)} pairs over "
              f"{plural(n_studies, 'study', 'studies')}; "
              f"supported below 0, refuted above 0 or inside \u00b1{tolerance:g}); to the "
              f"pair's common target {fmt_diff(common['value'], common['ci'], UNIT)}.")
    return ClaimResult(CONVERGENCE.id, CONVERGENCE.statement, verdict, reason,
                       effect(WHAT, mean, ci, UNIT), evidence=rows, excluded=excluded)
