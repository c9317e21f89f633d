"""Arms: labels for repeated cells, per-arm seed streams and overrides, --arms parsing."""

from __future__ import annotations

import pytest

from gatebench.errors import SpecError
from gatebench.protocol import Arm, StudySpec, TaskSpec, TrainConfig, arms_for_cells, parse_arms


def test_a_repeated_cell_makes_labelled_arms_of_an_aa_study() -> None:
    study = StudySpec(task=TaskSpec.make("x"), cells=("lstm", "lstm"), seeds=2)
    study.validate()
    assert study.labels == ("lstm-a", "lstm-b")
    assert study.cells == ("lstm", "lstm")
    trials = study.trials()
    assert [(t.seed, t.arm_label, t.cell) for t in trials] == [
        (0, "lstm-a", "lstm"), (0, "lstm-b", "lstm"), (1, "lstm-a", "lstm"),
        (1, "lstm-b", "lstm")]
    # the two arms of pair k differ (so their trials are distinct) but pair up
    assert trials[0].spec_id != trials[1].spec_id
    assert trials[0].pair_key == trials[1].pair_key
    assert trials[0].pair_key != trials[2].pair_key


def test_distinct_cells_keep_their_names_as_labels() -> None:
    assert [a.label for a in arms_for_cells(("gru", "lstm"))] == ["gru", "lstm"]
    assert [a.label for a in arms_for_cells(("gru", "lstm", "gru"))] == [
        "gru-a", "lstm", "gru-b"]


def test_overrides_change_only_their_own_arm_and_keep_the_pair() -> None:
    study = StudySpec(task=TaskSpec.make("x"), train=TrainConfig(lr=2e-3),
                      arms=(Arm.make("lstm", "slow", lr=1e-3), Arm.make("lstm", "wide", hidden=96)))
    slow, wide = study.trials(1)
    assert slow.effective_train.lr == 1e-3 and wide.effective_train.lr == 2e-3
    assert wide.effective_sizing.match == "hidden"
    assert wide.effective_sizing.reference_hidden == 96
    assert slow.effective_sizing == study.sizing
    assert slow.pair_key == wide.pair_key


def test_study_with_arms_round_trips() -> None:
    study = StudySpec(task=TaskSpec.make("x"), adaptive=True, max_pairs=8, time_budget_s=60.0,
                      arms=(Arm.make("gru", lr=3e-3), Arm.make("lstm", dropout=0.1)))
    back = StudySpec.from_dict(study.to_dict())
    assert back == study
    assert back.most_seeds == 8 and study.trials(5)[-1].seed == 4


def test_parse_arms() -> None:
    arms = parse_arms("slow=lstm:lr=0.001, fast=lstm:lr=0.004,gru")
    assert [(a.label, a.cell, a.overrides) for a in arms] == [
        ("slow", "lstm", (("lr", 0.001),)), ("fast", "lstm", (("lr", 0.004),)),
        ("gru", "gru", ())]
    assert parse_arms("w=gru:hidden=96")[0].option("hidden") == 96


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("a=lstm:lr", "key=value"),
    ("a=lstm:lr=fast", "not a number"),
])
def test_parse_arms_refuses_bad_items(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_arms(text)


def test_a_bad_label_is_refused() -> None:
    with pytest.raises(SpecError, match="arm label"):
        Arm.make("gru", "a b").validate()
