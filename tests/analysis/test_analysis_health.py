"""Training-health checks on crafted records: each fires on its symptom and stays quiet without."""

from __future__ import annotations

import math
from typing import Any

import pytest

from gatebench.analysis import INCONCLUSIVE, decide
from gatebench.analysis.health import apply_health, health_checks, trial_failed
from gatebench.protocol.record import TaskDescription, TrialRecord, TrialTiming

ARMS = ("gru", "lstm")
BASELINE = {"metric": "accuracy", "value": 0.5, "what": "always predict the majority class"}


def _history(val_metric: list[float], val_loss: list[float]) -> list[dict[str, float]]:
    return [{"epoch": e, "train_loss": v, "val_loss": v, "val_metric": m,
             "train_time_s": 0.1 * e, "wall_s": 0.2 * e}
            for e, (m, v) in enumerate(zip(val_metric, val_loss, strict=True), start=1)]


# A healthy trial: the metric peaks at epoch 4, the loss turns up after it, patience 3 ends it.
HEALTHY = ([0.6, 0.8, 0.85, 0.9, 0.88, 0.89, 0.88], [0.6, 0.4, 0.3, 0.25, 0.27, 0.3, 0.32])


def record(arm: str = "gru", seed: int = 0, test: float = 0.9, *, status: str = "ok",
           curve: tuple[list[float], list[float]] = HEALTHY, best: int | None = None,
           steps: int = 70, n_val: int = 1000, n_train: int = 4000, batch: int = 64,
           max_epochs: int = 20, metric: str = "accuracy", hib: bool = True,
           baseline: dict | None = BASELINE) -> TrialRecord:
    """One record, built through the type, with just the fields the checks read."""
    history = _history(*curve)
    if best is None:
        best = max(history, key=lambda h: h["val_metric"] if hib else -h["val_metric"])["epoch"]
    description = {"n_train": n_train, "n_val": n_val, "n_test": 1000}
    if baseline is not None:
        description["baseline"] = baseline
    return TrialRecord(
        spec_id=f"p{seed}-{arm}", cell=arm, arm=arm, seed=seed, pair_key=f"p{seed}",
        data_fraction=1.0, status=status, metric=metric, higher_is_better=hib,
        test={metric: test}, best_epoch=best, epochs_run=len(history),
        history=history, timing=TrialTiming(steps=steps),
        spec={"train": {"batch_size": batch, "max_epochs": max_epochs, "patience": 3}},
        task=TaskDescription("toy", objective="classification", description=description),
    )


def study(**per_trial: Any) -> list[TrialRecord]:
    """Three healthy seed pairs; `per_trial` overrides apply to every trial."""
    return [record(arm, seed, **per_trial) for seed in range(3) for arm in ARMS]


def by_id(checks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for c in checks}


def run(records: list[dict[str, Any]], margin: float = 1.0) -> dict[str, dict[str, Any]]:
    return by_id(health_checks(records, arms=ARMS, margin=margin))


def test_a_healthy_study_passes_every_check() -> None:
    checks = health_checks(study(), arms=ARMS, margin=1.0)
    assert {c["check"] for c in checks} == {"diverged", "failed-to-train", "still-improving",
                                           "validation-granularity", "training-budget",
                                           "steps-spread"}
    assert all(c["status"] == "ok" and not c["blocks_verdict"] for c in checks), checks
    for c in checks:
        assert set(c) == {"check", "status", "blocks_verdict", "message", "details"}


# -- diverged ---------------------------------------------------------------------------------


def test_diverged_fires_on_a_nan_loss_and_names_the_fix() -> None:
    records = study()
    records[0] = records[0].tagged(status="diverged")
    records[0].history[-1]["train_loss"] = math.nan
    c = run(records)["diverged"]
    assert c["status"] == "fail" and c["blocks_verdict"]
    assert c["details"]["per_arm"] == {"gru": 1, "lstm": 0}
    assert "1 of 3 GRU and 0 of 3 LSTM" in c["message"] and "--lr" in c["message"]


def test_a_diverged_trial_below_a_third_of_its_arm_is_a_finding_not_a_block() -> None:
    records = [record(arm, seed) for seed in range(4) for arm in ARMS]
    records[0] = records[0].tagged(status="diverged")  # 1 of 4 GRU trials
    c = run(records)["diverged"]
    assert c["status"] == "warn" and not c["blocks_verdict"]
    assert c["details"]["per_arm"] == {"gru": 1, "lstm": 0} and "finding" in c["message"]
    records[2] = records[2].tagged(status="diverged")  # 2 of 4: half the arm's trials
    assert run(records)["diverged"]["blocks_verdict"]


def test_diverged_is_quiet_for_finite_losses() -> None:
    assert run(study())["diverged"]["status"] == "ok"


# -- failed to train --------------------------------------------------------------------------


