"""Training-health checks on a study's stored records: is the comparison about the arms yet?

A bake-off of models that did not train compares training budgets, not cells. Each check reads
only stored records (no torch) and returns one JSON-able dict:

    {"check": id, "status": "ok" | "warn" | "fail", "blocks_verdict": bool,
     "message": one line naming what to change, "details": {...}}

Checks that block the verdict (status "fail") when a third or more of an arm's trials show
them: the loss diverged; the trial ended within noise of the task's trivial baseline; it was
still improving when training stopped, or kept a checkpoint that a later, much better epoch tied
on a validation split too small to rank them. Fewer diverged or failed trials than that are a
finding, not a block (status "warn"): failures are counted per arm, their rate difference is
reported apart, and the median paired difference the verdict estimates is robust to them.
Warnings only: the planned optimiser steps fall below the floor of `gatebench.protocol.budget`;
one validation row is worth more than the margin; trials took very different numbers of
optimiser steps.

`apply_health` turns a verdict into *inconclusive* when a check blocks it, with the health
reason first and no "N more seeds" suggestion: more seeds of an unhealthy study settle nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from scipy import stats as sps

from gatebench.analysis.documents import HealthFinding, VerdictDoc
from gatebench.analysis.pairing import arm_of
from gatebench.analysis.verdict import INCONCLUSIVE, improvement_points
from gatebench.numbers import as_float, finite
from gatebench.protocol.budget import MIN_TOTAL_STEPS, planned_steps
from gatebench.protocol.record import TaskDescription, TrialRecord
from gatebench.protocol.specs import DEFAULT_MARGIN

OK, WARN, FAIL = "ok", "warn", "fail"
KEPT_BEFORE = ("label", "outcome", "reason", "suggested_seeds", "text")
BAD_SHARE = 1 / 3  # this share of an arm's trials still improving (or mis-ranked) blocks
TIED_LOSS_GAP = 0.25  # a tied later epoch this much lower in val loss: a mis-ranked checkpoint
LOSS_STILL_FALLING = 0.02  # relative val-loss fall after the checkpoint that counts as improving
NOISE_Z = 2.0  # a test accuracy within this many binomial standard errors of the baseline fails
STEPS_SPREAD = 3.0  # max/min optimiser steps across trials at or above this ratio warns
CLASS_METRICS = ("accuracy", "macro_f1")  # metrics that move in steps of one validation row
# Most urgent first: the verdict's text leads with the first blocking check in this order.
ORDER = ("diverged", "failed-to-train", "still-improving", "validation-granularity",
         "training-budget", "steps-spread")


class ArmFailures(TypedDict):
    """One arm's failed-to-train count, its trials and the rate (None: no trials)."""

    failed: int
    n: int
    rate: float | None


class FailureDetails(TypedDict):
    """The failed-to-train check's numbers (a finding's "details")."""

    baseline: float | None
    baseline_what: str | None
    threshold_points: float | None
    per_arm: dict[str, ArmFailures]
    rate_difference: float | None  # two arms with trials only
    fisher_p: float | None


class GranularityDetails(TypedDict, total=False):
    """The validation-granularity check's numbers: points one row moves, ties per arm."""

    n_val: int
    points_per_row: float
    margin: float
    tied_better_later: dict[str, int]


class StepsDetails(TypedDict, total=False):
    """The steps-spread check's numbers: each arm's optimiser steps, the max/min ratio."""

    per_arm: dict[str, list[int]]
    ratio: float


def _check(check: str, status: str, message: str, **details: Any) -> HealthFinding:
    return {"check": check, "status": status, "blocks_verdict": status == FAIL,
            "message": message, "details": details}


def _counts(flagged: dict[str, int], totals: dict[str, int], arms: Sequence[str]) -> str:
    """'2 of 3 GRU and 0 of 3 LSTM trials'."""
    parts = [f"{flagged.get(a, 0)} of {totals.get(a, 0)} {a.upper()}" for a in arms]
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + \
        " trials"


