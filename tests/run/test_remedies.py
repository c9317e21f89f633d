"""Which remedy a blocking health check gets next, and what it changes (run.remedies)."""

from __future__ import annotations

from gatebench.api import study_spec
from gatebench.protocol import TaskSpec
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
