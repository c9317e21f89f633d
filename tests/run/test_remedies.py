"""Which remedy a blocking health check gets next, and what it changes (run.remedies)."""

from __future__ import annotations

from pathlib import Path

from gatebench.analysis.health import health_checks
from gatebench.api import study_spec
from gatebench.protocol import TaskSpec
from gatebench.protocol.record import TaskDescription, TrialRecord, TrialTiming
from gatebench.run.remedies import (
    HEALTH_LR_TRIALS,
    LR_SEARCH,
    MAX_DOUBLINGS,
    MORE_EPOCHS,
    _more_epochs,
    _next_remedy,
)


def _taken(*names: str, applied: bool = True) -> list[dict]:
    return [{"remedy": n, "applied": applied} for n in names]


def test_failed_training_gets_the_lr_search_first_then_longer_budgets() -> None:
    assert _next_remedy("failed-to-train", [], tuned=False) is LR_SEARCH
    assert _next_remedy("failed-to-train", _taken("learning-rate search"), False) is MORE_EPOCHS
    used = _taken("learning-rate search", *["more epochs"] * MAX_DOUBLINGS)
    assert _next_remedy("failed-to-train", used, tuned=False) is None
    # arms searched already (--tune): straight to a longer budget
    assert _next_remedy("failed-to-train", [], tuned=True) is MORE_EPOCHS


def test_still_improving_gets_more_epochs_up_to_the_limit() -> None:
    assert _next_remedy("still-improving", [], tuned=False) is MORE_EPOCHS
    assert _next_remedy("still-improving", _taken(*["more epochs"] * MAX_DOUBLINGS),
                        False) is None
    # a remedy the budget refused was not taken: it is still the next one
    assert _next_remedy("still-improving", _taken("more epochs", applied=False),
                        False) is MORE_EPOCHS
    assert _next_remedy("diverged", [], tuned=False) is None  # a finding, not a remedy


def test_more_epochs_doubles_epochs_and_patience_for_every_arm() -> None:
    spec = study_spec(TaskSpec.make("italy-power"), seeds="auto", max_epochs=20, patience=3)
    longer, report = _more_epochs(spec)
    assert report is None and longer.arms == spec.arms
    assert (longer.train.max_epochs, longer.train.patience) == (40, 6)
    assert longer.train.lr == spec.train.lr and longer.margin == spec.margin
    assert LR_SEARCH.cost_pairs(spec) == HEALTH_LR_TRIALS + 3


K_CELLS = ("gru", "lstm", "mingru", "minlstm")


def _k_record(arm: str, seed: int, accuracy: float) -> TrialRecord:
    """A trial whose validation peaked mid-run (healthy) at `accuracy` on the test split."""
    curve = [0.6, 0.8, 0.85, 0.9, 0.88, 0.89, 0.88]
    history = [{"epoch": e, "train_loss": 0.3, "val_loss": 0.3, "val_metric": m,
                "train_time_s": 0.1 * e, "wall_s": 0.2 * e} for e, m in enumerate(curve, 1)]
    baseline = {"metric": "accuracy", "value": 0.5, "what": "the majority class"}
    return TrialRecord(
        spec_id=f"p{seed}-{arm}", cell=arm, arm=arm, seed=seed, pair_key=f"p{seed}",
        data_fraction=1.0, status="ok", metric="accuracy", higher_is_better=True,
        test={"accuracy": accuracy}, best_epoch=4, epochs_run=len(history), history=history,
        timing=TrialTiming(steps=70),
        spec={"train": {"batch_size": 64, "max_epochs": 20, "patience": 3}},
        task=TaskDescription("toy", objective="classification", description={
            "n_train": 4000, "n_val": 1000, "n_test": 1000, "baseline": baseline}))


def test_k_arms_a_failing_third_arm_calls_for_a_remedy_that_every_arm_gets(monkeypatch) -> None:
    spec = study_spec(TaskSpec.make("italy-power"), cells=K_CELLS, seeds="auto")
    labels = tuple(a.label for a in spec.arms)
    assert labels == K_CELLS
    # only the fourth arm fails to train: the study's health check (over every arm) blocks
    records = [_k_record(a, s, 0.5 if a == "minlstm" else 0.9) for s in range(3) for a in labels]
    failed = next(c for c in health_checks(records, arms=labels, margin=1.0)
                  if c["check"] == "failed-to-train")
    assert failed["status"] == "fail" and failed["blocks_verdict"]
    assert failed["details"]["per_arm"]["minlstm"]["failed"] == 3
    assert _next_remedy("failed-to-train", [], tuned=False) is LR_SEARCH
    # the learning-rate search is run for all four arms, with one budget ...
    searched = {}

    def fake_tune(s, out_dir, space, trials, **_):
        searched.update(arms=tuple(a.label for a in s.arms), trials=trials)
        return s.arms, {"trials": trials}

    monkeypatch.setattr("gatebench.run.remedies.tune_arms", fake_tune)
    tuned, report = LR_SEARCH.apply(spec, out_dir=Path("unused"), executor=None, progress=None)
    assert searched == {"arms": K_CELLS, "trials": HEALTH_LR_TRIALS}
    assert tuple(a.label for a in tuned.arms) == K_CELLS
    # ... and the longer budget is the study's, so every arm trains twice as long
    longer, _ = MORE_EPOCHS.apply(spec)
    assert tuple(a.label for a in longer.arms) == K_CELLS
    assert longer.train.max_epochs == 2 * spec.train.max_epochs
    assert all(a.overrides == b.overrides for a, b in zip(longer.arms, spec.arms, strict=True))
