"""Summaries of a study's records: per-cell results, the paired difference, speed, the verdict.

Divergence is a result, never dropped. A diverged trial scores the worst its metric allows, as
a loss for its cell in its pair: for higher-is-better scores (accuracy, macro_f1) its recorded
test value from the best-validation checkpoint if one is present, else 0; for error metrics an
infinite error, which `improvement_points` turns into -100 / +100 % (both diverged: 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gatebench.analysis.documents import (
    ArmSummary,
    HealthFinding,
    MeanCI,
    ProtocolDoc,
    SummaryDoc,
    TaskPart,
    TimeRatio,
)
from gatebench.analysis.health import apply_health, health_checks
from gatebench.analysis.karm import (
    DECIDED,
    HOLM_METHOD,
    comparisons,
    holm_pairwise,
    pairwise_rows,
    primary_pair,
    rank_arms,
    ranking_text,
)
from gatebench.analysis.margins import failure_rates, skill_margin
from gatebench.analysis.pairing import Pair, Pairs, arms_in, pair_records
from gatebench.analysis.stats import bootstrap_ci, geometric_mean_ratio, t_ci
from gatebench.analysis.verdict import decide, improvement_points, point_unit
from gatebench.errors import GatebenchError, SpecError
from gatebench.numbers import as_float, jsonable
from gatebench.protocol.record import TrialRecord

if TYPE_CHECKING:
    import pandas as pd

DIVERGED_RULE = (
    "a diverged trial counts as a loss for its cell: accuracy-like scores use its recorded "
    "test value if present, else 0; error metrics use an infinite error (improvement capped "
    "at \u00b1100%)"
)
CI_METHODS = {
    "difference": "paired Student t on the mean of per-pair differences",
    "per_cell": "percentile bootstrap of the mean (10,000 resamples)",
    "ratios": "Student t on the mean of log ratios, exponentiated (geometric mean)",
}


# -- helpers ----------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else float("nan")


def _mean_ci(values: Sequence[float], level: float) -> MeanCI:
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    return {"mean": _mean(finite), "ci": finding_ci(bootstrap_ci(finite, level=level))}


def finding_ci(ci: Sequence[float]) -> list[float | None]:
    """An interval as a finding, or [None, None]: identical values give no zero-width interval."""
    lo, hi = (float(x) for x in ci)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo <= 1e-12 * max(1.0, abs(hi)):
        return [None, None]
    return [lo, hi]


def effective_metric(record: TrialRecord, metric: str, higher_is_better: bool) -> float:
    """A trial's headline test value, with a diverged trial scored as the worst (module doc)."""
    value = as_float(record.test.get(metric))
    if record.status == "diverged":
        if higher_is_better:
            return value if math.isfinite(value) else 0.0
        return math.inf
    return value


def train_val_gap(record: TrialRecord) -> float:
    """val_loss - train_loss at the best epoch: larger means more overfitting (NaN if unknown)."""
    for h in record.history:
        if h.get("epoch") == record.best_epoch:
            return as_float(h.get("val_loss")) - as_float(h.get("train_loss"))
    return float("nan")


def _timing(record: TrialRecord, key: str) -> float:
    return as_float(getattr(record.timing, key))


def _at_fraction(records: Iterable[TrialRecord], fraction: float) -> list[TrialRecord]:
    return [r for r in records if math.isclose(as_float(r.data_fraction), fraction)]


def _check_one_study(records: list[TrialRecord]) -> None:
    for field in ("metric", "higher_is_better"):
        seen = {getattr(r, field) for r in records}
        if len(seen) > 1:
            raise GatebenchError(
                f"records mix {field} values ({', '.join(sorted(map(str, seen)))}); "
                "summarise one study at a time (filter the records by study_id)"
            )
    names = {r.task.name for r in records}
    if len(names) > 1:
        raise GatebenchError(
            f"records mix tasks ({', '.join(sorted(map(str, names)))}); "
            "summarise one study at a time (filter the records by study_id)"
        )


