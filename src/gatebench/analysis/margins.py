"""Margins in units of the task's skill, and per-arm failure rates with their upper bounds.

A margin of "1 point" means little on its own: on a task where the models reach 95% against a
50% trivial baseline it is a sliver of what they learnt, on one where they reach 52% it is
half of it. The default margin is therefore a share of the skill the arms show over the
task's trivial baseline, in the verdict's own unit (`improvement_points`):

- accuracy-like scores: SKILL_SHARE of the points the arms score above the trivial baseline
  (majority class or chance);
- error metrics: SKILL_SHARE of the share of the naive baseline's error the arms remove
  (persistence or mean forecast), in % lower error.

Why SKILL_SHARE = 10%. It is meaningful: a difference under a tenth of what the model learnt
over guessing does not change which cell to ship. It is reachable: on the reference tasks
the paired differences' SD is about 5-10% of the skill (a 3-class text file: both cells
about 65% against a 43% baseline, skill 22 points, pairs' SD 2.3 points, 10%; rotten-tomatoes:
skill about 25 points, SD about 1.3, 5%), so the margin is 1-2 noise SDs. `gatebench
calibrate` (the price note) measures how often the median rule reaches equivalence with no
true difference within 40 pairs: at a margin of 0.5 SD 18% of studies, at 1 SD 94% (about 18
pairs on average), at 1.5 SD 99%. A 5% share (0.5-1 SD) would leave equivalence out of reach
on most tasks; 20% would call differences of a fifth of the skill "the same".

The margin is computed from the records (the arms' mean score), so it may move a little as
pairs arrive. That keeps every guarantee of the sequential rule: its confidence sequence
covers the median at all times at once, so "inside ±margin" is safe for any margin chosen
from the data. `--margin` still wins; the summary says where the margin came from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import cast

import numpy as np
from scipy import stats as sps

from gatebench.analysis.documents import FailureRate, MarginDoc
from gatebench.analysis.health import trial_failed, trivial_baseline_of
from gatebench.analysis.pairing import arm_of
from gatebench.analysis.verdict import improvement_points, point_unit
from gatebench.numbers import as_float
from gatebench.protocol.record import TrialRecord
from gatebench.protocol.specs import DEFAULT_MARGIN

SKILL_SHARE = 0.10
GIVEN, SKILL, FALLBACK = "--margin", "skill", "default"


@dataclass(frozen=True)
class Margin:
    """An equivalence margin in improvement points, and where it came from."""

    value: float
    source: str  # GIVEN, SKILL or FALLBACK
    text: str  # "±2.2 points: <where it came from>"
    share: float | None = None
    skill: float | None = None  # the arms' skill over the baseline, improvement points
    baseline: float | None = None

    def to_dict(self) -> MarginDoc:
        """JSON-able dict."""
        return cast("MarginDoc", asdict(self))


def _level(records: Sequence[TrialRecord], metric: str) -> float | None:
    """The arms' mean test value over trials that finished (diverged ones left out)."""
    values = [as_float(r.test.get(metric)) for r in records if r.status != "diverged"]
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else None


def skill_margin(records: Sequence[TrialRecord], margin: float | None = None,
                 share: float = SKILL_SHARE) -> Margin:
    """The margin a study uses: `margin` when given, else `share` of the arms' skill over the
    trivial baseline (module doc), else DEFAULT_MARGIN when there is no baseline or no skill."""
    records = list(records)
    metric = records[0].metric if records else ""
    hib = records[0].higher_is_better if records else True
    unit = point_unit(metric, hib)
    sep = "" if unit.startswith("%") else " "
    if margin is not None:
        return Margin(float(margin), GIVEN, f"\u00b1{margin:g}{sep}{unit}: set by --margin")
    baseline = trivial_baseline_of(records)
    level = _level(records, metric)
    skill = (improvement_points(metric, hib, level, baseline)
             if baseline is not None and level is not None else None)
    if skill is None or not skill > 0:
        why = "no trivial baseline recorded" if baseline is None else "no skill over it yet"
        return Margin(DEFAULT_MARGIN, FALLBACK,
                      f"\u00b1{DEFAULT_MARGIN:g}{sep}{unit}: the fixed default ({why})",
                      baseline=baseline)
    value = float(f"{share * skill:.2g}")  # a convention, not a measurement: two digits
    what = ("points above the trivial baseline" if hib else
            "% of the naive baseline's error removed")
    return Margin(value, SKILL, f"\u00b1{value:g}{sep}{unit}: {share:.0%} of the arms' skill "
                  f"({skill:.3g} {what}, baseline {metric} {baseline:.4g})", share, skill,
                  baseline)


def failure_rate_bound(failures: int, n: int, level: float = 0.95) -> float:
    """One-sided exact (Clopper-Pearson) upper bound of a failure rate from `failures` of `n`.

    0 of 8 gives 0.31: a rate up to 31% cannot be excluded at 95%. 1.0 when n is 0.
    """
    if n < 0 or not 0 <= failures <= n:
        raise ValueError(f"need 0 <= failures <= n, got {failures} of {n}")
    if failures >= n:
        return 1.0
    return float(sps.beta.ppf(level, failures + 1, n - failures))


def failure_rates(records: Sequence[TrialRecord], arms: Sequence[str], margin: float,
                  level: float = 0.95) -> dict[str, FailureRate]:
    """Per arm: trials that failed to train (`trial_failed`), their rate and its upper bound.

    A finding reported apart from the verdict: the median difference says how the arms
    compare when they train; this says how often each does not. `known` is False when no
    trivial baseline was recorded (only divergence then counts as a failure).
    """
    out: dict[str, FailureRate] = {}
    baseline = trivial_baseline_of(list(records))
    for arm in arms:
        mine = [r for r in records if arm_of(r) == arm]
        flags = [trial_failed(r, margin, baseline) for r in mine]
        failed, n = sum(bool(f) for f in flags), len(mine)
        upper = failure_rate_bound(failed, n, level) if n else None
        out[arm] = {"failed": failed, "n": n, "rate": failed / n if n else None,
                    "upper": upper, "level": level, "known": baseline is not None,
                    "text": failure_text(failed, n, upper, level)}
    return out


def failure_text(failed: int, n: int, upper: float | None, level: float = 0.95) -> str:
    """'0 of 8 failed to train: a rate up to 31% cannot be excluded (95%)'."""
    if not n or upper is None:
        return "no trials"
    return (f"{failed} of {n} failed to train: a rate up to {upper:.0%} cannot be excluded "
            f"({level:.0%})")
