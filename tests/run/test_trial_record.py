"""run_trial's real record survives to_dict/read_record, JSON and the store unchanged."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from gatebench.api import study_spec, task_spec
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
