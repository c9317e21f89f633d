"""--seeds auto studies that finish: reruns continue, the budget ends a study with a reason."""

from __future__ import annotations

import re
from pathlib import Path

from gatebench.api import study_spec, task_spec
from gatebench.run import run_study
from gatebench.run.remedies import run_acting_study
from gatebench.run.study import Budget
from gatebench.store import open_store
from tests.conftest import TINY

OPTIONS = {"text_col": "review", "label_col": "sentiment"}
# settings whose first look (3 pairs) leaves the rule undecided on the 240 test reviews
UNDECIDED = {"max_epochs": 3, "lr": 5e-3}


def auto_spec(path: Path, **overrides):
    return study_spec(task_spec(path, **OPTIONS),
                      **{**TINY, "seeds": "auto", "hidden": 8, "embed_dim": 8, **overrides})


def _stored(out: Path) -> dict[str, dict]:
    with open_store(out) as store:
        return {r["spec_id"]: r for r in store.records()}


def test_a_larger_max_pairs_continues_the_same_study(reviews_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "grow"
    first = run_study(auto_spec(reviews_csv, max_pairs=3), out)
    before = _stored(out)
    assert len(before) == len(first) == 6  # three pairs: the first look is the maximum
    again = run_study(auto_spec(reviews_csv, max_pairs=5), out)
    after = _stored(out)
    with open_store(out) as store:
        state = store.study_state("compare")
    assert state["looks"][0]["pairs_run"] == 3 and state["max_seeds"] == 5
    # the first run's trials are reused as they were, never run twice; only new seeds are added
    assert all(after[spec_id] == record for spec_id, record in before.items())
    assert len(after) == len(again) == 2 * state["pairs_run"] >= 6
    assert {r["seed"] for r in again} == set(range(state["pairs_run"]))


def test_the_budget_ends_a_study_when_the_next_pair_would_not_fit(reviews_csv: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "budget"
    run_study(auto_spec(reviews_csv, max_pairs=30, **UNDECIDED), out, budget=Budget(0.5))
    with open_store(out) as store:
        state = store.study_state("compare")
    assert state["pairs_run"] == 3 and state["pair_s"] > 0
    assert not state["looks"][-1]["final"]  # the rule alone would have gone on
    assert state["budget_spent"]
    assert state["stopped"].startswith("time budget of 0.5 s spent at 3 pairs")
    assert "a pair takes about" in state["stopped"]
    # what a continuation could buy (the median rule's first win needs 7 agreeing pairs)
    assert re.search(r"at best ([4-9]|\d\d) more pair\(s\) could decide it: a rerun",
                     state["stopped"])


def test_an_undecided_study_runs_until_its_maximum_or_budget(reviews_csv: Path,
                                                            tmp_path: Path) -> None:
    # "inconclusive" is honest only once the budget is spent: no stop for futility before it
    out = tmp_path / "undecided"
    run_study(auto_spec(reviews_csv, max_pairs=5, **UNDECIDED), out, budget=Budget(3600))
    with open_store(out) as store:
        state = store.study_state("compare")
    assert [look["pairs"] for look in state["looks"]] == [3, 4, 5]
    assert state["stopped"].startswith("reached max seeds (5) undecided")


def test_remedies_not_paid_for_by_the_budget_are_said_and_skipped(reviews_csv: Path,
                                                                   tmp_path: Path) -> None:
    # lr 1e-5 for one epoch: every trial ends at the baseline (failed to train); a budget the
    # first look's three pairs always spend, however fast the machine (the timing pass is short
    # in tests, see conftest)
    spec = auto_spec(reviews_csv, max_pairs=30, max_epochs=1, lr=1e-5, time_budget=0.2)
    final, records, tuning = run_acting_study(spec, tmp_path / "poor")
    with open_store(tmp_path / "poor") as store:
        state = store.study_state("compare")
    actions = state["health_actions"]
    assert final == spec and tuning is None
    assert actions and not actions[0]["applied"]
    assert actions[0]["says"].startswith(f"did not {actions[0]['remedy']}")
    # it went on at the pace it had: no pair the spent budget could not pay for
    assert len(records) == 6 and state["budget_spent"] and state["pairs_run"] == 3