def _ratio(pairs: list[Pair], a: str, b: str, key: str, what: str, ok_only: bool) -> TimeRatio:
    values = []
    for p in pairs:
        if ok_only and not (p[a].ok and p[b].ok):
            continue
        num, den = _timing(p[a], key), _timing(p[b], key)
        if math.isfinite(num) and math.isfinite(den) and num > 0 and den > 0:
            values.append(num / den)
    out: TimeRatio = {"what": what, **geometric_mean_ratio(values), "values": values}
    out["concurrent"] = any(p[c].concurrent for p in pairs for c in (a, b))
    return out


def _arm_summary(
    recs: list[TrialRecord], metric: str, higher_is_better: bool, level: float
) -> ArmSummary:
    first = recs[0]
    metric_values = [effective_metric(r, metric, higher_is_better) for r in recs]
    best_epochs = [r.best_epoch for r in recs]
    epochs_run = [r.epochs_run for r in recs]
    return {
        "cell": first.cell,
        "overrides": first.spec.get("overrides") or {},
        "hidden_size": first.hidden_size,
        "params": first.params.to_dict(),
        "n_trials": len(recs),
        "n_diverged": sum(r.status == "diverged" for r in recs),
        "kernels": sorted({str(r.kernel) for r in recs if r.kernel}),
        "device": first.device,
        "threads": first.threads,
        # mean and CI over finite values; an infinite (diverged) error shows as None in values
        "test": {"metric": metric, **_mean_ci(metric_values, level), "values": metric_values},
        "train_compute_s": _mean_ci([_timing(r, "train_compute_s") for r in recs], level),
        "per_epoch_s": _mean_ci([_timing(r, "per_epoch_s") for r in recs], level),
        "time_to_best_s": _mean_ci([_timing(r, "time_to_best_s") for r in recs], level),
        "epochs_to_best": {"mean": _mean([as_float(e) for e in best_epochs]),
                           "values": best_epochs},
        "epochs_run": {"mean": _mean([as_float(e) for e in epochs_run]), "values": epochs_run},
    }


# -- public -----------------------------------------------------------------------------------


def summarize(
    records: Iterable[TrialRecord],
    margin: float | None = None,
    arms: Sequence[str] | None = None,
    level: float = 0.95,
    fraction: float = 1.0,
    max_pairs: int | None = None,
    reference: str | None = None,
) -> SummaryDoc:
    """JSON-able summary of one study's paired trials at one data fraction (default 1.0).

    `margin` None: a share of the arms' skill over the trivial baseline (`skill_margin`);
    `margin_source` says which. `failures` gives each arm's failed-to-train rate with its
    exact upper bound, a finding apart from the verdict.

    `max_pairs` marks an adaptive (``--seeds auto``) study: its verdict then comes from the
    sequential rule with that many pairs at most, the rule its stopping was decided by.
    `arms` are the arm labels compared (default: those in the records, in order); two or more.
    Only complete pairs (seed k of every arm) count; per-arm figures use the paired trials, so
    every arm is described on the same seeds. "pairwise" and "ranking" cover every comparison
    (each arm against `reference` when given) under Holm (analysis.karm); "difference",
    "verdict" and the time ratios describe the first comparison, so two-arm readers keep
    working. Raises GatebenchError when no complete pair exists.
    """
    all_records = list(records)
    if not all_records:
        raise GatebenchError("no trial records to summarise; run gatebench compare first")
    arms = tuple(arms) if arms is not None else tuple(arms_in(all_records))
    if len(arms) < 2:
        raise SpecError(f"a summary compares two arms or more, got {', '.join(arms)}")
    a, b = primary_pair(arms, reference)
    selected = _at_fraction(all_records, fraction)
    _check_one_study(selected or all_records)
    pairs = _complete_pairs(selected, arms, (a, b), fraction)
    first = pairs[0][a]
    metric, hib = first.metric, first.higher_is_better
    unit = point_unit(metric, hib)

    diffs = paired_improvements(pairs, a, b, metric, hib)
    paired = [p[c] for p in pairs for c in arms]
    chosen = skill_margin(paired, margin)
    margin = chosen.value
    checks = health_checks(paired, arms=arms, margin=margin, fraction=None)
    design = "sequential" if max_pairs else "fixed"
    fractions = sorted({as_float(r.data_fraction) for r in all_records})
    summary: SummaryDoc = {
        "task": _task_part(first),
        "metric": metric,
        "higher_is_better": hib,
        "unit": unit,
        "data_fraction": fraction,
        "data_fractions": fractions,
        "n_pairs": len(pairs),
        "skipped_pairs": pairs.skipped,
        "seeds": [p["seed"] for p in pairs],
        # keyed by arm label (the cell's name unless the study labelled its arms)
        "cells": {c: _arm_summary([p[c] for p in pairs], metric, hib, level) for c in arms},
        "difference": {
            "what": f"{a} \u2212 {b}",
            "unit": unit,
            "mean": _mean(diffs),
            "ci": finding_ci(t_ci(diffs, level)),
            "values": diffs,
        },
        **_time_ratios(pairs, a, b),
        "health": checks,
        "failures": failure_rates(paired, arms, margin, level),
        # a check that says the comparison is not yet about the arms makes it inconclusive
        "verdict": apply_health(
            decide(diffs, margin, level, cell_a=a, cell_b=b, unit=unit,
                   design=design, max_pairs=max_pairs or 10),
            checks, (a, b)),
        "protocol": {"margin": margin, "margin_source": chosen.to_dict(), "level": level,
                     **_protocol_part(first, pairs, arms)},
    }
    summary.update(_k_arm_parts(summary, pairs, arms, reference, checks, design, max_pairs))
    return jsonable(summary)


