"""Claim "long": adding as skill, a^n b^n as generalisation, uninformative cases."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.long import crossover, decide, generalisation_n, long_range_view
from gatebench.protocol.record import TrialRecord

BASE = 0.167
# Eight pairs: with two probes under Holm, the exact sign-flip test needs more than six.
WOBBLE = (1.0, 1.1, 0.9, 1.05, 0.95, 1.02, 0.98, 1.04)


def _adding(claim_records, length: int, gru: float, lstm: float, spread=WOBBLE) -> list[dict]:
    """Eight seed pairs at test MSE around `gru` and `lstm` on adding at T=length."""
    return claim_records.study(
        f"long/adding/T={length}", [gru * w for w in spread], [lstm * w for w in spread[::-1]],
        metric="mse", higher_is_better=False, baseline=BASE, seq_len=length,
        val_curve=(0.3, 0.2, 0.25))


LOW = [9, 10, 9, 11, 10, 9, 12, 10]  # largest n right: barely past training (N = 8)
HIGH = [20, 22, 19, 21, 24, 20, 23, 21]


def _by_length(right_up_to: int, top: int = 24) -> dict[str, dict[str, int]]:
    return {str(2 * n): {"n": 10, "correct": 10 if n <= right_up_to else 6}
            for n in range(1, top + 1)}


def _anbn(claim_records, gru: list[int], lstm: list[int]) -> list[dict]:
    out = []
    desc = {"n_train_max": 8, "n_range": {"test": [1, 24]}}
    for seed, (g, ls) in enumerate(zip(gru, lstm, strict=True)):
        for cell, n in (("gru", g), ("lstm", ls)):
            out.append(claim_records.trial("long/anbn/N=8", cell, seed, 0.9, baseline=0.5,
                                           test_by_length=_by_length(n),
                                           options={"n_train_max": 8, "seq_len": 48},
                                           description=desc))
    return out


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_generalisation_is_the_largest_n_all_right() -> None:
    trial = TrialRecord(spec_id="a-gru", pair_key="a", cell="gru", seed=0)
    assert generalisation_n(trial.tagged(test_by_length=_by_length(13))) == 13
    assert generalisation_n(trial.tagged(test_by_length=_by_length(0))) == 0
    assert generalisation_n(trial.tagged(status="diverged")) == 0
    assert generalisation_n(trial) is None


def test_lstm_ahead_on_every_probe_supports(claim_records) -> None:
    records = (_adding(claim_records, 400, gru=0.10, lstm=0.02)
               + _anbn(claim_records, LOW, HIGH))
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert "adding T=400" in result["effect"]["what"]
    # LSTM − GRU skill in points: (0.10 − 0.02) / 0.167, about +48
    assert result["effect"]["value"] == pytest.approx(100 * 0.08 / BASE, rel=0.05)
    assert result["effect"]["unit"] == "skill points"
    lo, hi = result["effect"]["ci"]
    assert 0 < lo < hi
    assert result["reason"].startswith("2 of 2 probes informative, 2 for, 0 against")
    probes = {r["task"]: r["counts_as"] for r in result["evidence"] if r["level"] == "probe"}
    assert probes == {"adding": "supported", "anbn": "supported"}


def test_gru_ahead_refutes(claim_records) -> None:
    records = (_adding(claim_records, 400, gru=0.02, lstm=0.10)
               + _anbn(claim_records, HIGH, LOW))
    assert _decide(records)["verdict"] == "refuted"


def test_probes_disagree_is_mixed(claim_records) -> None:
    records = (_adding(claim_records, 400, gru=0.10, lstm=0.02)
               + _anbn(claim_records, HIGH, LOW))
    result = _decide(records)
    assert result["verdict"] == "mixed"
    assert result["depends_on"] == "the kind of dependency"


def test_both_fail_is_uninformative_not_a_zero_interval(claim_records) -> None:
    records = _adding(claim_records, 400, gru=0.166, lstm=0.168) + _anbn(
        claim_records, [3, 2, 4, 3, 2, 3, 2, 4], [2, 3, 3, 4, 2, 2, 3, 3])
    result = _decide(records)
    assert result["verdict"] == "inconclusive"
    assert result["effect"]["ci"] == [None, None]
    assert "both cells fail" in result["reason"]
    assert "more seeds" in result["would_change"] or "budget" in result["would_change"]


def test_both_saturate_is_uninformative(claim_records) -> None:
    result = _decide(_anbn(claim_records, [24] * 8, [24] * 8))
    assert result["verdict"] == "inconclusive" and "both cells saturate" in result["reason"]


def test_longest_informative_length_decides_and_crossover(claim_records) -> None:
    records = (_adding(claim_records, 100, gru=0.01, lstm=0.011, spread=(0.5,) * 8)
               + _adding(claim_records, 400, gru=0.10, lstm=0.02)
               + _adding(claim_records, 800, gru=0.167, lstm=0.167))  # both fail: skipped
    result = _decide(records)
    assert result["verdict"] == "supported"
    probe = next(r for r in result["evidence"] if r["level"] == "probe")
    assert probe["seq_len"] == 400 and probe["crossover"] == 400
    view = long_range_view(result)
    assert view["crossover"][0]["seq_len"] == 400
    assert {r["seq_len"] for r in view["rows"]} == {100, 400, 800}


def test_crossover_needs_every_longer_informative_length() -> None:
    lengths = [{"seq_len": 25, "outcome": "a_better"}, {"seq_len": 100, "outcome": "b_better"},
               {"seq_len": 400, "outcome": "a_better"},
               {"seq_len": 800, "outcome": "uninformative"}]
    assert crossover(lengths) == 400
    assert crossover(lengths[:2]) is None


def test_adding_shorter_than_400_cannot_speak_for_very_long(claim_records) -> None:
    records = (_adding(claim_records, 100, gru=0.10, lstm=0.02)
               + _adding(claim_records, 400, gru=0.166, lstm=0.168))  # both fail at 400
    result = _decide(records)
    assert result["verdict"] == "inconclusive"
    probe = next(r for r in result["evidence"] if r["level"] == "probe")
    assert probe["counts_as"] == "uninformative"
    assert "could not see at T \u2265 400" in probe["uninformative"]
    assert "T=400 both cells fail" in probe["uninformative"]


def test_divergence_is_a_failure_not_dropped(claim_records) -> None:
    records = _adding(claim_records, 400, gru=0.10, lstm=0.02)
    records = [r.tagged(status="diverged", test={"mse": float("nan")}) if r.cell == "gru" else r
               for r in records]
    result = _decide(records)
    length = next(r for r in result["evidence"] if r["level"] == "length")
    assert length["n"] == 8 and length["failures"]["gru"] == 8
    assert result["verdict"] == "supported"  # LSTM learned, GRU diverged: LSTM ahead


def test_noisy_is_inconclusive(claim_records) -> None:
    records = _adding(claim_records, 400, gru=0.05, lstm=0.05,
                      spread=(0.3, 2.0, 0.5, 1.5, 0.8, 1.1, 0.7, 1.6))
    assert _decide(records)["verdict"] == "inconclusive"


def test_no_probes_is_not_run() -> None:
    result = _decide([])
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")