def _share_blocks(flagged: dict[str, int], totals: dict[str, int]) -> bool:
    """Whether a third or more of some arm's trials are flagged (BAD_SHARE)."""
    return any(totals.get(a) and flagged[a] / totals[a] >= BAD_SHARE - 1e-9 for a in flagged)


_FINDING = ("; fewer than a third of any arm's trials, so it is a finding reported per arm, "
            "not a block")


def _task(records: Sequence[TrialRecord]) -> TaskDescription:
    return records[0].task if records else TaskDescription()


# -- the checks -----------------------------------------------------------------------------


def check_diverged(records: Sequence[TrialRecord], arms: Sequence[str]) -> HealthFinding:
    """Fail when a third or more of an arm's trials' losses went NaN or infinite; else warn."""
    totals = {a: sum(arm_of(r) == a for r in records) for a in arms}
    diverged = {a: sum(arm_of(r) == a and _is_diverged(r) for r in records) for a in arms}
    if not any(diverged.values()):
        return _check("diverged", OK, "no trial's loss diverged", per_arm=diverged)
    blocks = _share_blocks(diverged, totals)
    return _check(
        "diverged", FAIL if blocks else WARN,
        f"the loss diverged (NaN or infinite) in {_counts(diverged, totals, arms)}"
        + (": lower --lr or keep gradient clipping on (--clip), then rerun with --fresh"
           if blocks else _FINDING),
        per_arm=diverged,
    )


def _is_diverged(record: TrialRecord) -> bool:
    if record.status == "diverged":
        return True
    return any(not math.isfinite(as_float(h.get("train_loss"))) for h in record.history)


def trivial_baseline_of(records: Sequence[TrialRecord]) -> float | None:
    """The task's trivial-baseline test value, when the records carry one for their metric."""
    baseline = _task(records).baseline
    if not records or baseline.get("metric") != records[0].metric:
        return None
    value = as_float(baseline.get("value"))
    return value if math.isfinite(value) else None


def baseline_noise_points(metric: str, higher_is_better: bool, baseline: float,
                          n_test: int | None, margin: float) -> float:
    """How far above the trivial baseline, in improvement points, a trial must be to count.

    Accuracy-like scores: NOISE_Z binomial standard errors of the baseline on the test split
    (2 x 1.6 points for italy-power's 1,029 test series); otherwise, or with no test size, the
    margin.
    """
    if higher_is_better and metric in CLASS_METRICS and n_test:
        p = min(max(baseline, 0.0), 1.0)
        return max(NOISE_Z * math.sqrt(p * (1 - p) / n_test) * 100.0, 1e-9)
    return margin


def trial_failed(record: TrialRecord, margin: float = DEFAULT_MARGIN,
                 baseline: float | None = None) -> bool | None:
    """Whether one trial failed to train: it diverged, has no finite test value, or ended
    within noise of its task's trivial baseline (`baseline`, else the one the task recorded
    for the trial's metric); None when there is none.

    The one definition of the concept (the health check and every claim use it). "Within
    noise" is `baseline_noise_points`: for accuracy-like scores NOISE_Z binomial standard
    errors of the baseline on the trial's own test split, so the line is where the test set
    can no longer tell the trial from guessing, and it tightens as the test set grows; with
    no sampling model (error metrics) the equivalence margin (`margin`, in improvement
    points). A fixed share of the way to a perfect score, the claims' former rule, ignores the
    test-set size: on a large test set it calls clearly-learnt models failures, on a small one
    it passes noise.
    """
    if _is_diverged(record):
        return True
    task = record.task
    recorded = task.baseline
    metric = record.metric
    base = baseline if baseline is not None else (
        finite(recorded.get("value")) if recorded.get("metric") == metric else None)
    if base is None:
        return None
    value = finite(record.test.get(metric))
    if value is None:
        return True  # no test value from a finished trial: nothing was learnt worth testing
    hib = record.higher_is_better
    threshold = baseline_noise_points(metric, hib, base, task.n_test, margin)
    return improvement_points(metric, hib, value, base) <= threshold


