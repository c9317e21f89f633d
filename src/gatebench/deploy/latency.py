"""Inference latency of several cells across runtimes, sequence lengths and batch sizes.

Cells are measured side by side in interleaved rounds (A B, then B A, ...) so that drift hits
all of them alike; raw samples are kept; ratios compare medians of the same rounds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import torch

from gatebench.cells import SequenceModel
from gatebench.deploy.export import DEFAULT_ATOL
from gatebench.deploy.memory import peak_memory
from gatebench.deploy.quantize import quantize_eager
from gatebench.deploy.runtimes import Prepared, get_runtime, state_dict_bytes
from gatebench.deploy.views import can_stream, example_input, zero_state
from gatebench.errors import SpecError
from gatebench.measure import fingerprint, median_ratio_ci, set_threads, summarize_ms, time_calls
from gatebench.numbers import MIN_P99_SAMPLES

METHOD = {
    "samples": "one raw sample per call (perf_counter_ns) after warm-up; percentiles are "
               "linear interpolations over all samples of a cell; p99 only from at least "
               f"{MIN_P99_SAMPLES} samples",
    "interleaving": "cells alternate in rounds (A B, B A, ...), each round re-warmed by one "
                    "untimed call",
    "ratio": "each cell over the last cell given (the reference)",
    "ratio_ci": "95% percentile bootstrap of the ratio of medians, resampling whole rounds",
    "streaming": "one time step per call with the state carried from the previous call",
    "full": "all sequences in the batch at full length (no padding)",
}

if TYPE_CHECKING:
    from gatebench.analysis.documents import (
        LatencyMemory,
        LatencyRatio,
        LatencyResult,
        LatencyRow,
        ModelFacts,
    )


@dataclass(frozen=True)
class LatencyPlan:
    """What to measure: the grid, the runtimes and the sampling (ratios are over the last cell)."""

    seq_lens: tuple[int, ...] = (25, 100, 400)
    batch_sizes: tuple[int, ...] = (1, 32)
    runtimes: tuple[str, ...] = ("eager", "torchscript", "onnx")
    streaming: bool = True
    repeats: int = 50  # timed calls per cell and setting, rounded up to a multiple of rounds
    rounds: int = 10
    warmup: int = 3
    threads: int = 0  # 0: every core this process may use
    atol: float = DEFAULT_ATOL
    memory: bool = False  # peak memory per cell and runtime in child processes (slow)

    def validate(self) -> None:
        """SpecError naming the first bad option."""
        for name, values in (("--seq-lens", self.seq_lens), ("--batch-sizes", self.batch_sizes)):
            if not values or any(int(v) != v or v < 1 for v in values):
                raise SpecError(f"{name} must be positive integers, got {list(values)}")
        if self.repeats < 2 or self.rounds < 2:
            raise SpecError(f"--calls must be at least 2 (got {self.repeats}); "
                            f"rounds at least 2 (got {self.rounds})")
        if self.warmup < 0 or self.threads < 0:
            raise SpecError("warm-up calls and --threads must be non-negative")
        if not self.runtimes:
            raise SpecError("give at least one runtime")
        for name in self.runtimes:
            get_runtime(name)

    def settings(self, streaming: bool) -> list[tuple[str, int, int | None]]:
        """(mode, batch, seq_len) in measuring order; a step setting has no length."""
        full = [("full", b, t) for b in self.batch_sizes for t in self.seq_lens]
        return full + ([("step", b, None) for b in self.batch_sizes] if streaming else [])


def measure_latency(models: Mapping[str, SequenceModel], plan: LatencyPlan, *,
                    every_pair: bool = False) -> LatencyResult:
    """Latency of each model in each runtime over the plan's grid: JSON-able results, each
    cell's ratio to the last cell given (the reference: GRU/LSTM for `gru, lstm`; with
    `every_pair`, also each pair of the others, in the order given), sizes, export checks and
    the environment (CPU; threads fixed and recorded)."""
    plan.validate()
    if not models:
        raise SpecError("give at least one cell to measure")
    threads = set_threads(plan.threads)
    reference = list(models)[-1]
    for model in models.values():
        model.eval()
    prepared = {rt: {cell: get_runtime(rt).prepare(m, threads, plan.atol)
                     for cell, m in models.items()} for rt in plan.runtimes}
    streaming = plan.streaming and all(can_stream(m) for m in models.values())
    n_rounds = min(plan.rounds, plan.repeats)
    per_round = math.ceil(plan.repeats / n_rounds)
    results: list[LatencyRow] = []
    ratios: list[LatencyRatio] = []
    with torch.inference_mode():
        for rt in plan.runtimes:
            for mode, batch, seq_len in plan.settings(streaming):
                calls = _calls(models, prepared[rt], mode, batch, seq_len)
                rounds = _interleaved(calls, n_rounds, per_round, plan.warmup)
                base = {"runtime": rt, "mode": mode, "batch": batch, "seq_len": seq_len}
                summaries: dict[str, LatencyRow] = {}
                for cell, samples in rounds.items():
                    flat = [s for r in samples for s in r]
                    summaries[cell] = summarize_ms(flat)
                    results.append({"cell": cell, **base, **summaries[cell],
                                    "samples_ms": [round(s * 1e3, 6) for s in flat]})
                ratios += [{**base, **_ratio(rounds, summaries, pair)}
                           for pair in _pairs(list(rounds), every_pair)]
    out: LatencyResult = {
        "kind": "latency",
        "plan": {**asdict(plan), "threads": threads, "rounds": n_rounds,
                 "samples_per_round": per_round, "reference": reference},
        "models": {cell: _model_facts(m, prepared, cell) for cell, m in models.items()},
        "results": results,
        "ratios": ratios,
        "streaming": streaming,
        "method": METHOD,
        "env": fingerprint(torch.device("cpu")),
    }
    if plan.memory:
        out["memory"] = _memory(models, prepared, plan, threads)
    return out


def _pairs(names: list[str], every_pair: bool) -> list[tuple[str, str]]:
    """Each name against the last (the reference); with `every_pair`, then the others' pairs."""
    *others, reference = names
    return [(name, reference) for name in others] + (
        list(itertools.combinations(others, 2)) if every_pair else [])


