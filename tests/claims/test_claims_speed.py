"""Claim "speed": verdicts from crafted training-step timings."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.speed import decide


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


@pytest.mark.parametrize(("ratio", "verdict"), [
    (0.75, "supported"), (1.3, "refuted"), (0.95, "refuted"), (0.87, "inconclusive"),
])
def test_speed_verdict_follows_the_ratio_ci(claim_records, ratio: float, verdict: str) -> None:
    result = _decide(claim_records.step_timing(ratio))
    assert result["verdict"] == verdict
    assert result["effect"]["value"] == pytest.approx(ratio, rel=0.01)
    assert result["effect"]["unit"] == "ratio"
    assert "n=6 rounds" in result["reason"]


def test_wide_interval_stays_inconclusive(claim_records) -> None:
    records = claim_records.step_timing(0.7, rounds=2) + claim_records.step_timing(
        1.1, rounds=2, batch=1)
    assert _decide(records)["verdict"] == "inconclusive"  # configs disagree: CI spans both


def test_mixed_names_the_kernel(claim_records) -> None:
    records = (claim_records.step_timing(1.35, impl="native", sizing="params")
               + claim_records.step_timing(1.30, impl="native", sizing="hidden")
               + claim_records.step_timing(0.74, impl="neutral", sizing="params")
               + claim_records.step_timing(0.72, impl="neutral", sizing="hidden"))
    result = _decide(records)
    assert result["verdict"] == "mixed"
    assert "kernel" in result["depends_on"] and "sizing" not in result["depends_on"]
    assert result["effect"]["value"] == pytest.approx(1.35, rel=0.01)  # headline native/params
    groups = {r["group"]: r["verdict"] for r in result["evidence"] if r["level"] == "group"}
    assert groups == {"cpu native/params": "refuted", "cpu native/hidden": "refuted",
                      "cpu neutral/params": "supported", "cpu neutral/hidden": "supported"}


def test_mixed_by_sizing(claim_records) -> None:
    records = (claim_records.step_timing(0.75, sizing="hidden")
               + claim_records.step_timing(0.95, sizing="params"))
    assert "sizing" in _decide(records)["depends_on"]


def test_concurrent_timings_are_ignored_and_counted(claim_records) -> None:
    records = claim_records.step_timing(0.75) + [
        {**r, "round": r["round"] + 100, "median_ms": r["median_ms"] * (3 if r["cell"] == "gru"
                                                                        else 1)}
        for r in claim_records.step_timing(0.75, concurrent=True)
    ]
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert result["excluded"]["concurrent_step_timing"] == 12
    assert result["effect"]["value"] == pytest.approx(0.75, rel=0.01)


def test_real_task_ratios_are_evidence_only(claim_records) -> None:
    trials = claim_records.study("short/reviews", [0.8] * 3, [0.8] * 3,
                                 gru_kw={"per_epoch_s": 2.0})
    trials += [{**r, "seed": 9, "pair_key": "c", "concurrent": True} for r in trials[:2]]
    result = _decide(trials)
    assert result["verdict"] == "inconclusive"
    assert "evidence only" in result["reason"]
    real = [r for r in result["evidence"] if r["group"] == "real tasks"]
    assert real[0]["value"] == pytest.approx(2.0)
    assert real[0]["detail"]["counts_for_verdict"] is False
    assert result["excluded"]["concurrent_trials"] == 2


def test_no_records_is_not_run() -> None:
    result = _decide([])
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")
