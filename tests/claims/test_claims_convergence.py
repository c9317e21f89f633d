"""Claim "convergence": verdicts from crafted validation curves."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.convergence import decide, target

FAST = [(0.5, 0.86, 0.9, 0.9, 0.9), (0.6, 0.86, 0.88, 0.9, 0.9), (0.86, 0.88, 0.9, 0.9, 0.9)]
SLOW = [(0.3, 0.5, 0.7, 0.8, 0.9), (0.3, 0.5, 0.6, 0.86, 0.9), (0.3, 0.5, 0.7, 0.9, 0.9)]


def _trials(factory, gru_curves, lstm_curves, sid: str = "short/reviews") -> list[dict]:
    out = []
    for seed, (g, ls) in enumerate(zip(gru_curves, lstm_curves, strict=True)):
        out.append(factory.trial(sid, "gru", seed, 0.9, val_curve=g))
        out.append(factory.trial(sid, "lstm", seed, 0.9, val_curve=ls))
    return out


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_target_definition() -> None:
    assert target(0.8, True, 0.95) == pytest.approx(0.76)
    assert target(0.19, False, 0.95) == pytest.approx(0.2)  # an error within best / 0.95


def test_fewer_epochs_is_supported(claim_records) -> None:
    records = _trials(claim_records, FAST, SLOW) + _trials(
        claim_records, FAST, SLOW, sid="small/vowels")
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert result["effect"]["value"] == pytest.approx(-8 / 3)
    assert "n=6 pairs over 2 studies" in result["reason"]
    pooled = {r["measure"]: r for r in result["evidence"] if r["level"] == "pooled"}
    assert pooled["common_epochs"]["value"] < 0 and pooled["train_time_s"]["value"] < 0


def test_more_epochs_is_refuted(claim_records) -> None:
    assert _decide(_trials(claim_records, SLOW, FAST))["verdict"] == "refuted"


def test_same_epochs_is_refuted_as_no_practical_difference(claim_records) -> None:
    result = _decide(_trials(claim_records, FAST, FAST))
    assert result["verdict"] == "refuted"
    assert result["effect"]["ci"] == [0.0, 0.0]


def test_mixed_pairs_are_inconclusive(claim_records) -> None:
    result = _decide(_trials(claim_records, [FAST[0], SLOW[1], FAST[2]],
                             [SLOW[0], FAST[1], FAST[2]]))
    assert result["verdict"] == "inconclusive"


def test_lower_is_better_metric(claim_records) -> None:
    fast = [(0.5, 0.21, 0.2, 0.2)] * 3
    slow = [(0.9, 0.6, 0.4, 0.2)] * 3
    records = [claim_records.trial("short/series", c, s, 0.2, metric="mae",
                                   higher_is_better=False, val_curve=curve[s])
               for s in range(3) for c, curve in (("gru", fast), ("lstm", slow))]
    assert _decide(records)["verdict"] == "supported"


def test_small_fractions_are_not_used(claim_records) -> None:
    records = _trials(claim_records, FAST, SLOW)
    for r in records:
        r["data_fraction"] = 0.25
    assert _decide(records)["reason"] == "not run"
