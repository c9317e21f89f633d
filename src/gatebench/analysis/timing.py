"""Which records' timings may back a speed or latency claim, latency percentiles from them, and
the training-time ratio of a study's timing pass (with the rule that ends the pass)."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence

import numpy as np

from gatebench.analysis.documents import LatencyRow, TimeRatio
from gatebench.analysis.stats import geometric_mean_ratio, t_ci
from gatebench.numbers import latency_percentiles
from gatebench.protocol.record import Measurement
from gatebench.protocol.timing import (
    STUDY_TIMING_MAX_ROUNDS,
    STUDY_TIMING_MIN_ROUNDS,
    STUDY_TIMING_PRECISION,
)


def isolated(records: Iterable[Measurement]) -> list[Measurement]:
    """The records timed alone on their machine; trials run side by side slow each other down."""
    return [r for r in records if not r.get("concurrent")]


def latency_table(records: Iterable[Measurement]) -> list[LatencyRow]:
    """Per cell, runtime, mode, batch and length: p50/p95/p99 (ms) over the pooled raw samples
    of the isolated latency records (one record per measuring round); p99 only from enough."""
    pooled: dict[tuple, list[float]] = {}
    for r in isolated(records):
        if r.get("kind") == "latency" and r.get("samples_ms"):
            key = (r["cell"], r["runtime"], r["mode"], r["batch"], r.get("seq_len"))
            pooled.setdefault(key, []).extend(r["samples_ms"])
    rows: list[LatencyRow] = []
    for (cell, runtime, mode, batch, seq_len), samples in pooled.items():
        rows.append({"cell": cell, "runtime": runtime, "mode": mode, "batch": batch,
                     "seq_len": seq_len, **latency_percentiles(samples), "n": len(samples)})
    return rows


def timing_pass_ratio(records: Iterable[Measurement], arms: Sequence[str]
                      ) -> TimeRatio | None:
    """`a / b` training compute per epoch from a study's timing pass (run.study_timing), or None
    when no round has both arms: the geometric mean of per-round ratios with its interval.

    Within a round both arms stepped through the same batches back to back, so the ratio of
    their summed step times is the per-epoch ratio, free of drift between time windows.
    """
    a, b = arms
    rounds: dict[int, dict[str, Measurement]] = {}
    for r in records:
        if r.get("kind") == "study_timing" and r.get("status") == "ok":
            rounds.setdefault(int(r["round"]), {})[str(r.get("arm"))] = r
    both = [rounds[i] for i in sorted(rounds) if a in rounds[i] and b in rounds[i]]
    values = [rd[a]["seconds"] / rd[b]["seconds"] for rd in both
              if rd[a]["seconds"] > 0 and rd[b]["seconds"] > 0]
    if not values:
        return None
    first = both[0][a]
    return {
        "what": f"{a} / {b} compute time per epoch", **geometric_mean_ratio(values),
        "values": values, "concurrent": False, "source": "timing pass",
        "rounds": len(values), "batches": first.get("batches"),
        "seq_lens": [min(first.get("seq_lens") or [0]), max(first.get("seq_lens") or [0])],
        "threads": first.get("threads"), "device": first.get("device"),
        "per_epoch_s": {arm: statistics.median(rd[arm]["per_epoch_s"] for rd in both)
                        for arm in (a, b)},
    }


def ratio_precise(values: Sequence[float], precision: float = STUDY_TIMING_PRECISION) -> bool:
    """Whether per-round ratios pin their geometric mean within ×/÷ `precision`: the 95%
    t-interval on logs (the one the ratio reports) is at most 2·log(precision) wide."""
    lo, hi = t_ci(np.log(np.asarray(values, dtype=float)))
    return bool(hi - lo <= 2.0 * math.log(precision))  # NaN (under 2 rounds) is never precise


def timing_pass_settled(records: Iterable[Measurement], arms: Sequence[str]) -> bool:
    """Whether a study's timing pass has rounds enough: every pair of arms' ratio precise
    (`ratio_precise`) after STUDY_TIMING_MIN_ROUNDS rounds, or STUDY_TIMING_MAX_ROUNDS rounds.

    The rule reads only the stored rounds, so a resumed pass stops where an unbroken one would.
    """
    records = list(records)
    ratios = [r for pair in itertools.combinations(arms, 2)
              if (r := timing_pass_ratio(records, pair)) is not None]
    if not ratios or len(ratios) < math.comb(len(arms), 2):  # a pair with no round yet
        return False
    rounds = min(r["rounds"] for r in ratios)
    if rounds >= STUDY_TIMING_MAX_ROUNDS:
        return True
    return rounds >= STUDY_TIMING_MIN_ROUNDS and all(ratio_precise(r["values"]) for r in ratios)
