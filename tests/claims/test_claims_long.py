"""Claim "long": verdicts from crafted long-range probe studies."""

from __future__ import annotations

from gatebench.claims import Evidence
from gatebench.claims.long import BOTH_FAIL, crossover, decide

BASE_MSE = 0.167
GOOD_MSE = [0.010, 0.012, 0.011, 0.009]  # well under half the baseline
BAD_MSE = [0.165, 0.170, 0.168, 0.166]  # the mean predictor
GOOD_ACC = [0.95, 0.97, 0.96, 0.98]
CHANCE_ACC = [0.125, 0.13, 0.12, 0.127]


def _adding(factory, length: int, gru, lstm) -> list[dict]:
    return factory.study(f"long/adding/T={length}", gru, lstm, metric="mse",
                         higher_is_better=False, baseline=BASE_MSE, seq_len=length)


def _copy(factory, length: int, gru, lstm) -> list[dict]:
    return factory.study(f"long/copy-memory/T={length}", gru, lstm, baseline=0.13,
                         seq_len=length)


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_lstm_succeeding_where_gru_fails_supports(claim_records) -> None:
    records = (_adding(claim_records, 25, GOOD_MSE, GOOD_MSE)
               + _adding(claim_records, 100, BAD_MSE, GOOD_MSE)
               + _copy(claim_records, 50, CHANCE_ACC, GOOD_ACC))
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert result["effect"]["value"] == 100.0 and result["effect"]["unit"] == "success-rate points"
    probes = {r["task"]: r for r in result["evidence"] if r["level"] == "probe"}
    assert probes["adding"]["crossover"] == 100 and probes["copy-memory"]["crossover"] == 50
    length = next(r for r in result["evidence"] if r["label"] == "long/adding/T=100")
    assert length["value"] > 0 and length["success"] == {"gru": 0.0, "lstm": 1.0}


def test_gru_ahead_refutes(claim_records) -> None:
    records = (_adding(claim_records, 100, GOOD_MSE, BAD_MSE)
               + _copy(claim_records, 100, GOOD_ACC, CHANCE_ACC))
    result = _decide(records)
    assert result["verdict"] == "refuted"
    assert all(p["crossover"] is None for p in result["evidence"] if p["level"] == "probe")


def test_both_succeeding_alike_refutes(claim_records) -> None:
    same = [0.96, 0.96, 0.961, 0.959]
    result = _decide(_copy(claim_records, 200, same, [0.961, 0.959, 0.96, 0.96]))
    assert result["verdict"] == "refuted"
    assert "equivalent" in result["reason"]


def test_probes_disagree_is_mixed(claim_records) -> None:
    records = (_adding(claim_records, 100, BAD_MSE, GOOD_MSE)
               + _copy(claim_records, 100, GOOD_ACC, CHANCE_ACC))
    result = _decide(records)
    assert (result["verdict"], result["depends_on"]) == ("mixed", "the probe")


def test_both_failing_is_inconclusive_with_reason(claim_records) -> None:
    records = (_adding(claim_records, 100, BAD_MSE, BAD_MSE)
               + _copy(claim_records, 100, CHANCE_ACC, CHANCE_ACC))
    result = _decide(records)
    assert result["verdict"] == "inconclusive"
    assert result["reason"].startswith(BOTH_FAIL)


def test_diverged_trial_fails(claim_records) -> None:
    records = _adding(claim_records, 100, GOOD_MSE, GOOD_MSE)
    for r in records:
        if r["cell"] == "gru":
            r["status"] = "diverged"
    assert _decide(records)["verdict"] == "supported"


def test_crossover_needs_every_longer_length() -> None:
    def length(t: int, gru: float, lstm: float, verdict: str = "inconclusive") -> dict:
        return {"seq_len": t, "success": {"gru": gru, "lstm": lstm}, "verdict": verdict}

    assert crossover([length(25, 0, 1), length(50, 1, 1), length(100, 0, 1)]) == 100
    assert crossover([length(25, 1, 1), length(50, 0.5, 1), length(100, 0, 1)]) == 50
    assert crossover([length(25, 0, 1), length(100, 0, 0, "LSTM better")]) == 25
    assert crossover([length(25, 0, 1), length(100, 1, 1)]) is None
