"""Claim "iteration": verdicts from crafted learning-rate sweeps."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.iteration import decide

LRS = ("0.001", "0.003", "0.01")
WOBBLE = (0.0, 0.02, -0.02, 0.01)


def _sweep(factory, gru_wall: float, lstm_wall: float, gru_acc=(0.8,) * 4,
           lstm_acc=(0.8,) * 4, task: str = "reviews") -> list[dict]:
    """Four seeds per learning rate; per-epoch wall times wobble a little per seed."""
    out = []
    for lr in LRS:
        for seed in range(4):
            w = 1 + WOBBLE[seed]
            out.append(factory.trial(f"iteration/{task}/lr={lr}", "gru", seed, gru_acc[seed],
                                     wall_per_epoch_s=gru_wall * w))
            out.append(factory.trial(f"iteration/{task}/lr={lr}", "lstm", seed, lstm_acc[seed],
                                     wall_per_epoch_s=lstm_wall))
    return out


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_faster_sweep_same_result_is_supported(claim_records) -> None:
    result = _decide(_sweep(claim_records, 0.7, 1.0))
    assert result["verdict"] == "supported"
    assert result["effect"]["value"] == pytest.approx(0.7, rel=0.02)
    assert "n=4 seeds over 1 task;" in result["reason"]


def test_slower_sweep_is_refuted(claim_records) -> None:
    assert _decide(_sweep(claim_records, 1.2, 1.0))["verdict"] == "refuted"


def test_borderline_sweep_is_inconclusive(claim_records) -> None:
    assert _decide(_sweep(claim_records, 0.87, 1.0))["verdict"] == "inconclusive"


def test_faster_but_worse_is_inconclusive(claim_records) -> None:
    result = _decide(_sweep(claim_records, 0.7, 1.0, gru_acc=(0.70, 0.71, 0.69, 0.70)))
    assert result["verdict"] == "inconclusive"
    assert "worse for GRU on reviews" in result["reason"]


def test_incomplete_and_concurrent_seeds(claim_records) -> None:
    records = _sweep(claim_records, 0.7, 1.0)
    records = [r for r in records
               if not (r["seed"] == 3 and r["study_id"].endswith("lr=0.01"))]
    for r in records:
        if r["seed"] == 2:
            r["concurrent"] = True
    result = _decide(records)
    assert result["excluded"] == {"incomplete_sweeps": 1, "concurrent_seeds_untimed": 1}
    assert "n=2 seeds" in result["reason"]


def test_no_sweep_is_not_run() -> None:
    assert _decide([])["reason"] == "not run"
