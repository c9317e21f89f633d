"""Studies: paired trials stored once each, resumable, and nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatebench.api import compare, study_spec, task_spec
from gatebench.errors import DataError, SpecError, UnknownNameError
from gatebench.run import run_study
from gatebench.store import open_store
from tests.conftest import TINY

OPTIONS = {"text_col": "review", "label_col": "sentiment"}


def spec_for(path: Path, **overrides):
    options = {**TINY, **overrides}
    return study_spec(task_spec(path, **OPTIONS), **options)


def test_trials_are_stored_once_and_resumed(reviews_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "study"
    study = spec_for(reviews_csv)
    records = run_study(study, out)
    assert len(records) == 4 and {r["cell"] for r in records} == {"gru", "lstm"}
    first = {r["spec_id"]: r["created_at"] for r in records}
    again = run_study(study, out)  # resume: every trial found, nothing retrained
    assert {r["spec_id"]: r["created_at"] for r in again} == first
    with open_store(out) as store:
        assert store.count() == 4
    bigger = spec_for(reviews_csv, seeds=3)  # one more seed pair: only 2 new trials run
    assert len(run_study(bigger, out)) == 6
    with open_store(out) as store:
        assert store.count() == 6


def test_fresh_starts_over(reviews_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "study"
    study = spec_for(reviews_csv, seeds=1)
    before = {r["spec_id"]: r["created_at"] for r in run_study(study, out)}
    after = run_study(study, out, fresh=True)
    assert len(after) == 2
    with open_store(out) as store:
        assert store.count() == 2
    assert [r["spec_id"] for r in after] == list(before)


def test_records_are_paired_and_fair(reviews_csv: Path, tmp_path: Path) -> None:
    records = run_study(spec_for(reviews_csv, seeds=1, match="params"), tmp_path / "s")
    gru, lstm = sorted(records, key=lambda r: r["cell"])
    assert gru["pair_key"] == lstm["pair_key"]
    assert abs(gru["params"]["core"] / lstm["params"]["core"] - 1) <= 0.01
    assert gru["hidden_size"] > lstm["hidden_size"]
    assert gru["params"]["total"] - gru["params"]["core"] == \
        lstm["params"]["total"] - lstm["params"]["core"]  # the same shared embedding
    for r in records:
        assert r["status"] == "ok" and 0 <= r["test"]["accuracy"] <= 1
        assert r["timing"]["train_compute_s"] > 0 and r["threads"] == 1
        assert r["kernel"] and r["env"]["versions"]["torch"]
        assert 1 <= r["best_epoch"] <= r["epochs_run"] == len(r["history"])


def test_same_spec_same_numbers(reviews_csv: Path, tmp_path: Path) -> None:
    study = spec_for(reviews_csv, seeds=1)
    a = run_study(study, tmp_path / "a")
    b = run_study(study, tmp_path / "b")
    assert [r["test"] for r in a] == [r["test"] for r in b]


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        ({"seeds": 0}, SpecError, "--seeds must be at least 1, got 0"),
        ({"budget": -3}, SpecError, "parameter budget must be positive, got -3"),
        ({"budget": 50}, SpecError, "budget of 50 is too small"),  # for any hidden size
        ({"cells": ("gru", "gru2")}, UnknownNameError, "no cell 'gru2'; known: gru, lstm"),
    ],
)
def test_bad_spec_writes_nothing(reviews_csv: Path, tmp_path: Path, overrides, error,
                                 message) -> None:
    out = tmp_path / "study"
    with pytest.raises(error, match=message):
        run_study(spec_for(reviews_csv, **overrides), out)
    assert not out.exists()


def test_bad_data_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "one_class.csv"
    path.write_text("review,sentiment\n" + "fine,pos\n" * 20)
    with pytest.raises(DataError, match="fewer than 2 classes"):
        compare(path, task_options=OPTIONS, out=tmp_path / "study", **TINY)
    assert not (tmp_path / "study").exists()


def test_python_api_returns_a_study(reviews_csv: Path, tmp_path: Path) -> None:
    study = compare(reviews_csv, task_options=OPTIONS, out=tmp_path / "api", **TINY)
    frame = study.summary()
    assert list(frame["cell"]) == ["gru", "lstm"]
    assert study.verdict in ("GRU better", "LSTM better", "equivalent within margin",
                             "inconclusive", "uninformative")
    assert (tmp_path / "api" / "summary.json").read_text() == study.to_json()


def test_compare_takes_max_seeds_as_the_old_name_of_max_pairs(reviews_csv: Path,
                                                              tmp_path: Path) -> None:
    # An out-of-range maximum stops compare before any data is read: the value reached the check.
    with pytest.warns(DeprecationWarning, match="max_pairs"), \
            pytest.raises(SpecError, match="--max-seeds must be between 3 and 100 pairs, got 1"):
        compare(reviews_csv, task_options=OPTIONS, out=tmp_path / "old", max_seeds=1)
    with pytest.raises(SpecError, match="max_pairs= only"):
        compare(reviews_csv, task_options=OPTIONS, out=tmp_path / "both", max_seeds=5,
                max_pairs=5)
    assert not (tmp_path / "old").exists() and not (tmp_path / "both").exists()
    with pytest.warns(DeprecationWarning, match=r"study_spec\(max_seeds=...\) is now max_pairs"):
        spec = study_spec(task_spec(reviews_csv, **OPTIONS), seeds="auto", max_seeds=7)
    assert spec.max_pairs == 7
    with pytest.warns(DeprecationWarning, match=r"StudySpec.max_seeds is now max_pairs"):
        assert spec.max_seeds == 7  # scripts reading Study.spec keep working, warned
    assert "max_seeds" in spec.to_dict() and "max_pairs" not in spec.to_dict()  # stored key


def test_best_checkpoint_is_saved_and_reloads(reviews_csv: Path, tmp_path: Path) -> None:
    import torch

    from gatebench.run.trial import cached_task, load_checkpoint
    from gatebench.train import Batcher, evaluate, make_objective

    out = tmp_path / "ckpt"
    study = spec_for(reviews_csv, seeds=1)
    records = run_study(study, out)
    data = cached_task(study.task, out)
    objective = make_objective("classification", 2)
    for r in records:
        model = load_checkpoint(out / r["checkpoint"])
        metrics = evaluate(model, Batcher(data.test, 256, torch.device("cpu")), objective)
        assert metrics["accuracy"] == pytest.approx(r["test"]["accuracy"])
