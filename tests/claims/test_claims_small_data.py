"""Claim "small-data": verdicts from crafted learning curves."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gatebench.claims import Evidence
from gatebench.claims.small_data import decide

SMALLER = [0.10, 0.12, 0.08, 0.11, 0.09]  # a gap (val - train loss) clearly below LARGER
LARGER = [0.50, 0.55, 0.45, 0.52, 0.48]
NOISY = [0.10, 0.60, 0.05, 0.70, 0.20]


def _curve(factory, sid: str, gru_gaps: Sequence[float], lstm_gaps: Sequence[float],
           gru_acc: float = 0.7, lstm_acc: float = 0.7) -> list[dict]:
    """Trials at fractions 0.1 and 1.0; the gaps apply at 0.1, at 1.0 both cells gap 0.1."""
    records = []
    for fraction in (0.1, 1.0):
        for seed in range(len(gru_gaps)):
            for cell, gaps, acc in (("gru", gru_gaps, gru_acc), ("lstm", lstm_gaps, lstm_acc)):
                gap = gaps[seed] if fraction < 1 else 0.1
                records.append(factory.trial(sid, cell, seed, acc + 0.001 * seed,
                                             data_fraction=fraction, train_loss=0.3,
                                             val_loss=0.3 + gap))
    return records


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_smaller_gap_is_supported(claim_records) -> None:
    result = _decide(_curve(claim_records, "small/reviews", SMALLER, LARGER))
    assert result["verdict"] == "supported"
    assert result["effect"]["value"] == pytest.approx(-0.4, abs=0.01)
    assert result["effect"]["ci"][1] < 0 and "n=5 pairs" in result["reason"]


def test_larger_gap_is_refuted(claim_records) -> None:
    assert _decide(_curve(claim_records, "small/reviews", LARGER, SMALLER))["verdict"] == "refuted"


def test_lstm_better_test_metric_refutes_despite_smaller_gap(claim_records) -> None:
    records = _curve(claim_records, "small/reviews", SMALLER, LARGER, gru_acc=0.6, lstm_acc=0.7)
    assert _decide(records)["verdict"] == "refuted"


def test_noisy_gap_is_inconclusive(claim_records) -> None:
    result = _decide(_curve(claim_records, "small/reviews", NOISY, SMALLER))
    assert result["verdict"] == "inconclusive"


def test_tasks_disagree_is_mixed(claim_records) -> None:
    records = (_curve(claim_records, "small/reviews", SMALLER, LARGER)
               + _curve(claim_records, "small/vowels", LARGER, SMALLER))
    result = _decide(records)
    assert (result["verdict"], result["depends_on"]) == ("mixed", "the task")


def test_whole_curve_is_in_the_evidence(claim_records) -> None:
    result = _decide(_curve(claim_records, "small/reviews", SMALLER, LARGER))
    curve = [r for r in result["evidence"] if r["level"] == "curve"]
    assert {(r["cell"], r["data_fraction"]) for r in curve} == {
        (c, f) for c in ("gru", "lstm") for f in (0.1, 1.0)}
    gru_small = next(r for r in curve if r["cell"] == "gru" and r["data_fraction"] == 0.1)
    assert gru_small["value"] == pytest.approx(0.702)
    assert gru_small["gap"]["mean"] == pytest.approx(0.1, abs=0.01)
    assert None not in gru_small["gap"]["ci"]
    deciding = [r for r in result["evidence"] if r.get("decides")]
    assert [r["data_fraction"] for r in deciding] == [0.1]


def test_full_data_only_is_excluded(claim_records) -> None:
    result = _decide(claim_records.study("small/reviews", [0.8] * 3, [0.8] * 3))
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")
    assert result["excluded"]["no_small_fraction"] == ["small/reviews"]
