"""The typed trial record: stored JSON in and out, old versions, and the mapping bridge."""

from __future__ import annotations

import dataclasses

import pytest

from gatebench.errors import StoreError
from gatebench.protocol.record import (
    TaskDescription,
    TrialRecord,
    TrialTiming,
    read_record,
    trials_only,
)


def _record(**fields) -> TrialRecord:
    return TrialRecord(spec_id="s-gru", pair_key="s", cell="gru", seed=1, metric="accuracy",
                       test={"accuracy": 0.75}, timing=TrialTiming(train_compute_s=2.0),
                       task=TaskDescription("toy", "text", "classification"), **fields)


def test_to_dict_writes_every_field_and_tags_only_when_set() -> None:
    stored = _record().to_dict()
    assert stored["timing"]["train_compute_s"] == 2.0 and stored["timing"]["steps"] is None
    assert stored["task"] == {"name": "toy", "family": "text", "objective": "classification",
                              "description": {}}
    assert "study_id" not in stored and "checkpoint" not in stored
    assert _record(study_id="compare").to_dict()["study_id"] == "compare"
    names = {f.name for f in dataclasses.fields(TrialRecord)} - {"extra", "checkpoint_bytes"}
    assert set(_record(study_id="x", checkpoint="c", tuning={}, importance={}, memory={},
                       worker={}, test_by_length={}).to_dict()) == names


def test_read_record_takes_old_versions_and_keeps_unknown_keys() -> None:
    old = {k: v for k, v in _record().to_dict().items() if k not in ("arm", "memory")}
    got = read_record({**old, "schema_version": 1, "from_the_future": [1]})
    assert isinstance(got, TrialRecord) and got.arm == "gru" and got.memory is None
    assert got.to_dict()["from_the_future"] == [1]
    assert read_record(got.to_dict()) == got


def test_measurements_stay_plain_and_broken_trials_fail_clearly() -> None:
    latency = {"kind": "latency", "spec_id": "l", "cell": "gru"}
    assert read_record(latency) is latency
    assert trials_only([latency, _record()]) == [_record()]
    with pytest.raises(StoreError, match="lacks pair_key, cell, seed"):
        read_record({"spec_id": "x"})


def test_attributes_and_the_mapping_bridge_agree() -> None:
    r = _record(study_id="compare")
    assert r.score == 0.75 and r.ok and r["test"] == r.test
    assert r.get("timing") == r.timing.to_dict() and r["task"]["name"] == r.task.name
    assert r.get("checkpoint") is None and "checkpoint" not in r and "study_id" in r
    assert r.get("kind") is None and r.kind == "trial"
    assert dict(r) == r.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.status = "diverged"  # type: ignore[misc]


def test_checkpoint_bytes_travel_beside_the_stored_record() -> None:
    r = _record(checkpoint_bytes=b"weights")
    assert "checkpoint_bytes" not in r.to_dict() and r == _record()
    bare, blob = r.without_checkpoint()
    assert blob == b"weights" and bare.checkpoint_bytes is None


def test_a_field_the_type_does_not_have_fails_in_factories() -> None:
    # the test factories build through the constructor and .tagged(): a renamed or removed
    # field breaks them instead of being carried along silently
    with pytest.raises(TypeError, match="no_such_field"):
        TrialRecord(spec_id="a", pair_key="a", cell="gru", seed=0, no_such_field=1)
    with pytest.raises(TypeError, match="no_such_field"):
        _record().tagged(no_such_field=1)
