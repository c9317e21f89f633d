"""The advisor reads a claim's declared fields: a claim it never heard of, declared only through
them, is weighed, oriented and matched like the catalogued ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatebench.advisor import Answers, advise
from gatebench.advisor.advice import GRU, LSTM, NEITHER, UNCLEAR
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.advisor.reasons import favours
from gatebench.claims import catalogue as cat
from gatebench.claims.catalogue import Claim
from gatebench.claims.registry import CLAIMS as REGISTRY
from gatebench.claims.registry import ClaimEntry

MEMORY = Claim("memory", "GRU needs less memory at inference", topic=cat.COST,
               favours=cat.GRU, measure=cat.RATIO, question=cat.LATENCY_BUDGET,
               reads=("device",), timing=cat.LATENCY)


def _source(claim_id: str, verdict: str, ci: list[float], unit: str = "ratio"
            ) -> EvidenceSource:
    row = {"label": "cpu", "what": "GRU/LSTM peak memory", "value": sum(ci) / 2, "ci": ci,
           "n": 3, "task": None, "device": "cpu", "runtime": None, "detail": None}
    claim = {"id": claim_id, "statement": "a new claim", "verdict": verdict, "reason": "r",
             "effect": {"what": "GRU/LSTM peak memory", "value": sum(ci) / 2, "ci": ci,
                        "unit": unit}, "evidence": [row]}
    return EvidenceSource(CLAIMS, Path("new/claims.json"), claims=[claim])


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Claim:
    monkeypatch.setitem(REGISTRY, MEMORY.id, ClaimEntry(MEMORY, lambda evidence: None))
    return MEMORY


@pytest.mark.parametrize("verdict, ci, side", [("supported", [0.6, 0.8], GRU),
                                               ("refuted", [1.2, 1.4], LSTM),
                                               ("refuted", [0.95, 1.1], NEITHER),
                                               ("inconclusive", [0.7, 1.2], UNCLEAR)])
def test_a_new_claim_is_cited_from_its_fields(registered: Claim, verdict: str,
                                              ci: list[float], side: str) -> None:
    advice = advise(Answers(latency_budget_ms=5.0, device="cpu"),
                    [_source(registered.id, verdict, ci)])
    [reason] = [r for r in advice.reasons if r.claim == registered.id]
    assert reason.favours == side and reason.topic == cat.COST
    assert reason.why == "you have a latency budget of 5 ms"  # its question's rule
    assert reason.closeness.level == "near"  # it reads the device, measured on the user's
    assert (reason.weight > 0) == (side != UNCLEAR)


def test_a_timed_claim_from_another_device_decides_nothing(registered: Claim) -> None:
    advice = advise(Answers(latency_budget_ms=5.0, device="gpu"),
                    [_source(registered.id, "supported", [0.6, 0.8])])
    [reason] = [r for r in advice.reasons if r.claim == registered.id]
    assert reason.closeness.level == "far" and reason.weight < 1.0


def test_a_claim_answering_no_question_or_unknown_is_not_cited(
        monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = Claim("quiet", "GRU is quieter", topic=cat.COST, favours=cat.GRU)
    monkeypatch.setitem(REGISTRY, quiet.id, ClaimEntry(quiet, lambda evidence: None))
    advice = advise(Answers(), [_source("quiet", "supported", [0.6, 0.8]),
                                _source("never-heard-of", "supported", [0.6, 0.8])])
    assert not [r for r in advice.reasons if r.claim in ("quiet", "never-heard-of")]


def test_direction_follows_favoured_cell_and_measure() -> None:
    lstm_gap = Claim("gap", "LSTM generalises further", topic=cat.ACCURACY, favours=cat.LSTM,
                     measure=cat.DIFFERENCE)
    parity = Claim("parity", "GRU matches LSTM", topic=cat.ACCURACY, favours=cat.NEITHER)

    def effect(lo: float, hi: float, unit: str = "points") -> dict:
        return {"what": "x", "value": (lo + hi) / 2, "ci": [lo, hi], "unit": unit}

    assert favours(lstm_gap, "supported", effect(1, 2)) == LSTM
    assert favours(lstm_gap, "refuted", effect(-2, -1)) == GRU  # LSTM's advantage below 0
    assert favours(lstm_gap, "refuted", effect(-1, 1)) == NEITHER
    assert favours(parity, "supported", effect(-1, 1)) == NEITHER
    assert favours(parity, "refuted", effect(1, 2)) == GRU  # GRU - LSTM wholly above 0
    assert favours(parity, "refuted", effect(-2, -1)) == LSTM
    assert favours(parity, "refuted", effect(-2, 1)) == UNCLEAR
    by_unit = Claim("both", "LSTM wins", topic=cat.ACCURACY, favours=cat.LSTM,
                    measure=cat.BY_UNIT)
    assert favours(by_unit, "refuted", effect(1.2, 1.5, "ratio")) == GRU
    assert favours(by_unit, "refuted", effect(1.2, 1.5)) == NEITHER  # a difference above 0
