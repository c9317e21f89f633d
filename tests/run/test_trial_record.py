"""run_trial's real record survives to_dict/read_record, JSON and the store unchanged."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.measure import kernels
from gatebench.protocol.record import TrialRecord, read_record
from gatebench.run.trial import run_trial
from gatebench.store import open_store
from tests.conftest import TINY

OPTIONS = {"text_col": "review", "label_col": "sentiment"}


def test_run_trial_record_round_trips(reviews_csv: Path, tmp_path: Path) -> None:
    spec = study_spec(task_spec(reviews_csv, **OPTIONS), **{**TINY, "seeds": 1}).trials()[0]
    record, blob = run_trial(spec, cache_dir=tmp_path).without_checkpoint()
    assert isinstance(record, TrialRecord) and blob  # the weights ride beside, never stored
    stored = record.to_dict()
    assert "checkpoint_bytes" not in stored and "extra" not in stored
    # every key run_trial writes is a field of the type: nothing lands in `extra`
    assert record.extra == {} and record.memory and record.worker
    assert read_record(json.loads(json.dumps(stored))) == record
    with open_store(tmp_path / "study") as store:
        store.put(record)
        assert store.get(record.spec_id) == record
        assert store.records()[0].to_dict() == stored
    # the stored JSON's keys are the ones results.sqlite has always held
    assert list(stored)[:6] == ["schema_version", "spec_id", "pair_key", "spec", "cell", "arm"]
    assert record.score == stored["test"][stored["metric"]]
    assert dataclasses.replace(record, status="diverged").ok is False


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_a_trial_is_the_same_whether_its_kernel_was_known_or_profiled(
        reviews_csv: Path, tmp_path: Path, monkeypatch, dropout: float) -> None:
    # The kernel probe is skipped once its answer is known (measure.kernels): the trial it
    # belongs to must not change, dropout's random stream included.
    monkeypatch.setattr(kernels, "_KNOWN", {})
    spec = study_spec(task_spec(reviews_csv, **OPTIONS),
                      **{**TINY, "seeds": 1, "max_epochs": 1, "dropout": dropout}).trials()[0]
    profiled, known = (run_trial(spec, cache_dir=tmp_path) for _ in range(2))
    assert known.kernel == profiled.kernel and _scores(known) == _scores(profiled)
    assert bool(kernels._KNOWN) is (dropout == 0.0)  # kept only where the probe drew nothing


def _scores(record: TrialRecord) -> tuple[list[dict], dict]:
    """What a trial computed, without its clock readings."""
    clock = ("train_time_s", "wall_s")
    return [{k: v for k, v in epoch.items() if k not in clock} for epoch in record.history], \
        record.test
