"""Claim "iteration": wall time until each cell's sweep first reaches the common target."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.iteration import decide, time_to

LRS = ("0.001", "0.003", "0.01")
WOBBLE = (0.0, 0.02, -0.02, 0.01, -0.01, 0.03, -0.03, 0.015)


def _sweep(factory, gru_wall: float, lstm_wall: float, *, task: str = "reviews",
           seeds: int = 8, gru_curve=(0.5, 0.7, 0.8, 0.8), lstm_curve=(0.5, 0.7, 0.8, 0.8),
           noise: float = 1.0, **kw) -> list[dict]:
    """Per seed and learning rate both cells; per-epoch wall times wobble per seed."""
    out = []
    for lr in LRS:
        for seed in range(seeds):
            w = 1 + noise * WOBBLE[seed]
            out.append(factory.trial(f"iteration/{task}/lr={lr}", "gru", seed, 0.8,
                                     val_curve=gru_curve, wall_per_epoch_s=gru_wall * w, **kw))
            out.append(factory.trial(f"iteration/{task}/lr={lr}", "lstm", seed, 0.8,
                                     val_curve=lstm_curve, wall_per_epoch_s=lstm_wall, **kw))
    return out


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_time_to_target_counts_the_trials_before_it(claim_records) -> None:
    first = claim_records.trial("i/x/lr=1", "gru", 0, 0.8, val_curve=(0.5, 0.6),
                                wall_per_epoch_s=2.0)
    second = claim_records.trial("i/x/lr=2", "gru", 0, 0.8, val_curve=(0.5, 0.8, 0.9),
                                 wall_per_epoch_s=3.0)
    assert time_to([first, second], 0.75, True) == pytest.approx(4.0 + 6.0)
    assert time_to([first], 0.75, True) is None


def test_faster_sweep_is_supported(claim_records) -> None:
    result = _decide(_sweep(claim_records, 1.0, 2.0))
    assert result["verdict"] == "supported"
    assert result["effect"]["value"] == pytest.approx(0.5, rel=0.05)
    assert "first reaches the common target" in result["effect"]["what"]


def test_reaching_the_target_in_fewer_epochs_counts(claim_records) -> None:
    # Same per-epoch time, but GRU's sweep is good enough an epoch earlier.
    result = _decide(_sweep(claim_records, 1.0, 1.0, gru_curve=(0.5, 0.8, 0.8, 0.8)))
    assert result["verdict"] == "supported"


def test_slower_sweep_is_refuted(claim_records) -> None:
    assert _decide(_sweep(claim_records, 2.0, 1.0))["verdict"] == "refuted"


def test_equivalent_sweep_is_refuted(claim_records) -> None:
    assert _decide(_sweep(claim_records, 1.0, 1.0))["verdict"] == "refuted"


def test_tasks_disagree_is_mixed(claim_records) -> None:
    records = _sweep(claim_records, 1.0, 2.0) + _sweep(claim_records, 2.0, 1.0, task="italy")
    result = _decide(records)
    assert (result["verdict"], result["depends_on"]) == ("mixed", "the task")


def test_noisy_is_inconclusive(claim_records) -> None:
    result = _decide(_sweep(claim_records, 0.9, 1.0, seeds=3, noise=10))
    assert result["verdict"] == "inconclusive"


def test_concurrent_seeds_give_no_time(claim_records) -> None:
    result = _decide(_sweep(claim_records, 1.0, 2.0, concurrent=True))
    assert result["reason"] == "not run"
    assert result["excluded"]["seeds_without_time"] == 8


def test_the_result_does_not_depend_on_the_sweep_order(claim_records) -> None:
    # GRU's good learning rate is the largest, LSTM's the smallest: an ascending sweep favours
    # LSTM, a descending one GRU; the mean over every order favours neither
    def sweep(labels: tuple[str, ...]) -> list[dict]:
        out = []
        for lr, gru_good, lstm_good in zip(labels, (False, True), (True, False), strict=True):
            for seed in range(8):
                w = 1 + WOBBLE[seed]
                for cell, good in (("gru", gru_good), ("lstm", lstm_good)):
                    curve = (0.5, 0.7, 0.8, 0.8) if good else (0.5, 0.5, 0.5, 0.5)
                    out.append(claim_records.trial(f"iteration/x/lr={lr}", cell, seed, 0.8,
                                                   val_curve=curve, baseline=0.5,
                                                   wall_per_epoch_s=w if cell == "gru"
                                                   else 1.0))
        return out

    ascending = _decide(sweep(("0.001", "0.01")))
    descending = _decide(sweep(("0.01", "0.001")))  # the same trials, the other order
    assert ascending["effect"]["value"] == pytest.approx(descending["effect"]["value"])
    assert ascending["effect"]["value"] == pytest.approx(1.0, abs=0.05)
    assert "cpu; kernels gru aten::gru, lstm mkldnn_rnn_layer" in ascending["reason"]
