"""Paired statistics and verdicts on trial records (numpy/scipy only, no torch)."""

from gatebench.analysis.pairing import Pairs, arm_of, arms_in, pair_records
from gatebench.analysis.stats import bootstrap_ci, geometric_mean_ratio, t_ci
from gatebench.analysis.summary import (
    effective_metric,
    learning_curve,
    summarize,
    summary_frame,
    train_val_gap,
)
from gatebench.analysis.timing import isolated, latency_table
from gatebench.analysis.verdict import (
    EQUIVALENT,
    INCONCLUSIVE,
    VERDICTS,
    better_label,
    decide,
    improvement_points,
    point_unit,
)

__all__ = [
    "EQUIVALENT",
    "INCONCLUSIVE",
    "VERDICTS",
    "Pairs",
    "arm_of",
    "arms_in",
    "better_label",
    "bootstrap_ci",
    "decide",
    "effective_metric",
    "geometric_mean_ratio",
    "improvement_points",
    "isolated",
    "latency_table",
    "learning_curve",
    "pair_records",
    "point_unit",
    "summarize",
    "summary_frame",
    "t_ci",
    "train_val_gap",
]
