"""Which records' timings may back a speed or latency claim, and latency percentiles from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gatebench.numbers import latency_percentiles


def isolated(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records timed alone on their machine; trials run side by side slow each other down."""
    return [r for r in records if not r.get("concurrent")]


def latency_table(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per cell, runtime, mode, batch and length: p50/p95/p99 (ms) over the pooled raw samples
    of the isolated latency records (one record per measuring round); p99 only from enough."""
    pooled: dict[tuple, list[float]] = {}
    for r in isolated(records):
        if r.get("kind") == "latency" and r.get("samples_ms"):
            key = (r["cell"], r["runtime"], r["mode"], r["batch"], r.get("seq_len"))
            pooled.setdefault(key, []).extend(r["samples_ms"])
    rows = []
    for (cell, runtime, mode, batch, seq_len), samples in pooled.items():
        rows.append({"cell": cell, "runtime": runtime, "mode": mode, "batch": batch,
                     "seq_len": seq_len, **latency_percentiles(samples), "n": len(samples)})
    return rows
