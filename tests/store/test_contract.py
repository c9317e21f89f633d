"""The ResultStore contract: every backend in BACKENDS must pass every test here."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gatebench.errors import StoreError
from gatebench.protocol.record import TrialRecord
from gatebench.store import STORE_FILENAME, STORE_SCHEMA_VERSION, ResultStore, open_store


@dataclass(frozen=True)
class Backend:
    """How to open a backend at a folder, and how to damage one for the error tests."""

    open: Callable[..., ResultStore]  # (folder, create=True) -> store
    corrupt: Callable[[Path], None]  # make the store at this folder unreadable
    make_newer: Callable[[Path], None]  # mark the store at this folder as a newer schema


def _sqlite_corrupt(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STORE_FILENAME).write_bytes(b"this is not an sqlite file\n" * 200)


def _sqlite_make_newer(folder: Path) -> None:
    open_store(folder).close()
    with sqlite3.connect(folder / STORE_FILENAME) as conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'",
            (str(STORE_SCHEMA_VERSION + 1),),
        )
    conn.close()


BACKENDS = [
    pytest.param(Backend(open_store, _sqlite_corrupt, _sqlite_make_newer), id="sqlite"),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return request.param


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "study"


@pytest.fixture
def store(backend: Backend, folder: Path):
    with backend.open(folder) as s:
        yield s


def rec(spec_id: str, study_id: str | None = "s1", **fields: Any) -> TrialRecord:
    """A minimal trial record; the store treats everything but the indexed fields as opaque."""
    values: dict[str, Any] = {
        "schema_version": 1,
        "spec_id": spec_id,
        "pair_key": "p-" + spec_id,
        "study_id": study_id,
        "cell": "gru",
        "seed": 0,
        "status": "ok",
        "test": {"accuracy": 0.8},
        "history": [{"epoch": 1, "train_loss": 0.5, "val_loss": 0.6}],
        "created_at": "2026-01-01T00:00:00+00:00",
    }
    return TrialRecord(**{**values, **fields})


# -- basic round trip and idempotence ---------------------------------------------------------


def test_put_get_has_count(store: ResultStore) -> None:
    assert store.count() == 0 and not store.has("a") and store.get("a") is None
    assert store.put(rec("a", extra={"unknown_field": {"kept": [1, 2]}})) is True
    assert store.has("a") and store.count() == 1
    got = store.get("a")
    assert isinstance(got, TrialRecord)
    assert got == rec("a", extra={"unknown_field": {"kept": [1, 2]}})
    assert got.to_dict()["unknown_field"] == {"kept": [1, 2]}  # a newer writer's key is kept


def test_measurements_come_back_as_they_went_in(store: ResultStore) -> None:
    timing = {"kind": "step_timing", "spec_id": "t1", "cell": "gru", "samples_ms": [1.5, 1.25]}
    store.put(timing)
    store.put(rec("a"))
    assert store.get("t1") == timing and not isinstance(store.get("t1"), TrialRecord)
    assert [type(r) for r in store.records()] == [dict, TrialRecord]


def test_records_of_the_first_schema_still_read(store: ResultStore) -> None:
    # schema 1 had no arm (the cell was the arm) and no memory or worker
    old = {k: v for k, v in rec("old").to_dict().items() if k != "arm"}
    store.put(old)
    got = store.get("old")
    assert isinstance(got, TrialRecord) and got.arm == "gru" and got.schema_version == 1
    assert got.memory is None and "memory" not in got.to_dict()


def test_diverged_record_with_nan_round_trips(store: ResultStore) -> None:
    history = [{"epoch": 1, "train_loss": float("nan"), "val_loss": float("inf")}]
    store.put(rec("d", status="diverged", history=history))
    got = store.get("d")
    assert got.status == "diverged"
    assert math.isnan(got.history[0]["train_loss"])
    assert got.history[0]["val_loss"] == math.inf


def test_put_is_idempotent_by_spec_id(store: ResultStore) -> None:
    assert store.put(rec("a", test={"accuracy": 0.1})) is True
    assert store.put(rec("a", test={"accuracy": 0.9})) is False
    assert store.count() == 1
    assert store.get("a").test == {"accuracy": 0.1}  # the first write wins


# -- atomicity --------------------------------------------------------------------------------


def test_unserialisable_record_leaves_nothing_behind(store: ResultStore) -> None:
    store.put(rec("before"))
    with pytest.raises(StoreError, match="bad.*JSON"):
        store.put(rec("bad", history=[{"epoch": 1}, {"epoch": 2, "obj": object()}]))
    assert not store.has("bad")
    assert store.count() == 1
    assert store.put(rec("after")) is True  # the store is still usable after a failed put
    assert [r["spec_id"] for r in store.records()] == ["before", "after"]


def test_record_without_spec_id_is_refused(store: ResultStore) -> None:
    bad = rec("x").to_dict()
    del bad["spec_id"]
    with pytest.raises(StoreError, match="spec_id"):
        store.put(bad)
    assert store.count() == 0


# -- resume -----------------------------------------------------------------------------------


def test_close_and_reopen_keeps_rows_in_order(backend: Backend, folder: Path) -> None:
    ids = ["c", "a", "b"]
    with backend.open(folder) as s:
        for i in ids:
            s.put(rec(i))
        s.save_study("s1", {"seeds": 3}, "compare")
    with backend.open(folder, create=False) as s:
        assert [r["spec_id"] for r in s.records()] == ids
        assert s.put(rec("a")) is False  # a rerun skips what is already finished
        assert [st["study_id"] for st in s.studies()] == ["s1"]


def test_closed_store_refuses_calls(backend: Backend, folder: Path) -> None:
    s = backend.open(folder)
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        s.count()


# -- filters and studies ----------------------------------------------------------------------


def test_records_filters(store: ResultStore) -> None:
    for i, study in [("a", "s1"), ("b", "s2"), ("c", "s1"), ("d", None)]:
        store.put(rec(i, study_id=study))
    ids = lambda rs: [r["spec_id"] for r in rs]  # noqa: E731
    assert ids(store.records()) == ["a", "b", "c", "d"]
    assert ids(store.records(study_id="s1")) == ["a", "c"]
    assert ids(store.records(spec_ids=["d", "a", "zz"])) == ["a", "d"]  # insertion order
    assert ids(store.records(spec_ids={"a", "b"}, study_id="s2")) == ["b"]
    assert store.records(spec_ids=[]) == []
    assert store.records(study_id="nope") == []


def test_records_filter_takes_many_ids(store: ResultStore) -> None:
    for i in range(5):
        store.put(rec(f"id{i}"))
    wanted = [f"id{i}" for i in range(3000)]  # more than SQLite's classic 999-variable limit
    assert len(store.records(spec_ids=wanted)) == 5


def test_save_study_upserts(store: ResultStore) -> None:
    store.save_study("s1", {"seeds": 3}, "compare")
    store.save_study("s2", {"claims": ["speed"]}, "suite")
    first = store.studies()[0]
    store.save_study("s1", {"seeds": 5}, "compare")
    studies = store.studies()
    assert [s["study_id"] for s in studies] == ["s1", "s2"]
    assert studies[0]["spec"] == {"seeds": 5} and studies[0]["kind"] == "compare"
    assert studies[0]["created_at"] == first["created_at"]
    assert set(studies[0]) == {"study_id", "kind", "spec", "created_at", "updated_at"}
    json.dumps(studies)


def test_delete_study_trials_for_fresh_runs(store: ResultStore) -> None:
    for i in "abc":
        store.put(rec(i))
    assert store.delete_study_trials(["a", "c", "zz"]) == 2
    assert store.delete_study_trials([]) == 0
    assert [r["spec_id"] for r in store.records()] == ["b"]
    assert store.put(rec("a")) is True  # a fresh run writes it again


# -- concurrency ------------------------------------------------------------------------------


def test_readers_see_consistent_counts_while_a_writer_writes(
    backend: Backend, folder: Path
) -> None:
    # The writer pauses after every STEP puts until the reader has checked that exact count,
    # and the reader reads while each next STEP is written, so reads always overlap writes.
    n, step = 150, 10
    backend.open(folder).close()
    errors: list[BaseException] = []
    paused, resume = threading.Semaphore(0), threading.Semaphore(0)

    def write() -> None:
        try:
            with backend.open(folder) as w:
                for i in range(1, n + 1):
                    w.put(rec(f"t{i:04d}"))
                    if i % step == 0:
                        paused.release()
                        if not resume.acquire(timeout=60):
                            raise TimeoutError("the reader never let the writer go on")
        except BaseException as exc:  # surfaced by the main thread's assert
            errors.append(exc)

    writer = threading.Thread(target=write)
    seen: list[int] = []
    with backend.open(folder, create=False) as reader:
        writer.start()
        for k in range(1, n // step + 1):
            while not paused.acquire(timeout=0.001):  # the writer is writing: read meanwhile
                assert writer.is_alive(), errors
                seen.append(reader.count())
                assert len(reader.records()) >= seen[-1]  # never a half-written trial
            assert reader.count() == len(reader.records()) == k * step  # committed = visible
            seen.append(k * step)
            resume.release()
        writer.join()
        assert not errors, errors
        assert reader.count() == n
    assert seen == sorted(seen)


def test_two_writers_interleave(backend: Backend, folder: Path) -> None:
    backend.open(folder).close()
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            with backend.open(folder) as w:
                for i in range(40):
                    w.put(rec(f"{prefix}{i}"))
                    w.put(rec("shared"))  # both race to write one id: exactly one row results
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in "xy"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with backend.open(folder) as s:
        assert s.count() == 81


# -- errors a user can cause ------------------------------------------------------------------


def _one_line(exc: pytest.ExceptionInfo[StoreError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_missing_store_without_create(backend: Backend, folder: Path) -> None:
    with pytest.raises(StoreError) as exc:
        backend.open(folder, create=False)
    msg = _one_line(exc)
    assert "no results store at" in msg and str(folder) in msg
    assert "run gatebench compare first" in msg
    assert not folder.exists()  # reading never creates folders


def test_corrupt_store(backend: Backend, folder: Path) -> None:
    backend.corrupt(folder)
    for create in (True, False):
        with pytest.raises(StoreError) as exc:
            backend.open(folder, create=create)
        msg = _one_line(exc)
        assert str(folder) in msg and "move it aside" in msg


def test_newer_schema_is_refused(backend: Backend, folder: Path) -> None:
    backend.make_newer(folder)
    with pytest.raises(StoreError) as exc:
        backend.open(folder)
    msg = _one_line(exc)
    assert str(folder) in msg and "newer gatebench" in msg
    assert f"schema {STORE_SCHEMA_VERSION + 1}" in msg and f"up to {STORE_SCHEMA_VERSION}" in msg


def test_unwritable_location(backend: Backend, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as exc:
        backend.open(blocker / "study")  # a folder cannot be created under a regular file
    msg = _one_line(exc)
    assert str(blocker) in msg and "writable" in msg


# -- study run state --------------------------------------------------------------------------


def test_study_state_round_trips_and_survives_reopening(backend: Backend, folder: Path) -> None:
    with backend.open(folder) as s:
        assert s.study_state("s1") == {}
        s.save_study_state("s1", {"stopped": "decided at 6 pairs", "looks": [{"n": 3}]})
        s.save_study_state("s1", {"stopped": "reached max seeds (8)", "looks": []})
        s.save_study_state("s2", {"stopped": "time budget"})
    with backend.open(folder, create=False) as s:
        assert s.study_state("s1") == {"stopped": "reached max seeds (8)", "looks": []}
        assert s.study_state("s2") == {"stopped": "time budget"}
        assert s.study_state("other") == {}


def test_unserialisable_study_state_is_refused(store: ResultStore) -> None:
    with pytest.raises(StoreError, match="state of study s1"):
        store.save_study_state("s1", {"bad": object()})
    assert store.study_state("s1") == {}


def test_a_trial_that_would_not_read_back_is_refused(store: ResultStore) -> None:
    with pytest.raises(StoreError, match="lacks pair_key"):
        store.put({"spec_id": "x", "cell": "gru", "seed": 0})
    assert store.count() == 0