def _complete_pairs(records: list[TrialRecord], arms: Sequence[str], first: tuple[str, str],
                    fraction: float) -> Pairs:
    """The complete pairs (seed k of every arm); GatebenchError when there is none."""
    pairs = pair_records(records, arms)
    if not pairs:
        raise GatebenchError(
            f"no complete {first[0]}/{first[1]} pair at data fraction {fraction:g} "
            f"({pairs.skipped} incomplete); finish the study with gatebench compare (it resumes)"
        )
    return pairs


def _task_part(first: TrialRecord) -> TaskPart:
    """The task's name, family and description, as the first record states them."""
    task = first.task
    return {"name": task.name or (first.spec.get("task") or {}).get("name"),
            "family": task.family, "description": task.description}


def _time_ratios(pairs: Sequence[Pair], a: str, b: str) -> dict[str, TimeRatio]:
    """The trials' own time ratios of the first comparison (the timing pass may replace
    time_ratio later: run.study_timing)."""
    return {
        "time_ratio": _ratio(pairs, a, b, "per_epoch_s", f"{a} / {b} compute time per epoch",
                             ok_only=False),
        # a diverged trial stops early, so its total time says nothing about training cost
        "total_time_ratio": _ratio(pairs, a, b, "train_compute_s",
                                   f"{a} / {b} total training compute time", ok_only=True),
    }


def _protocol_part(first: TrialRecord, pairs: Sequence[Pair],
                   arms: Sequence[str]) -> ProtocolDoc:
    """The protocol facts every summary states beside its margin and level."""
    spec = first.spec
    return {"sizing": spec.get("sizing"), "model": spec.get("model"), "train": spec.get("train"),
            "concurrent": any(p[c].concurrent for p in pairs for c in arms),
            "ci_methods": CI_METHODS, "diverged_rule": DIVERGED_RULE}