def check_failed_to_train(
    records: Sequence[TrialRecord], arms: Sequence[str], margin: float,
    trivial_baseline: float | None,
) -> HealthFinding:
    """Fail when a third or more of an arm's trials diverged or ended within noise of the
    trivial baseline; fewer is a warning (a finding); per-arm rates either way."""
    if not records:
        return _check("failed-to-train", OK, "no trials to check")
    metric, hib = records[0].metric, records[0].higher_is_better
    task = _task(records)
    threshold = None
    if trivial_baseline is not None:
        threshold = baseline_noise_points(metric, hib, trivial_baseline, task.n_test, margin)
    totals = {a: 0 for a in arms}
    failed = {a: 0 for a in arms}
    for r in records:
        a = arm_of(r)
        if a not in totals:
            continue
        totals[a] += 1
        failed[a] += bool(trial_failed(r, margin, trivial_baseline))
    rates = {a: failed[a] / totals[a] if totals[a] else None for a in arms}
    details: FailureDetails = {
        "baseline": trivial_baseline,
        "baseline_what": task.baseline.get("what"),
        "threshold_points": threshold,
        "per_arm": {a: {"failed": failed[a], "n": totals[a], "rate": rates[a]} for a in arms},
        "rate_difference": None, "fisher_p": None,
    }
    if len(arms) == 2 and all(totals.values()):
        a, b = arms
        details["rate_difference"] = rates[a] - rates[b]
        table = [[failed[a], totals[a] - failed[a]], [failed[b], totals[b] - failed[b]]]
        details["fisher_p"] = float(sps.fisher_exact(table).pvalue)
    unknown = "" if trivial_baseline is not None else " (no trivial baseline recorded)"
    if not any(failed.values()):
        return _check("failed-to-train", OK,
                      f"every trial trained clear of the trivial baseline{unknown}", **details)
    base = (f"within noise of the trivial baseline ({metric} {trivial_baseline:.4g}"
            f"{', ' + details['baseline_what'] if details['baseline_what'] else ''})"
            if trivial_baseline is not None else "diverged")
    rate_text = ""
    if details["rate_difference"] is not None:
        rate_text = (f"; failure rates {' vs '.join(f'{rates[x]:.0%}' for x in arms)}, "
                     f"difference {details['rate_difference'] * 100:+.0f} points "
                     f"(Fisher exact p = {details['fisher_p']:.2g}), reported apart from the "
                     "paired difference")
    if not _share_blocks(failed, totals):
        return _check("failed-to-train", WARN, f"{_counts(failed, totals, arms)} ended {base}"
                      f"{rate_text}{_FINDING}", **details)
    return _check(
        "failed-to-train", FAIL,
        f"{_counts(failed, totals, arms)} ended {base}: they did not train, so the "
        f"difference is not about the arms; raise --max-epochs or tune --lr{rate_text}",
        **details,
    )


def still_improving(record: TrialRecord) -> str | None:
    """Why a trial was still improving when it stopped ("last-epoch", "loss-falling"), or None.

    "last-epoch": its best-validation checkpoint is its final epoch. "loss-falling": early
    stopping ended it while the validation loss was at its lowest yet, more than 2% below the
    checkpoint's: the metric stalled (ties on a small split), the model had not. A trial whose
    validation score is perfect at the checkpoint is not improving: only its confidence (the
    loss) still moves, and no more training can change a prediction validation can see.
    """
    if _is_diverged(record):
        return None
    history, best = record.history, record.best_epoch or 0
    if not history or not best or _perfect(record, history[min(best, len(history)) - 1]):
        return None
    if best >= len(history):
        return "last-epoch"
    losses = [as_float(h.get("val_loss")) for h in history]
    last, at_best = losses[-1], losses[best - 1]
    if not (math.isfinite(last) and math.isfinite(at_best)) or at_best <= 0:
        return None
    if last <= min(v for v in losses if math.isfinite(v)) and \
            (at_best - last) / at_best > LOSS_STILL_FALLING:
        return "loss-falling"
    return None