def _calls(models: Mapping[str, SequenceModel], prepared: Mapping[str, Prepared], mode: str,
           batch: int, seq_len: int | None) -> dict[str, Callable[[], Any]]:
    calls = {}
    for cell, model in models.items():
        # The same seed for every cell: identical inputs wherever their shapes agree.
        x = example_input(model, batch, seq_len, torch.Generator().manual_seed(0))
        runner = prepared[cell].runner
        calls[cell] = (runner.full_call(x) if mode == "full"
                       else runner.stream_call(x, zero_state(model, batch)))
    return calls


def _interleaved(calls: Mapping[str, Any], rounds: int, per_round: int, warmup: int
                 ) -> dict[str, list[list[float]]]:
    for call in calls.values():
        time_calls(call, 0, warmup=warmup)
    samples: dict[str, list[list[float]]] = {cell: [] for cell in calls}
    order = list(calls)
    for r in range(rounds):
        for cell in order if r % 2 == 0 else order[::-1]:
            # One untimed call first: the other cell's run has just evicted this one's caches.
            samples[cell].append(time_calls(calls[cell], per_round, warmup=1))
    return samples


def _ratio(rounds: Mapping[str, list[list[float]]], summaries: Mapping[str, LatencyRow],
           pair: tuple[str, str]) -> LatencyRatio:
    top, bottom = pair
    low, high = median_ratio_ci(rounds[top], rounds[bottom])
    return {
        "numerator": top, "denominator": bottom,
        "p50_ratio": summaries[top]["p50_ms"] / summaries[bottom]["p50_ms"],
        "p50_ratio_ci95": [low, high],
        "p95_ratio": summaries[top]["p95_ms"] / summaries[bottom]["p95_ms"],
    }


def _model_facts(model: SequenceModel, prepared: Mapping[str, Mapping[str, Prepared]],
                 cell: str) -> ModelFacts:
    return {
        "hidden_size": model.hidden_size,
        "core_params": model.core_parameters(),
        "total_params": model.total_parameters(),
        "bytes": {
            "state_dict_fp32": state_dict_bytes(model),
            "state_dict_int8": state_dict_bytes(quantize_eager(model)),
            **{rt: p[cell].info["bytes"] for rt, p in prepared.items()},
        },
        "runtimes": {rt: {k: v for k, v in p[cell].info.items() if k != "bytes"}
                     for rt, p in prepared.items()},
    }


def _memory(models: Mapping[str, SequenceModel], prepared: Mapping[str, Mapping[str, Prepared]],
            plan: LatencyPlan, threads: int) -> LatencyMemory:
    batch, seq_len = max(plan.batch_sizes), max(plan.seq_lens)
    memory: LatencyMemory = {"batch": batch, "seq_len": seq_len, "cells": {}}
    for cell, model in models.items():
        x = example_input(model, batch, seq_len, torch.Generator().manual_seed(0)).numpy()
        memory["cells"][cell] = {
            rt: peak_memory(*p[cell].artifact(), x, threads) for rt, p in prepared.items()
        }
    return memory
