"""Latency measurement: raw samples, percentiles, interleaved ratios, plan validation."""

from __future__ import annotations

import json

import pytest

from gatebench.deploy.latency import LatencyPlan, measure_latency
from gatebench.deploy.sizes import models_at_size
from gatebench.errors import SpecError, UnknownNameError
from gatebench.measure import median_ratio_ci, summarize_ms, time_calls
from tests.deploy.conftest import tiny_model

TINY_PLAN = LatencyPlan(seq_lens=(3, 6), batch_sizes=(1, 2), runtimes=("eager", "onnx"),
                        repeats=4, rounds=2, warmup=1, threads=1)


def test_measure_latency_shape() -> None:
    models = {cell: tiny_model(cell) for cell in ("gru", "lstm")}
    result = measure_latency(models, TINY_PLAN)
    settings = 2 * (2 * 2 + 2)  # runtimes x (batches x lengths + streaming per batch)
    assert len(result["results"]) == 2 * settings and len(result["ratios"]) == settings
    row = result["results"][0]
    assert row["n"] == len(row["samples_ms"]) == 4
    assert row["p50_ms"] <= row["p95_ms"] and row["p99_ms"] is None  # 4 samples: no p99
    ratio = result["ratios"][0]
    low, high = ratio["p50_ratio_ci95"]
    assert (ratio["numerator"], ratio["denominator"]) == ("gru", "lstm")
    assert low <= high and ratio["p50_ratio"] > 0
    assert {r["mode"] for r in result["results"]} == {"full", "step"}
    assert result["plan"]["threads"] == 1 == result["env"]["threads"]
    facts = result["models"]["lstm"]
    assert facts["bytes"]["state_dict_int8"] < facts["bytes"]["state_dict_fp32"]
    assert max(facts["runtimes"]["onnx"]["max_abs_diff"].values()) <= 1e-4
    json.dumps(result, allow_nan=False)  # JSON-able as it stands


@pytest.mark.parametrize("every_pair, pairs", [
    (False, [("gru", "lstm"), ("mingru", "lstm")]),
    (True, [("gru", "lstm"), ("mingru", "lstm"), ("gru", "mingru")]),
])
def test_ratios_are_to_the_reference_or_for_every_pair(every_pair, pairs) -> None:
    models = {cell: tiny_model(cell) for cell in ("gru", "mingru", "lstm")}
    plan = LatencyPlan(seq_lens=(3,), batch_sizes=(1,), runtimes=("eager",), repeats=2,
                       rounds=2, warmup=0, threads=1, streaming=False)
    result = measure_latency(models, plan, every_pair=every_pair)
    assert [(r["numerator"], r["denominator"]) for r in result["ratios"]] == pairs
    by_cell = {r["cell"]: r["p50_ms"] for r in result["results"]}
    for r in result["ratios"]:
        assert r["p50_ratio"] == pytest.approx(by_cell[r["numerator"]] / by_cell[r["denominator"]])


def test_memory_is_measured_in_child_processes() -> None:
    plan = LatencyPlan(seq_lens=(3,), batch_sizes=(1,), runtimes=("onnx",), repeats=2,
                       rounds=2, warmup=0, threads=1, streaming=False, memory=True)
    memory = measure_latency({"gru": tiny_model("gru")}, plan)["memory"]
    probe = memory["cells"]["gru"]["onnx"]
    assert "error" not in probe, probe
    assert probe["baseline_mb"] > 1 and probe["load_mb"] >= 0 and probe["run_mb"] >= 0


@pytest.mark.parametrize("change, error, message", [
    ({"seq_lens": (0,)}, SpecError, r"--seq-lens must be positive integers, got \[0\]"),
    ({"batch_sizes": ()}, SpecError, r"--batch-sizes must be positive integers, got \[\]"),
    ({"repeats": 1}, SpecError, r"--calls must be at least 2 \(got 1\)"),
    ({"runtimes": ("tvm",)}, UnknownNameError, "no runtime 'tvm'; known: eager, "),
])
def test_bad_plans_are_refused(change, error, message) -> None:
    from dataclasses import replace

    with pytest.raises(error, match=message):
        replace(TINY_PLAN, **change).validate()


def test_models_at_size_match_params() -> None:
    same = models_at_size(("gru", "lstm"), 32, 8, "hidden")
    assert same["gru"].hidden_size == same["lstm"].hidden_size == 32
    matched = models_at_size(("gru", "lstm"), 32, 8, "params")
    gru, lstm = matched["gru"].core_parameters(), matched["lstm"].core_parameters()
    assert matched["gru"].hidden_size > 32 and abs(gru / lstm - 1) <= 0.01


def test_samples_summaries_and_round_bootstrap() -> None:
    calls = []
    samples = time_calls(lambda: calls.append(1), 5, warmup=2)
    assert len(samples) == 5 and len(calls) == 7 and all(s >= 0 for s in samples)
    summary = summarize_ms([0.001] * 99 + [0.002])
    assert summary["n"] == 100 and summary["p50_ms"] == pytest.approx(1.0)
    assert summary["p99_ms"] == pytest.approx(1.01)
    assert summarize_ms([0.001] * 99)["p99_ms"] is None  # 99 samples: no tail estimate
    low, high = median_ratio_ci([[2.0, 2.1], [2.2, 1.9], [2.0, 2.0]],
                                [[1.0, 1.0], [1.1, 0.9], [1.0, 1.05]])
    assert 1.7 < low <= high < 2.3