def _perfect(record: TrialRecord, epoch: Mapping[str, float]) -> bool:
    """Whether an epoch's validation score is a class metric's ceiling (every row right)."""
    return (record.higher_is_better and record.metric in CLASS_METRICS
            and as_float(epoch.get("val_metric")) >= 1.0 - 1e-9)


def check_still_improving(records: Sequence[TrialRecord],
                          arms: Sequence[str]) -> HealthFinding:
    """Fail when a third or more of an arm's trials stopped while still improving."""
    totals = {a: sum(arm_of(r) == a for r in records) for a in arms}
    flagged: dict[str, int] = {a: 0 for a in arms}
    reasons = {"last-epoch": 0, "loss-falling": 0}
    for r in records:
        why = still_improving(r)
        if why and arm_of(r) in flagged:
            flagged[arm_of(r)] += 1
            reasons[why] += 1
    details = {"per_arm": flagged, "reasons": reasons}
    if not any(flagged.values()):
        return _check("still-improving", OK,
                      "every trial had stopped improving when training ended", **details)
    epochs = sorted({r.train_settings.get("max_epochs") for r in records} - {None})
    patience = sorted({r.train_settings.get("patience") for r in records} - {None})
    fixes = []
    if reasons["last-epoch"]:
        fixes.append(f"raise --max-epochs (now {'/'.join(map(str, epochs))})")
    if reasons["loss-falling"]:
        fixes.append(f"raise --patience (now {'/'.join(map(str, patience))})")
    share = max((flagged[a] / totals[a] for a in arms if totals[a]), default=0.0)
    status = FAIL if share >= BAD_SHARE - 1e-9 else WARN
    what = []
    if reasons["last-epoch"]:
        what.append(f"{reasons['last-epoch']} had their best epoch last")
    if reasons["loss-falling"]:
        what.append(f"{reasons['loss-falling']} stopped with the validation loss still falling")
    return _check(
        "still-improving", status,
        f"{_counts(flagged, totals, arms)} were still improving when training stopped "
        f"({'; '.join(what)}): {' and '.join(fixes)}",
        **details,
    )


def check_training_budget(records: Sequence[TrialRecord]) -> HealthFinding:
    """Warn when a trial could take fewer optimiser steps than the floor allows."""
    n_train = _task(records).n_train
    planned = []
    for r in records:
        cfg = r.train_settings
        if n_train and cfg.get("batch_size") and cfg.get("max_epochs"):
            rows = max(1, round(n_train * as_float(r.data_fraction)))
            planned.append(planned_steps(rows, int(cfg["batch_size"]), int(cfg["max_epochs"])))
    if not planned:
        return _check("training-budget", OK, "training budget unknown (no training-set size "
                      "recorded)", planned_steps=None, floor=MIN_TOTAL_STEPS)
    cfg = records[0].train_settings
    low = min(planned)
    setting = (f"batch {cfg.get('batch_size')}, up to {cfg.get('max_epochs')} epochs, patience "
               f"{cfg.get('patience')} on {n_train} training rows")
    details = {"planned_steps": low, "floor": MIN_TOTAL_STEPS, "n_train": n_train,
               "batch_size": cfg.get("batch_size"), "max_epochs": cfg.get("max_epochs"),
               "patience": cfg.get("patience")}
    if low >= MIN_TOTAL_STEPS:
        return _check("training-budget", OK,
                      f"each trial may take {low} optimiser steps ({setting}; floor "
                      f"{MIN_TOTAL_STEPS})", **details)
    return _check(
        "training-budget", WARN,
        f"a trial may take only {low} optimiser steps ({setting}), under the floor of "
        f"{MIN_TOTAL_STEPS}: raise --max-epochs or lower --batch-size (or leave both unset)",
        **details,
    )