def test_failed_to_train_counts_failures_per_arm_and_their_rate_difference() -> None:
    records = study()
    for r in records:
        if r["arm"] == "gru" and r["seed"] < 2:
            r.test["accuracy"] = 0.52  # within 2 standard errors (3.2 points) of 0.5
    c = run(records)["failed-to-train"]
    assert c["status"] == "fail" and c["blocks_verdict"]
    per_arm = c["details"]["per_arm"]
    assert per_arm["gru"]["failed"] == 2 and per_arm["lstm"]["failed"] == 0
    assert c["details"]["rate_difference"] == pytest.approx(2 / 3)
    assert 0 < c["details"]["fisher_p"] <= 1
    assert c["details"]["threshold_points"] == pytest.approx(2 * math.sqrt(0.25 / 1000) * 100)
    assert "2 of 3 GRU and 0 of 3 LSTM" in c["message"]
    assert "failure rates 67% vs 0%" in c["message"] and "apart from the paired" in c["message"]


def test_one_failed_trial_in_four_is_a_finding_with_its_rates() -> None:
    records = [record(arm, seed) for seed in range(4) for arm in ARMS]
    records[1].test["accuracy"] = 0.5  # LSTM seed 0 at the baseline
    c = run(records)["failed-to-train"]
    assert c["status"] == "warn" and not c["blocks_verdict"]
    assert c["details"]["per_arm"]["lstm"] == {"failed": 1, "n": 4, "rate": 0.25}
    assert "failure rates 0% vs 25%" in c["message"] and "finding" in c["message"]


def test_failed_to_train_is_quiet_clear_of_the_baseline() -> None:
    c = run(study(test=0.54))["failed-to-train"]  # 4 points: more than 2 standard errors
    assert c["status"] == "ok" and c["details"]["rate_difference"] == 0


def test_failed_to_train_takes_a_given_baseline_and_works_for_error_metrics() -> None:
    mae = {"metric": "mae", "value": 1.0, "what": "naive last value"}
    records = study(metric="mae", hib=False, test=0.995, baseline=mae)  # 0.5% lower error
    assert run(records)["failed-to-train"]["status"] == "fail"  # margin 1%: not clear of it
    assert run(study(metric="mae", hib=False, test=0.9, baseline=mae))["failed-to-train"][
        "status"] == "ok"
    given = by_id(health_checks(study(test=0.7), arms=ARMS, margin=1.0, trivial_baseline=0.69))
    assert given["failed-to-train"]["status"] == "fail"


def test_trial_failed_is_the_noise_band_around_the_baseline() -> None:
    # Baseline 0.5 on 1,000 test rows: two binomial standard errors are 3.16 points.
    assert trial_failed(record(test=0.53)) is True  # 3 points: guessing could score that
    assert trial_failed(record(test=0.54)) is False  # 4 points: clear of the noise
    assert trial_failed(record(test=0.9, status="diverged")) is True
    assert trial_failed(record(test=float("nan"))) is True  # no test value: nothing learnt
    assert trial_failed(record(test=0.3, baseline=None)) is None  # nothing to compare with
    assert trial_failed(record(test=0.7), baseline=0.69) is True  # a given baseline wins
    mae = {"metric": "mae", "value": 1.0, "what": "naive last value"}
    assert trial_failed(record(metric="mae", hib=False, test=0.98, baseline=mae)) is False
    assert trial_failed(record(metric="mae", hib=False, test=0.98, baseline=mae),
                        margin=5.0) is True  # error metrics: within the margin of the baseline


def test_without_a_recorded_baseline_only_divergence_counts_as_failure() -> None:
    c = run(study(test=0.3, baseline=None))["failed-to-train"]
    assert c["status"] == "ok" and c["details"]["baseline"] is None


# -- still improving --------------------------------------------------------------------------


def test_still_improving_fires_when_the_best_epoch_is_the_last() -> None:
    rising = ([0.6, 0.7, 0.8, 0.9], [0.6, 0.5, 0.4, 0.3])
    c = run(study(curve=rising, max_epochs=4))["still-improving"]
    assert c["status"] == "fail" and c["blocks_verdict"]
    assert c["details"]["reasons"]["last-epoch"] == 6
    assert "raise --max-epochs (now 4)" in c["message"]


def test_still_improving_fires_when_the_loss_was_still_falling_at_the_stop() -> None:
    ties = ([0.6, 0.64, 0.64, 0.64, 0.64], [0.69, 0.68, 0.67, 0.66, 0.65])  # italy-power, before
    c = run(study(curve=ties))["still-improving"]
    assert c["status"] == "fail"
    assert c["details"]["reasons"]["loss-falling"] == 6 and "raise --patience" in c["message"]


def test_one_still_improving_trial_in_ten_only_warns() -> None:
    records = [record(arm, seed) for seed in range(10) for arm in ARMS]
    records[0] = record("gru", 0, curve=([0.6, 0.7, 0.8], [0.6, 0.5, 0.4]))
    c = run(records)["still-improving"]
    assert c["status"] == "warn" and not c["blocks_verdict"]


def test_still_improving_is_quiet_when_the_loss_turned_up() -> None:
    assert run(study())["still-improving"]["status"] == "ok"


