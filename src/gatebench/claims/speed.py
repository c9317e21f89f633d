"""Claim "speed": GRU trains 20-30% faster, judged on interleaved training-step timings."""

from __future__ import annotations

from typing import Any

from gatebench.analysis import summarize
from gatebench.claims.base import (
    INCONCLUSIVE,
    NOT_RUN,
    REFUTE_RATIO,
    SUPPORT_RATIO,
    ClaimResult,
    effect,
    ratio_verdict,
    row,
)
from gatebench.claims.catalogue import SPEED
from gatebench.claims.evidence import STEP_TIMING, Evidence, drop_concurrent
from gatebench.claims.ratios import (
    UNIT,
    RatioGroup,
    decide_groups,
    group_label,
    pool,
    ratios_of,
    round_pairs,
)
from gatebench.errors import GatebenchError

CONFIG_FIELDS = ("device", "impl", "sizing", "config_key")
DIMENSIONS = ("the device", "the kernel (native vs kernel-neutral layers)",
              "the sizing (equal hidden size vs equal parameters)")
HEADLINE = ("native", "params")  # what a user gets from torch at a fixed parameter budget
WHAT = "GRU/LSTM training-step time"


def decide(evidence: Evidence, support: float = SUPPORT_RATIO,
           refute: float = REFUTE_RATIO) -> ClaimResult:
    """Per (device, impl, sizing) group: ratio CI hi <= support -> supported, lo >= refute ->
    refuted; groups split between the two -> mixed, naming what it depends on."""
    pairs, incomplete = round_pairs(evidence.step_timing, CONFIG_FIELDS)
    configs = {key: ratios_of(p, "median_ms") for key, p in pairs.items()}
    rows = []
    for key, ratios in configs.items():
        if not ratios:
            continue
        g = RatioGroup(ratios, [key])
        first = pairs[key][0]
        rows.append(row(
            str(key[3]), WHAT, g.summary["geomean"], g.summary["ci"], len(ratios),
            device=key[0], impl=key[1], sizing=key[2], level="config", unit=UNIT,
            group=group_label(key[:3]), verdict=g.verdict(support, refute),
            detail={c: {f: first[c].get(f) for f in ("kernel", "hidden_size", "params", "threads")}
                    for c in ("gru", "lstm")},
        ))
    real_rows, real_excluded = _real_task_rows(evidence, support, refute)
    excluded = {"concurrent_step_timing": evidence.concurrent[STEP_TIMING],
                "incomplete_rounds": incomplete, **real_excluded}
    groups = pool(configs, lambda key: key[:3])
    if not groups:
        reason = NOT_RUN if not real_rows else (
            "no step-timing records; the real-task per-epoch ratios are shown as evidence only")
        return ClaimResult(SPEED.id, SPEED.statement, INCONCLUSIVE, reason,
                           effect(WHAT, unit=UNIT), evidence=rows + real_rows, excluded=excluded)
    result = decide_groups(SPEED, groups, what=WHAT, key_fields=("device", "impl", "sizing"),
                           dimensions=DIMENSIONS, headline=HEADLINE, support=support,
                           refute=refute, rows=rows, excluded=excluded)
    result.evidence.extend(real_rows)
    return result


def _real_task_rows(evidence: Evidence, support: float,
                    refute: float) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per-epoch compute-time ratios of the real-task studies (context, not part of the verdict)."""
    rows, concurrent, unpaired = [], 0, 0
    studies = {**evidence.studies("short/"), **evidence.studies("small/")}
    for sid, records in studies.items():
        alone, dropped = drop_concurrent(records)
        concurrent += dropped
        try:
            ratio = summarize(alone)["time_ratio"]
        except GatebenchError:
            unpaired += 1
            continue
        rows.append(row(
            sid, "GRU/LSTM compute time per epoch (real task)", ratio["geomean"], ratio["ci"],
            len(ratio["values"]), task=(alone[0].get("task") or {}).get("name"),
            device=alone[0].get("device"), level="study", unit=UNIT, group="real tasks",
            verdict=ratio_verdict(ratio["ci"], support, refute),
            detail={"kernels": {r.get("cell"): r.get("kernel") for r in alone},
                    "counts_for_verdict": False},
        ))
    return rows, {"concurrent_trials": concurrent, "studies_without_pairs": unpaired}
