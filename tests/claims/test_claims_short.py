"""Claim "short": equivalence per task, failures apart from the mean, Holm across tasks."""

from __future__ import annotations

from gatebench.claims import Evidence
from gatebench.claims.short import decide
from gatebench.protocol.record import TaskDescription

SAME = ([0.801, 0.799, 0.802, 0.800, 0.798], [0.800, 0.800, 0.801, 0.799, 0.799])
LSTM_AHEAD = ([0.70, 0.71, 0.69, 0.70, 0.72], [0.80, 0.80, 0.81, 0.79, 0.80])
NOISY = ([0.70, 0.90, 0.75, 0.85, 0.80], [0.80, 0.80, 0.80, 0.80, 0.80])


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_all_equivalent_is_supported(claim_records) -> None:
    result = _decide(claim_records.study("short/reviews", *SAME)
                     + claim_records.study("short/italy", *SAME, seq_median=24))
    assert result["verdict"] == "supported"
    assert result["reason"].startswith("2 of 2 tasks informative, 2 for, 0 against")
    assert result["effect"]["unit"] == "points"
    assert result["would_change"].startswith("a short task with a significant difference")
    assert result["combined"]["counts"] == {"tasks": 2, "informative": 2, "for": 2,
                                            "against": 0}


def test_one_equivalent_task_beside_undecided_ones_is_not_support(claim_records) -> None:
    # "A matches B" needs every informative task equivalent (intersection-union)
    result = _decide(claim_records.study("short/reviews", *SAME)
                     + claim_records.study("short/italy", *NOISY, seq_median=24))
    assert result["verdict"] == "inconclusive"
    assert result["reason"].startswith("2 of 2 tasks informative, 1 for, 0 against")


def test_difference_beyond_margin_refutes(claim_records) -> None:
    result = _decide(claim_records.study("short/reviews", *LSTM_AHEAD)
                     + claim_records.study("short/italy", *NOISY))
    assert result["verdict"] == "refuted"
    assert "short/reviews" in result["effect"]["what"]
    assert result["effect"]["value"] < -9


def test_the_headline_is_a_task_that_decided_the_verdict(claim_records) -> None:
    # an undecided task with a wider interval must not head a refuted claim with a number
    # whose interval spans 0
    noisier = ([0.60, 1.00, 0.65, 0.95, 0.80], [0.80] * 5)
    result = _decide(claim_records.study("short/reviews", *LSTM_AHEAD)
                     + claim_records.study("short/italy", *noisier))
    assert result["verdict"] == "refuted"
    assert "short/reviews" in result["effect"]["what"]
    lo, hi = result["effect"]["ci"]
    assert hi < 0


def test_a_significant_difference_refutes_even_beside_an_equivalent_task(claim_records) -> None:
    result = _decide(claim_records.study("short/reviews", *LSTM_AHEAD)
                     + claim_records.study("short/italy", *SAME))
    assert (result["verdict"], result["depends_on"]) == ("refuted", None)
    assert result["reason"].startswith("2 of 2 tasks informative, 1 for, 1 against")


def test_still_improving_task_is_uninformative(claim_records) -> None:
    # every trial's best epoch was its last
    records = [r.tagged(best_epoch=len(r.history))
               for r in claim_records.study("short/reviews", *SAME)]
    result = _decide(records)
    assert result["verdict"] == "inconclusive"
    assert result["reason"].startswith("0 of 1 task informative")
    task = next(r for r in result["evidence"] if r["level"] == "task")
    assert task["counts_as"] == "uninformative" and "still-improving" in task["uninformative"]


def test_noisy_is_inconclusive(claim_records) -> None:
    result = _decide(claim_records.study("short/reviews", *NOISY))
    assert result["verdict"] == "inconclusive"
    lo, hi = result["effect"]["ci"]
    assert lo < 0 < hi


def test_significant_but_inside_margin_counts_as_matching(claim_records) -> None:
    tiny = ([0.805, 0.806, 0.804, 0.805, 0.806], [0.800, 0.800, 0.801, 0.799, 0.800])
    result = _decide(claim_records.study("short/reviews", *tiny))
    row = result["evidence"][0]
    assert (row["outcome"], row["counts_as"]) == ("a_better", "supported")
    assert result["verdict"] == "supported"


def test_failed_seeds_count_in_the_score(claim_records) -> None:
    # GRU fails to train (majority-class accuracy) in 7 of 8 seeds; LSTM never does.
    gru = [0.5] * 7 + [0.80]
    lstm = [0.80, 0.81, 0.79, 0.80, 0.82, 0.80, 0.79, 0.80]
    result = _decide(claim_records.study("short/italy", gru, lstm, baseline=0.5))
    task = next(r for r in result["evidence"] if r["level"] == "task")
    assert task["failure_rate"] == {"gru": 7 / 8, "lstm": 0.0}
    assert task["n"] == 8  # failed seeds stay in, at their score: no survivor bias
    assert task["value"] < -20
    assert result["verdict"] == "refuted"
    assert "failed seeds GRU 88%, LSTM 0%" in result["reason"]


def test_long_or_unknown_length_studies_are_excluded(claim_records) -> None:
    records = (claim_records.study("short/reviews", *SAME)
               + claim_records.study("short/imdb", *LSTM_AHEAD, seq_median=230))
    for r in claim_records.study("short/mystery", *LSTM_AHEAD):
        records.append(r.tagged(task=TaskDescription(r.task.name, r.task.family)))
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert result["excluded"]["too_long"] == ["short/imdb (median 230)"]
    assert result["excluded"]["length_unknown"] == ["short/mystery"]


def test_no_short_studies_is_not_run(claim_records) -> None:
    result = _decide(claim_records.study("small/reviews", *SAME))
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")
