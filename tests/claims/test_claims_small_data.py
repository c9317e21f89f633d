"""Claim "small-data": normalised train-validation gap per task at the smallest fraction."""

from __future__ import annotations

import math

import pytest

from gatebench.claims import Evidence
from gatebench.claims.small_data import chance_loss, decide, gap
from gatebench.protocol.record import TrialRecord

WOBBLE = (0.0, 0.01, -0.01, 0.02, -0.02, 0.005, -0.005, 0.015)  # 8 pairs: Holm over 2 tasks


def _task(claim_records, task: str, gru_gap: float, lstm_gap: float, *, fraction: float = 0.1,
          noise: float = 1.0, **kw) -> list[dict]:
    """Eight pairs at `fraction` plus full data, with train-validation gaps near the given ones."""
    out = []
    for f, sid in ((fraction, f"small/{task}/f={fraction:g}"), (1.0, f"small/{task}")):
        for seed, w in enumerate(WOBBLE):
            for cell, g in (("gru", gru_gap), ("lstm", lstm_gap)):
                jitter = noise * w * (7 if cell == "gru" else -5)
                out.append(_at_budget(claim_records.trial(
                    sid, cell, seed, 0.8, data_fraction=f, **kw), 0.3, 0.3 + g + jitter))
    return out


def _at_budget(record: TrialRecord, train: float, val: float) -> TrialRecord:
    """The record with these eval-mode losses at its last epoch (the step budget)."""
    record.history[-1].update(train_loss=train, train_loss_eval=train, val_loss=val)
    return record


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_gap_uses_eval_mode_training_loss_in_chance_units(claim_records) -> None:
    r = _at_budget(claim_records.trial("small/x", "gru", 0, 0.8), 0.3, 0.5)
    value, eval_mode = gap(r)
    assert eval_mode and value == pytest.approx(0.2 / math.log(2))
    r.task.description["classes"] = {str(k): 10 for k in range(9)}
    assert chance_loss(r) == pytest.approx(math.log(9))
    for h in r.history:
        del h["train_loss_eval"]
    assert gap(r)[1] is False  # falls back to the running loss, and says so


def test_gap_is_read_at_the_step_budget_not_the_checkpoint(claim_records) -> None:
    # best checkpoint at epoch 3 (val loss 0.4), but at 40 steps the model overfits: 1.0 - 0.3
    r = _at_budget(claim_records.trial("small/x", "gru", 0, 0.8, train_loss=0.3, val_loss=0.4),
                   0.3, 1.0)
    assert gap(r, steps=40)[0] == pytest.approx(0.7 / math.log(2))
    assert gap(r, steps=25)[0] == pytest.approx(0.1 / math.log(2))  # epoch 3 reaches 25 steps


def test_one_cell_failing_is_a_failure_rate_not_a_gap(claim_records) -> None:
    # every GRU at the small fraction diverged
    records = [r.tagged(status="diverged") if r.cell == "gru" and r.data_fraction < 1 else r
               for r in _task(claim_records, "reviews", 0.05, 0.3)]
    result = _decide(records)
    gap_row = next(r for r in result["evidence"] if r["level"] == "gap" and r["detail"]["decides"])
    assert gap_row["n"] == 0 and result["verdict"] == "inconclusive"
    trained = next(r for r in result["evidence"] if r["level"] == "failures"
                   and r["data_fraction"] < 1)
    assert trained["outcome"] == "b_better" and trained["value"] == pytest.approx(-1.0)


def test_smaller_gap_is_supported(claim_records) -> None:
    result = _decide(_task(claim_records, "reviews", 0.05, 0.3)
                     + _task(claim_records, "vowels", 0.1, 0.4))
    assert result["verdict"] == "supported"
    assert result["effect"]["unit"] == "\u00d7 chance loss"
    assert result["effect"]["value"] > 0  # LSTM − GRU: GRU overfits less


def test_larger_gap_is_refuted(claim_records) -> None:
    assert _decide(_task(claim_records, "reviews", 0.4, 0.05))["verdict"] == "refuted"


def test_equivalent_gap_is_refuted(claim_records) -> None:
    result = _decide(_task(claim_records, "reviews", 0.1, 0.1, noise=0.02))
    assert result["verdict"] == "refuted"


def test_tasks_disagree_is_mixed(claim_records) -> None:
    result = _decide(_task(claim_records, "reviews", 0.05, 0.3)
                     + _task(claim_records, "vowels", 0.4, 0.05))
    assert (result["verdict"], result["depends_on"]) == ("mixed", "the task")


def test_noisy_gap_is_inconclusive(claim_records) -> None:
    result = _decide(_task(claim_records, "reviews", 0.1, 0.12, noise=20))
    assert result["verdict"] == "inconclusive"


def test_both_failing_pairs_are_left_out(claim_records) -> None:
    records = _task(claim_records, "reviews", 0.05, 0.3, baseline=0.9)  # 0.8 < baseline: fail
    result = _decide(records)
    row = next(r for r in result["evidence"] if r["level"] == "gap" and r["detail"]["decides"])
    assert row["detail"]["both_failed"] == 8 and result["verdict"] == "inconclusive"


def test_full_data_only_is_excluded(claim_records) -> None:
    records = [r for r in _task(claim_records, "reviews", 0.05, 0.3)
               if r["data_fraction"] == 1.0]
    result = _decide(records)
    assert result["reason"] == "not run" and result["excluded"]["no_small_fraction"] == ["reviews"]
