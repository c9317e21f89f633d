"""SQLite specifics beyond the shared contract: WAL mode, file layout, path resolution."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gatebench.errors import StoreError
from gatebench.protocol.record import TrialRecord
from gatebench.store import STORE_FILENAME, SqliteStore, open_store, store_path


def _rec(spec_id: str) -> TrialRecord:
    return TrialRecord(spec_id=spec_id, pair_key="p", study_id="s", cell="lstm", seed=2)


def test_folder_means_results_sqlite(tmp_path: Path) -> None:
    with open_store(tmp_path / "deep" / "study") as s:
        s.put(_rec("a"))
    assert (tmp_path / "deep" / "study" / STORE_FILENAME).is_file()
    assert store_path(tmp_path / "deep" / "study") == tmp_path / "deep" / "study" / STORE_FILENAME
    assert store_path(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"
    with open_store(tmp_path / "deep" / "study" / STORE_FILENAME, create=False) as s:
        assert s.count() == 1


def test_wal_mode_and_indexed_columns(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put(_rec("a"))
    conn = sqlite3.connect(tmp_path / STORE_FILENAME)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = conn.execute("SELECT spec_id, study_id, cell, seed, status FROM trials").fetchone()
        assert row == ("a", "s", "lstm", 2, "ok")
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    finally:
        conn.close()


def test_reader_is_not_blocked_by_an_open_write_transaction(tmp_path: Path) -> None:
    with open_store(tmp_path) as s:
        s.put(_rec("a"))
    writer = sqlite3.connect(tmp_path / STORE_FILENAME, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO trials (spec_id, record) VALUES ('b', '{}')")
        with SqliteStore(tmp_path / STORE_FILENAME, create=False, timeout_s=0.2) as reader:
            assert reader.count() == 1  # sees the last commit, does not wait for the writer
        writer.execute("ROLLBACK")
    finally:
        writer.close()


def test_locked_writer_times_out_with_a_clear_message(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    holder = sqlite3.connect(tmp_path / STORE_FILENAME, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with SqliteStore(tmp_path / STORE_FILENAME, timeout_s=0.1) as s:
            with pytest.raises(StoreError, match="locked.*another gatebench process"):
                s.put(_rec("a"))
        holder.execute("ROLLBACK")
    finally:
        holder.close()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a gatebench results store"):
        open_store(path)


def test_folder_given_as_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        SqliteStore(tmp_path)
