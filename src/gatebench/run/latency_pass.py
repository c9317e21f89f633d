"""The suite's serial latency pass: its cells at one size, every runtime, per-round records."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict

import torch

from gatebench.cells import build_model
from gatebench.claims.plan import LatencyPass
from gatebench.numbers import latency_percentiles
from gatebench.protocol.record import LatencyRecord

SAMPLES_PER_ROUND = 20


def _settings(plan: LatencyPass) -> list[tuple[str, str, int, int | None]]:
    full = [(rt, "full", b, t) for rt in plan.runtimes for b in plan.batch_sizes
            for t in plan.seq_lens]
    return full + [(rt, "step", b, None) for rt in plan.runtimes for b in plan.batch_sizes]


def _spec_id(plan: LatencyPass, cell: str, setting: tuple, round_index: int) -> str:
    # The id names one cell's measurement: which other cells share the rounds is left out,
    # so ids (and resumable stores) stay the same when the set of cells changes.
    config = {k: v for k, v in asdict(plan).items() if k != "cells"}
    payload = json.dumps({"plan": config, "cell": cell, "setting": list(setting),
                          "round": round_index, "kind": "latency"}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def latency_spec_ids(plan: LatencyPass | None) -> list[str]:
    """Every record id the pass produces (for resume and --fresh)."""
    if plan is None:
        return []
    return [_spec_id(plan, cell, s, r) for s in _settings(plan) for r in range(plan.rounds)
            for cell in plan.cells]


def latency_records(
    plan: LatencyPass, *, done: Callable[[str], bool] = lambda spec_id: False
) -> Iterator[LatencyRecord]:
    """Measure (unless every record is stored) and yield one record per cell, setting, round."""
    from gatebench.deploy.latency import LatencyPlan, measure_latency

    if all(done(i) for i in latency_spec_ids(plan)):
        return
    models = {}
    for cell in plan.cells:
        torch.manual_seed(0)
        models[cell] = build_model(cell, input_kind="features", input_size=plan.input_size,
                                   output_size=2, objective="classification",
                                   hidden_size=plan.hidden)
    result = measure_latency(models, LatencyPlan(
        seq_lens=plan.seq_lens, batch_sizes=plan.batch_sizes, runtimes=plan.runtimes,
        rounds=plan.rounds, repeats=plan.rounds * SAMPLES_PER_ROUND))
    per_round = result["plan"]["samples_per_round"]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for row in result["results"]:
        setting = (row["runtime"], row["mode"], row["batch"], row["seq_len"])
        samples = row["samples_ms"]
        for r in range(plan.rounds):
            spec_id = _spec_id(plan, row["cell"], setting, r)
            if done(spec_id):
                continue
            chunk = sorted(samples[r * per_round:(r + 1) * per_round])
            yield {
                "kind": "latency", "spec_id": spec_id, "cell": row["cell"],
                "runtime": row["runtime"], "mode": row["mode"], "batch": row["batch"],
                "seq_len": row["seq_len"], "hidden_size": plan.hidden, "round": r,
                **latency_percentiles(chunk), "samples_ms": chunk,
                "threads": result["plan"]["threads"], "device": "cpu", "concurrent": False,
                "status": "ok", "bytes": result["models"][row["cell"]]["bytes"],
                "env": result["env"], "created_at": now,
            }