def tied_better_later(record: TrialRecord) -> bool:
    """Whether a later epoch tied the checkpoint's validation metric with a much lower loss.

    "Much lower": by more than TIED_LOSS_GAP (25%) of the checkpoint's validation loss. The
    rule keeps the first epoch to reach the best metric, so on a coarse split the tested model
    can be far from the best one the trial produced.
    """
    history, best = record.history, record.best_epoch or 0
    if _is_diverged(record) or not best or best > len(history):
        return False
    metric, loss = as_float(history[best - 1].get("val_metric")), \
        as_float(history[best - 1].get("val_loss"))
    if not (math.isfinite(metric) and math.isfinite(loss)):
        return False
    return any(math.isclose(as_float(h.get("val_metric")), metric, abs_tol=1e-9)
               and as_float(h.get("val_loss")) < (1 - TIED_LOSS_GAP) * loss
               for h in history[best:])


def check_validation_granularity(records: Sequence[TrialRecord], arms: Sequence[str],
                                 margin: float) -> HealthFinding:
    """Warn when one validation row moves the metric by more than the margin; fail when ties
    on it kept a much worse checkpoint in a third or more of an arm's trials."""
    task = _task(records)
    metric = records[0].metric if records else ""
    n_val = task.n_val
    if metric not in CLASS_METRICS or task.objective == "tagging" or not n_val:
        return _check("validation-granularity", OK,
                      "the validation metric is not counted in whole rows", n_val=n_val,
                      points_per_row=None)
    step = 100.0 / n_val
    details: GranularityDetails = {"n_val": n_val, "points_per_row": step, "margin": margin}
    if step <= margin:
        return _check("validation-granularity", OK,
                      f"one validation row moves {metric} by {step:.2g} points, within the "
                      f"\u00b1{margin:g}-point margin", **details)
    totals = {a: sum(arm_of(r) == a for r in records) for a in arms}
    tied = {a: sum(arm_of(r) == a and tied_better_later(r) for r in records) for a in arms}
    details["tied_better_later"] = tied
    share = max((tied[a] / totals[a] for a in arms if totals[a]), default=0.0)
    coarse = (f"the validation split has {n_val} rows: one row moves {metric} by {step:.1f} "
              f"points, {step / margin:.0f}\u00d7 the \u00b1{margin:g}-point margin")
    if share >= BAD_SHARE - 1e-9:
        return _check(
            "validation-granularity", FAIL,
            f"{coarse}, too coarse to rank checkpoints: in {_counts(tied, totals, arms)} a "
            f"later epoch tied the kept checkpoint with a validation loss over "
            f"{TIED_LOSS_GAP:.0%} lower; use a larger validation split (--split-col on your "
            "own data)",
            **details,
        )
    return _check("validation-granularity", WARN,
                  f"{coarse}, so checkpoints tie and are ranked coarsely; use a larger "
                  "validation split (--split-col on your own data)", **details)


def check_steps_spread(records: Sequence[TrialRecord], arms: Sequence[str]) -> HealthFinding:
    """Warn when the trials' optimiser steps differ by STEPS_SPREAD times or more."""
    steps = {a: [int(s) for r in records if arm_of(r) == a and not _is_diverged(r)
                 and (s := r.timing.steps)] for a in arms}
    flat = [s for v in steps.values() for s in v]
    details: StepsDetails = {"per_arm": steps}
    if len(flat) < 2:
        return _check("steps-spread", OK, "too few trials to compare their steps", **details)
    lo, hi = min(flat), max(flat)
    details["ratio"] = hi / lo
    if hi / lo < STEPS_SPREAD:
        return _check("steps-spread", OK,
                      f"trials took {lo} to {hi} optimiser steps", **details)
    return _check(
        "steps-spread", WARN,
        f"trials took {lo} to {hi} optimiser steps ({hi / lo:.0f}\u00d7): early stopping "
        "fired at very different points; raise --patience so stopping follows convergence, "
        "not validation noise",
        **details,
    )