# -- validation granularity ------------------------------------------------------------------


def test_small_validation_split_warns_with_its_row_size_against_the_margin() -> None:
    c = run(study(n_val=14))["validation-granularity"]
    assert c["status"] == "warn" and not c["blocks_verdict"]
    assert c["details"]["points_per_row"] == pytest.approx(100 / 14)
    assert "14 rows" in c["message"] and "7.1 points" in c["message"]


def test_small_validation_split_fails_when_ties_kept_a_much_worse_checkpoint() -> None:
    # the metric tops out at epoch 2; epoch 4 ties it with half the validation loss
    ties = ([0.8, 0.93, 0.86, 0.93, 0.86, 0.86], [0.5, 0.4, 0.3, 0.2, 0.25, 0.3])
    c = run(study(n_val=14, curve=ties))["validation-granularity"]
    assert c["status"] == "fail" and c["blocks_verdict"]
    assert c["details"]["tied_better_later"] == {"gru": 3, "lstm": 3}


def test_validation_granularity_is_quiet_for_large_splits_and_error_metrics() -> None:
    assert run(study(n_val=1000))["validation-granularity"]["status"] == "ok"
    mse = {"metric": "mse", "value": 1.0}
    assert run(study(n_val=14, metric="mse", hib=False, test=0.1, baseline=mse))[
        "validation-granularity"]["status"] == "ok"
    assert run(study(n_val=14), margin=10.0)["validation-granularity"]["status"] == "ok"


# -- training budget and step spread ---------------------------------------------------------


def test_training_budget_warns_under_the_step_floor() -> None:
    c = run(study(n_train=53, batch=64, max_epochs=5))["training-budget"]
    assert c["status"] == "warn" and c["details"]["planned_steps"] == 5
    assert "--max-epochs" in c["message"]
    assert run(study(n_train=53, batch=8, max_epochs=43))["training-budget"]["status"] == "ok"


def test_steps_spread_warns_when_trials_took_very_different_steps() -> None:
    records = study()
    records[1] = records[1].tagged(timing=TrialTiming(steps=700))
    c = run(records)["steps-spread"]
    assert c["status"] == "warn" and c["details"]["ratio"] == pytest.approx(10)
    assert run(study())["steps-spread"]["status"] == "ok"


# -- the verdict ------------------------------------------------------------------------------


def test_a_blocking_check_makes_the_verdict_inconclusive_with_the_reason_first() -> None:
    records = study(curve=([0.6, 0.7, 0.8], [0.6, 0.5, 0.4]), max_epochs=3)
    checks = health_checks(records, arms=ARMS, margin=1.0)
    verdict = decide([0.5, 2.0, 1.2], margin=1.0)  # would ask for more seeds
    assert verdict["label"] == INCONCLUSIVE and verdict["suggested_seeds"]
    out = apply_health(verdict, checks, ARMS)
    assert out["label"] == INCONCLUSIVE and out["suggested_seeds"] is None
    assert out["health"] == ["still-improving"] and "raise --max-epochs" in out["reason"]
    assert out["before_health"]["suggested_seeds"] == verdict["suggested_seeds"]
    reason = out["text"].index("raise --max-epochs")
    assert reason < out["text"].index("GRU \u2212 LSTM = +1.2 points")
    assert "more seed" not in out["text"]
    assert apply_health(out, checks, ARMS) == out  # idempotent


def test_a_winner_is_withdrawn_when_training_failed() -> None:
    checks = health_checks(study(test=0.5), arms=ARMS, margin=1.0)
    out = apply_health(decide([5.0, 6.0, 5.5], margin=1.0), checks, ARMS)
    assert out["label"] == INCONCLUSIVE and out["before_health"]["label"] == "GRU better"


def test_warnings_leave_the_verdict_alone() -> None:
    verdict = decide([5.0, 6.0, 5.5], margin=1.0)
    checks = health_checks(study(n_val=14), arms=ARMS, margin=1.0)
    assert any(c["status"] == "warn" for c in checks)
    assert apply_health(verdict, checks, ARMS) is verdict


def test_records_of_other_arms_and_fractions_are_left_out() -> None:
    other = record("lstm-b", 0, status="diverged")
    small = record("gru", 0, status="diverged").tagged(data_fraction=0.1)
    assert run([*study(), other, small])["diverged"]["status"] == "ok"


def test_a_perfect_validation_score_is_not_still_improving() -> None:
    # The loss keeps falling to the last epoch, but every validation row is already right:
    # more epochs sharpen confidence, they cannot change a prediction validation can see.
    perfect = ([0.5, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0], [0.7, 0.5, 0.3, 0.2, 0.15, 0.1, 0.08])
    records = [record(arm, seed, curve=perfect, best=7) for seed in range(3) for arm in ARMS]
    assert run(records)["still-improving"]["status"] == "ok"
    short_of_it = ([0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95], perfect[1])
    records = [record(arm, seed, curve=short_of_it, best=7) for seed in range(3) for arm in ARMS]
    assert run(records)["still-improving"]["blocks_verdict"]

