"""Claim "convergence": steps to the pair's common target, each stored trial counted once."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.convergence import decide, reach, target

EARLY = (2, 2, 3, 2, 3, 2, 2, 3)
LATE = (5, 6, 5, 6, 7, 5, 6, 5)


def _curve(reach: int, epochs: int = 8) -> tuple[float, ...]:
    return tuple(0.5 if e < reach else 0.9 for e in range(1, epochs + 1))


def _trials(factory, gru_reach, lstm_reach, sid: str = "short/reviews", *,
            lstm_steps=(10,) * 8, **kw) -> list[dict]:
    out = []
    for seed, (g, ls) in enumerate(zip(gru_reach, lstm_reach, strict=True)):
        out.append(factory.trial(sid, "gru", seed, 0.9, val_curve=_curve(g), **kw))
        out.append(factory.trial(sid, "lstm", seed, 0.9, val_curve=_curve(ls),
                                 steps_per_epoch=lstm_steps[seed], **kw))
    return out


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


def test_target_is_relative_to_the_baseline() -> None:
    # 90% of the way from the baseline to the best: 0.5 -> 0.8 gives 0.77, not 95% of 0.8
    assert target(0.8, 0.5, 0.9) == pytest.approx(0.77)
    assert target(0.2, 1.0, 0.9) == pytest.approx(0.28)  # errors: from the baseline down


def test_reaching_the_target_is_interpolated_to_the_step(claim_records) -> None:
    trial = claim_records.trial("short/x", "gru", 0, 0.9, val_curve=(0.6, 0.7, 0.9),
                                steps_per_epoch=10)
    hit = reach(trial, 0.8, start=0.5)  # halfway between epoch 2 (0.7) and epoch 3 (0.9)
    assert hit["steps"] == pytest.approx(25.0) and hit["epoch"] == pytest.approx(2.5)
    assert reach(trial, 0.55, start=0.5)["steps"] == pytest.approx(5.0)  # before epoch 1
    assert reach(trial, 0.95, start=0.5) is None


def test_fewer_steps_is_supported_and_reported_three_ways(claim_records) -> None:
    result = _decide(_trials(claim_records, EARLY, LATE))
    assert result["verdict"] == "supported"
    assert result["effect"]["unit"] == "ratio" and result["effect"]["value"] < 0.6
    measures = {r["measure"] for r in result["evidence"]}
    assert measures == {"steps", "epochs", "seconds"}


def test_more_steps_is_refuted(claim_records) -> None:
    assert _decide(_trials(claim_records, LATE, EARLY))["verdict"] == "refuted"


def test_equivalent_steps_is_refuted(claim_records) -> None:
    steps = (10, 10, 10, 10, 10, 10, 10, 10)
    records = _trials(claim_records, (4,) * 8, (4,) * 8, lstm_steps=steps)
    for i, r in enumerate(r for r in records if r["cell"] == "lstm"):
        for h in r.history:
            h["steps"] = h["epoch"] * (10 + (i % 3) - 1) / 10 * 10
    assert _decide(records)["verdict"] == "refuted"


def test_tasks_disagree_is_mixed(claim_records) -> None:
    records = (_trials(claim_records, EARLY, LATE)
               + _trials(claim_records, LATE, EARLY, sid="short/italy"))
    result = _decide(records)
    assert (result["verdict"], result["depends_on"]) == ("mixed", "the task")


def test_noisy_is_inconclusive(claim_records) -> None:
    records = _trials(claim_records, (2, 7, 3, 6, 2, 7, 4, 5), (6, 2, 5, 3, 7, 2, 5, 4))
    assert _decide(records)["verdict"] == "inconclusive"


def test_shared_trials_count_once_and_small_fractions_are_not_used(claim_records) -> None:
    shared = _trials(claim_records, EARLY, LATE)
    again = [r.tagged(study_id="small/reviews") for r in shared]
    small = [r.tagged(data_fraction=0.1)
             for r in _trials(claim_records, LATE, EARLY, sid="small/reviews/f=0.1")]
    result = _decide(shared + again + small)
    steps = next(r for r in result["evidence"] if r["measure"] == "steps")
    assert steps["n"] == 8 and result["verdict"] == "supported"


def test_still_improving_task_is_uninformative_not_a_verdict(claim_records) -> None:
    # every trial's best epoch is its last: the steps-to-target measure the epoch cap
    records = [r.tagged(best_epoch=len(r.history))
               for r in _trials(claim_records, EARLY, LATE)]
    result = _decide(records)
    assert result["verdict"] == "inconclusive"
    assert result["reason"].startswith("0 of 1 task informative, 0 for, 0 against")
    assert "still-improving" in result["reason"]
    row = next(r for r in result["evidence"] if r["level"] == "task")
    assert row["counts_as"] == "uninformative" and "still-improving" in row["uninformative"]


def test_reason_shows_adjusted_p(claim_records) -> None:
    records = (_trials(claim_records, EARLY, LATE)
               + _trials(claim_records, LATE, EARLY, sid="short/italy"))
    result = _decide(records)
    assert result["reason"].startswith("2 of 2 tasks informative, 1 for, 1 against")
    assert result["reason"].count("adjusted p = ") == 2


def test_failed_trials_are_left_out(claim_records) -> None:
    result = _decide(_trials(claim_records, EARLY, LATE, baseline=0.95))
    assert result["excluded"]["failed_trials"] == {"gru": 8, "lstm": 8}
    assert result["reason"] == "not run"