# -- public ---------------------------------------------------------------------------------


def health_checks(
    records: Iterable[TrialRecord],
    *,
    arms: Sequence[str],
    margin: float,
    trivial_baseline: float | None = None,
    fraction: float | None = 1.0,
) -> list[HealthFinding]:
    """Every training-health check on one study's records, most urgent first (module doc).

    `arms` are the labels compared (records group by "arm", else "cell"); `margin` is the
    verdict's, in improvement points; `trivial_baseline` defaults to the one the task recorded
    (TaskInfo.description["baseline"]) when its metric is the study's. Only records at
    `fraction` are checked (None: all).
    """
    wanted = set(arms)
    recs = [r for r in records if arm_of(r) in wanted and (
        fraction is None or math.isclose(as_float(r.data_fraction), fraction))]
    if trivial_baseline is None:
        trivial_baseline = trivial_baseline_of(recs)
    checks = [
        check_diverged(recs, arms),
        check_failed_to_train(recs, arms, margin, trivial_baseline),
        check_still_improving(recs, arms),
        check_training_budget(recs),
        check_validation_granularity(recs, arms, margin),
        check_steps_spread(recs, arms),
    ]
    rank = {"fail": 0, "warn": 1, "ok": 2}
    return sorted(checks, key=lambda c: (rank[c["status"]], ORDER.index(c["check"])))


def blocking(checks: Sequence[HealthFinding]) -> list[HealthFinding]:
    """The checks that say the comparison is not yet about the arms."""
    return [c for c in checks if c.get("blocks_verdict")]


def apply_health(verdict: VerdictDoc, checks: Sequence[HealthFinding],
                 arms: Sequence[str] = ()) -> VerdictDoc:
    """The verdict, made inconclusive with the health reason first when a check blocks it.

    The measured difference stays in the text and the numbers; `suggested_seeds` becomes None
    (more seeds do not fix training), `reason` the first blocking check's message, `health`
    lists the blocking check ids and `before_health` keeps what the statistics alone said
    (label, outcome, reason, suggested_seeds). Idempotent.
    """
    blockers = blocking(checks)
    if not blockers or verdict.get("health"):
        return verdict
    reason = blockers[0]["message"]
    out = dict(verdict)
    out.update(label=INCONCLUSIVE, suggested_seeds=None, reason=reason,
               health=[c["check"] for c in blockers],
               before_health={k: verdict.get(k) for k in KEPT_BEFORE if k in verdict})
    if "outcome" in verdict:
        out["outcome"] = INCONCLUSIVE
    more = f" ({len(blockers) - 1} more health check(s) failed.)" if len(blockers) > 1 else ""
    head = ("Inconclusive between " + " and ".join(a.upper() for a in arms)
            if len(arms) == 2 else "Inconclusive")
    out["text"] = (f"{head}: a training-health check failed, so the difference is not yet "
                   f"about the cells. {reason[0].upper()}{reason[1:]}.{more}"
                   f"{_measured(verdict, arms)}")
    return out


def _measured(verdict: VerdictDoc, arms: Sequence[str]) -> str:
    mean, ci = verdict.get("mean"), verdict.get("ci") or [None, None]
    if mean is None:
        return ""
    unit = str(verdict.get("unit", "points"))
    what = " \u2212 ".join(a.upper() for a in arms) if len(arms) == 2 else "difference"
    sep = "" if unit.startswith("%") else " "
    span = (f", {verdict.get('level', 0.95) * 100:.3g}% CI {_signed(ci[0])} to {_signed(ci[1])}"
            if ci[0] is not None and ci[1] is not None else "")
    return (f" Measured so far: {what} = {_signed(mean)}{sep}{unit}{span}, "
            f"{verdict.get('n')} seeds; no evidence about the cells until training is fixed.")


def _signed(x: float) -> str:
    return f"{x:+.1f}".replace("-", "\u2212")
