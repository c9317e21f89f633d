"""SQLite results store: one WAL-mode file per study folder, one transaction per finished trial."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gatebench.errors import StoreError
from gatebench.protocol.record import TrialRecord, read_record
from gatebench.store.base import ResultStore, StoredRecord, StoredStudy

STORE_SCHEMA_VERSION = 1
STORE_FILENAME = "results.sqlite"
# A path with one of these suffixes names the file itself; any other missing path is a folder.
_FILE_SUFFIXES = frozenset({".sqlite", ".sqlite3", ".db"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    spec_id TEXT PRIMARY KEY,
    study_id TEXT,
    cell TEXT,
    seed INTEGER,
    status TEXT,
    created_at TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trials_study ON trials (study_id);
CREATE TABLE IF NOT EXISTS studies (
    study_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
_STATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS study_state "
    "(study_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)"
)


def _json_default(obj: Any) -> Any:
    # numpy scalars and arrays (without importing numpy): .tolist() gives plain Python values
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _dumps(obj: Any, what: str) -> str:
    """JSON text of a record or spec; StoreError naming `what` when it cannot be encoded."""
    try:
        # NaN stays allowed: a diverged trial's history legitimately holds NaN losses
        return json.dumps(obj, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot store {what}: it is not JSON-serialisable ({exc})") from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqliteStore(ResultStore):
    """ResultStore in one SQLite file (WAL mode, so reports can read while a study writes)."""

    def __init__(self, path: str | Path, create: bool = True, timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a folder, not a results file; "
                f"pass {self.path / STORE_FILENAME} or use open_store({str(self.path)!r})"
            )
        if not create and not self.path.is_file():
            raise StoreError(f"no results store at {self.path}; run gatebench compare first")
        mode = "rwc" if create else "rw"
        uri = f"file:{quote(self.path.as_posix())}?mode={mode}"
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per put
            conn = sqlite3.connect(
                uri, uri=True, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._open_error(exc) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: crash-safe and atomic; only a power cut may drop the last commit
            conn.execute("PRAGMA synchronous = NORMAL")
            self._conn = conn
            self._init_schema()
        except StoreError:
            conn.close()
            self._conn = None
            raise
        except sqlite3.Error as exc:
            conn.close()
            self._conn = None
            raise self._open_error(exc) from None

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"SqliteStore({str(self.path)!r}, {state})"

    # -- internals -----------------------------------------------------------------------

    def _open_error(self, exc: sqlite3.Error) -> StoreError:
        msg = str(exc)
        if "not a database" in msg or "malformed" in msg:
            return StoreError(
                f"{self.path} is not a readable gatebench results store ({msg}); "
                "move it aside or choose another --out folder"
            )
        return StoreError(
            f"cannot open the results store at {self.path} ({msg}); choose a writable --out folder"
        )

    def _check_schema(self, conn: sqlite3.Connection) -> bool:
        """Raise on a newer or foreign file; True when the tables already exist."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables:
                raise StoreError(
                    f"{self.path} is an SQLite file but not a gatebench results store "
                    f"(tables: {', '.join(sorted(tables))}); choose another --out folder"
                )
            return False
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        found = int(row[0]) if row else 0
        if found > STORE_SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer gatebench (store schema {found}; "
                f"this version reads up to {STORE_SCHEMA_VERSION}); upgrade gatebench "
                "or choose another --out folder"
            )
        return True

    def _init_schema(self) -> None:
        # Check without the write lock first, so opening to read never waits for a writer.
        if self._check_schema(self._connection()):
            return
        with self._transaction() as conn:
            if self._check_schema(conn):  # another process created it meanwhile
                return
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(STORE_SCHEMA_VERSION),),
            )

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"the results store {self.path} is closed; open it again")
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error so nothing half-written remains."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade races
            except sqlite3.Error as exc:
                raise self._io_error(exc) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._io_error(exc) from None
                raise

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise self._io_error(exc) from None

    def _io_error(self, exc: sqlite3.Error) -> StoreError:
        msg = str(exc)
        if "locked" in msg or "busy" in msg:
            return StoreError(
                f"the results store {self.path} stayed locked ({msg}); another gatebench process "
                "is writing to it: wait for it or use another --out folder"
            )
        if "readonly" in msg:
            return StoreError(
                f"cannot write the results store {self.path} ({msg}); "
                "choose a writable --out folder"
            )
        return StoreError(
            f"results store {self.path}: {msg}; check the disk, or move the file aside"
        )

    # -- the contract --------------------------------------------------------------------

    def put(self, record: StoredRecord) -> bool:
        """Store one finished trial atomically; False if its spec_id was already stored."""
        spec_id = record.get("spec_id") if isinstance(record, Mapping) else None
        if not isinstance(spec_id, str) or not spec_id:
            raise StoreError("cannot store a trial record without a 'spec_id' string")
        record = read_record(record)  # a trial that would not read back is refused now
        record = record.to_dict() if isinstance(record, TrialRecord) else record
        seed = record.get("seed")
        with self._transaction() as conn:
            text = _dumps(dict(record), f"trial {spec_id} in {self.path}")
            cur = conn.execute(
                "INSERT OR IGNORE INTO trials "
                "(spec_id, study_id, cell, seed, status, created_at, record) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    spec_id,
                    record.get("study_id"),
                    record.get("cell"),
                    int(seed) if isinstance(seed, (int, float)) else None,
                    record.get("status"),
                    record.get("created_at") or _now(),
                    text,
                ),
            )
            return cur.rowcount == 1

    def has(self, spec_id: str) -> bool:
        """Whether a trial with this spec id is stored."""
        with self._reading() as conn:
            row = conn.execute("SELECT 1 FROM trials WHERE spec_id = ?", (spec_id,)).fetchone()
        return row is not None

    def get(self, spec_id: str) -> StoredRecord | None:
        """The stored record for this spec id, or None."""
        with self._reading() as conn:
            row = conn.execute("SELECT record FROM trials WHERE spec_id = ?", (spec_id,)).fetchone()
        return None if row is None else read_record(json.loads(row[0]))

    def records(
        self, spec_ids: Iterable[str] | None = None, study_id: str | None = None
    ) -> list[StoredRecord]:
        """Stored records in insertion order, optionally filtered by ids and/or study."""
        where, args = [], []
        if spec_ids is not None:
            ids = list(spec_ids)
            if not ids:
                return []
            # json_each takes any number of ids in one bound parameter (no 999-variable limit)
            where.append("spec_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(ids))
        if study_id is not None:
            where.append("study_id = ?")
            args.append(study_id)
        sql = "SELECT record FROM trials"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY rowid"
        with self._reading() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [read_record(json.loads(r[0])) for r in rows]

    def count(self) -> int:
        """Number of stored trials."""
        with self._reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0])

    def save_study(self, study_id: str, spec: Mapping[str, Any], kind: str) -> None:
        """Insert or update a study row (its spec and kind), keeping its creation time."""
        text = _dumps(spec, f"the spec of study {study_id} in {self.path}")
        now = _now()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO studies (study_id, kind, spec, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (study_id) DO UPDATE SET "
                "kind = excluded.kind, spec = excluded.spec, updated_at = excluded.updated_at",
                (study_id, kind, text, now, now),
            )

    def studies(self) -> list[StoredStudy]:
        """Every saved study, in creation order."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT study_id, kind, spec, created_at, updated_at FROM studies ORDER BY rowid"
            ).fetchall()
        return [
            {"study_id": s, "kind": k, "spec": json.loads(sp), "created_at": c, "updated_at": u}
            for s, k, sp, c, u in rows
        ]

    def save_study_state(self, study_id: str, state: Mapping[str, Any]) -> None:
        """Replace a study's run state (how adaptive seeding stopped, its looks)."""
        text = _dumps(state, f"the state of study {study_id} in {self.path}")
        with self._transaction() as conn:
            # created here, not with the schema, so stores written before it need no migration
            conn.execute(_STATE_TABLE)
            conn.execute(
                "INSERT INTO study_state (study_id, state, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (study_id) DO UPDATE SET state = excluded.state, "
                "updated_at = excluded.updated_at",
                (study_id, text, _now()),
            )

    def study_state(self, study_id: str) -> dict[str, Any]:
        """A study's saved run state, or {} when none was saved."""
        with self._reading() as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='study_state'"
            ).fetchone()
            if not exists:
                return {}
            row = conn.execute(
                "SELECT state FROM study_state WHERE study_id = ?", (study_id,)
            ).fetchone()
        return {} if row is None else json.loads(row[0])

    def delete_study_trials(self, spec_ids: Iterable[str]) -> int:
        """Delete these trials in one transaction; returns the number deleted."""
        ids = list(spec_ids)
        if not ids:
            return 0
        with self._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM trials WHERE spec_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
            return cur.rowcount

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def store_path(path: str | Path) -> Path:
    """The results file a path names: a folder or suffix-less new path means <it>/results.sqlite."""
    p = Path(path).expanduser()
    if p.is_dir() or (not p.exists() and p.suffix.lower() not in _FILE_SUFFIXES):
        return p / STORE_FILENAME
    return p


def open_store(path: str | Path, create: bool = True) -> SqliteStore:
    """Open the results store at a study folder or file; create it (and the folder) if asked."""
    file = store_path(path)
    if not create:
        if not file.is_file():
            raise StoreError(f"no results store at {file}; run gatebench compare first")
        return SqliteStore(file, create=False)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the results folder {file.parent} ({exc.strerror or exc}); "
            "choose a writable --out folder"
        ) from None
    return SqliteStore(file, create=True)
