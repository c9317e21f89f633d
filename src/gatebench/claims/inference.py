"""Claim "inference": GRU infers faster, judged on p50 latency per runtime and mode."""

from __future__ import annotations

from gatebench.analysis import geometric_mean_ratio
from gatebench.claims.base import (
    INCONCLUSIVE,
    NOT_RUN,
    REFUTE_RATIO,
    SUPPORT_RATIO,
    ClaimResult,
    effect,
    row,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, INFERENCE
from gatebench.claims.evidence import LATENCY, Evidence
from gatebench.claims.ratios import (
    UNIT,
    RatioGroup,
    decide_groups,
    group_label,
    pool,
    ratios_of,
    round_pairs,
)

CONFIG_FIELDS = ("device", "runtime", "mode", "seq_len", "batch")
DIMENSIONS = ("the device", "the runtime", "the mode (full sequence vs streaming step)")
HEADLINE = ("eager", "full")  # plain PyTorch on a whole batch-1 sequence: the common case
WHAT = "GRU/LSTM p50 latency"


def decide(evidence: Evidence, support: float = SUPPORT_RATIO, refute: float = REFUTE_RATIO,
           batch: int | None = 1) -> ClaimResult:
    """Per (device, runtime, mode) group at `batch` (None: any): p50 ratio CI hi <= support ->
    supported, lo >= refute -> refuted; groups split -> mixed (depends on the runtime or mode)."""
    pairs, incomplete = round_pairs(evidence.latency, CONFIG_FIELDS)
    configs = {key: ratios_of(p, "p50_ms") for key, p in pairs.items()}
    # Real-time and edge use serve one request at a time: other batch sizes are context only.
    counted = {k: v for k, v in configs.items() if batch is None or k[4] == batch}
    excluded = {"concurrent_latency": evidence.concurrent[LATENCY], "incomplete_rounds": incomplete,
                "configs_at_other_batch_sizes": len(configs) - len(counted)}
    rows = []
    for key, ratios in configs.items():
        if not ratios:
            continue
        g = RatioGroup(ratios, [key])
        tails = {q: geometric_mean_ratio(ratios_of(pairs[key], f"{q}_ms")) for q in ("p95", "p99")}
        rows.append(row(
            f"{group_label(key[:3])} T={key[3]} B={key[4]}", WHAT, g.summary["geomean"],
            g.summary["ci"], len(ratios), device=key[0], runtime=key[1], mode=key[2],
            level="config", unit=UNIT, group=group_label(key[:3]),
            verdict=g.verdict(support, refute), counts_for_verdict=key in counted,
            detail={"seq_len": key[3], "batch": key[4],
                    **{f"{q}_ratio": t for q, t in tails.items()},
                    "p50_ms": {c: pairs[key][0][c].get("p50_ms") for c in FOLKLORE_CELLS}},
        ))
    groups = pool(counted, lambda key: key[:3])
    if not groups:
        reason = NOT_RUN if not rows else f"no latency was measured at batch {batch}"
        return ClaimResult(INFERENCE.id, INFERENCE.statement, INCONCLUSIVE, reason,
                           effect(WHAT, unit=UNIT), evidence=rows, excluded=excluded)
    return decide_groups(INFERENCE, groups, what=WHAT, key_fields=("device", "runtime", "mode"),
                         dimensions=DIMENSIONS, headline=HEADLINE, support=support,
                         refute=refute, rows=rows, excluded=excluded)