def _k_arm_parts(summary: SummaryDoc, pairs: list[Pair], arms: Sequence[str],
                 reference: str | None, checks: list[HealthFinding], design: str,
                 max_pairs: int | None) -> SummaryDoc:
    # Two arms: the one comparison is the verdict above (Holm over one test changes nothing).
    metric, hib, unit = summary["metric"], summary["higher_is_better"], summary["unit"]
    margin, level = summary["protocol"]["margin"], summary["protocol"]["level"]
    diffs = {c: paired_improvements(pairs, *c, metric, hib) for c in comparisons(arms, reference)}
    if len(diffs) == 1:
        verdicts = [{"a": a, "b": b, "verdict": summary["verdict"],
                     "holm": {"alpha": 1.0 - level, "step": 1,
                              "rejected": summary["verdict"]["outcome"] in DECIDED}}
                    for a, b in diffs]
    else:
        verdicts = holm_pairwise(diffs, margin, unit, alpha=round(1.0 - level, 12),
                                 design=design, max_pairs=max_pairs or 10)
        for v in verdicts:
            v["verdict"] = apply_health(v["verdict"], checks, (v["a"], v["b"]))
        summary["verdict"] = verdicts[0]["verdict"]  # the first comparison, after Holm
    pairwise = pairwise_rows(diffs, verdicts, unit, level)
    means = {c: summary["cells"][c]["test"]["mean"] for c in arms}
    ranking = rank_arms(arms, pairwise, means, hib, reference)
    ranking.update(text=ranking_text(ranking), reference=reference,
                   method=HOLM_METHOD.format(alpha=round(1.0 - level, 12)))
    return {"pairwise": pairwise, "ranking": ranking}


def paired_improvements(pairs: Sequence[Pair], a: str, b: str,
                        metric: str, hib: bool) -> list[float]:
    """Per pair, how far `a` beats `b` in `improvement_points` units (diverged runs included)."""
    return [improvement_points(metric, hib, effective_metric(p[a], metric, hib),
                               effective_metric(p[b], metric, hib)) for p in pairs]


def learning_curve(
    records: Iterable[TrialRecord],
    arms: Sequence[str] | None = None,
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """Per data fraction (ascending): each arm's mean test metric, CI and train-val gap.

    The gap is val_loss - train_loss at the best epoch: larger means more overfitting. With
    two arms each row also carries the paired difference in `improvement_points` units.
    `arms` defaults to the arms in the records.
    """
    all_records = list(records)
    if not all_records:
        return []
    cells = tuple(arms) if arms is not None else tuple(arms_in(all_records))
    _check_one_study(all_records)
    metric, hib = all_records[0].metric, all_records[0].higher_is_better
    rows = []
    for fraction in sorted({as_float(r.data_fraction) for r in all_records}):
        pairs = pair_records(_at_fraction(all_records, fraction), cells)
        row: dict[str, Any] = {
            "data_fraction": fraction,
            "n_pairs": len(pairs),
            "skipped_pairs": pairs.skipped,
        }
        for c in cells:
            recs = [p[c] for p in pairs]
            values = [effective_metric(r, metric, hib) for r in recs]
            gaps = [train_val_gap(r) for r in recs]
            row[c] = {
                **_mean_ci(values, level),
                "values": values,
                "gap": {"mean": _mean(gaps), "values": gaps},
            }
        if len(cells) == 2:
            a, b = cells
            diffs = paired_improvements(pairs, a, b, metric, hib)
            row["difference"] = {
                "what": f"{a} \u2212 {b}",
                "unit": point_unit(metric, hib),
                "mean": _mean(diffs),
                "ci": finding_ci(t_ci(diffs, level)),
            }
        rows.append(row)
    return jsonable(rows)


def summary_frame(summary: SummaryDoc) -> pd.DataFrame:
    """One row per arm: its cell, sizes, headline metric with CI, and training time."""
    import pandas as pd  # imported here: the rest of analysis works without paying for pandas

    rows = []
    for arm, s in summary["cells"].items():
        ci = s["test"]["ci"]
        rows.append(
            {
                "arm": arm,
                "cell": s.get("cell") or arm,
                "hidden_size": s["hidden_size"],
                "params": s["params"]["core"],
                "params_total": s["params"]["total"],
                "metric": summary["metric"],
                "mean": s["test"]["mean"],
                "ci_lo": ci[0],
                "ci_hi": ci[1],
                "train_s": s["train_compute_s"]["mean"],
                "per_epoch_s": s["per_epoch_s"]["mean"],
                "epochs_to_best": s["epochs_to_best"]["mean"],
                "n_trials": s["n_trials"],
                "n_diverged": s["n_diverged"],
            }
        )
    return pd.DataFrame(rows)
