"""The results-store contract every backend implements (and tests/store/test_contract.py checks)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, TypedDict

from gatebench.protocol.record import Measurement, TrialRecord

# What the store holds: trials, and the measurements that share their table.
StoredRecord = TrialRecord | Measurement


class StoredStudy(TypedDict):
    """A saved study row: its id, kind ("compare", "importance", ...), spec and times."""

    study_id: str
    kind: str
    spec: dict[str, Any]  # the study's spec as its driver saved it
    created_at: str
    updated_at: str


class ResultStore(ABC):
    """Persistent, resumable home of finished trial records; the contract every backend keeps.

    Records are keyed by their ``spec_id``: a trial is a ``TrialRecord`` (stored as its
    ``to_dict()``), a measurement (step timing, latency, timing pass) a JSON-able mapping with
    its ``kind``. Everything read back goes through ``protocol.record.read_record``: trials
    come back as ``TrialRecord`` (of whatever schema version they were written with),
    measurements as dicts.

    - ``put(record)`` writes one finished trial atomically: one transaction, all or nothing, so a
      crash or a record that cannot be serialised leaves nothing behind. It is idempotent by
      ``spec_id``: a second put of an id already stored keeps the first record and returns
      False; a write returns True. A record without a ``spec_id`` raises StoreError.
    - ``has(spec_id)`` / ``get(spec_id)`` look one trial up (``get`` returns None if absent).
    - ``records(spec_ids=None, study_id=None)`` returns stored records in insertion order,
      optionally only those whose id is in ``spec_ids`` and/or whose ``study_id`` matches.
    - ``count()`` is the number of stored trials.
    - ``save_study(study_id, spec, kind)`` inserts or replaces a study's row (kind: "compare",
      "suite", ...), keeping its first ``created_at``; ``studies()`` lists them in creation order
      as dicts with keys study_id, kind, spec, created_at, updated_at.
    - ``save_study_state(study_id, state)`` replaces a study's JSON-able run state (for example
      why adaptive seeding stopped); ``study_state(study_id)`` returns it, or {} if none.
    - ``delete_study_trials(spec_ids)`` removes those trials in one transaction (for
      ``--fresh``) and returns how many were removed.
    - Closing and reopening the same location keeps everything (a rerun resumes); several
      readers may read while one writer writes. ``close()`` is idempotent; any other call after
      it raises StoreError. Stores are context managers that close on exit.

    Every failure a user can cause or fix (unreadable, corrupt, newer-schema or unwritable
    store) is a StoreError whose one-line message names the location and the fix.
    """

    @abstractmethod
    def put(self, record: StoredRecord) -> bool:
        """Store one finished trial atomically; False if its spec_id was already stored."""

    @abstractmethod
    def has(self, spec_id: str) -> bool:
        """Whether a trial with this spec id is stored."""

    @abstractmethod
    def get(self, spec_id: str) -> StoredRecord | None:
        """The stored record for this spec id, or None."""

    @abstractmethod
    def records(
        self, spec_ids: Iterable[str] | None = None, study_id: str | None = None
    ) -> list[StoredRecord]:
        """Stored records in insertion order, optionally filtered by ids and/or study."""

    @abstractmethod
    def count(self) -> int:
        """Number of stored trials."""

    @abstractmethod
    def save_study(self, study_id: str, spec: Mapping[str, Any], kind: str) -> None:
        """Insert or update a study row (its spec and kind)."""

    @abstractmethod
    def studies(self) -> list[StoredStudy]:
        """Every saved study, in creation order."""

    @abstractmethod
    def save_study_state(self, study_id: str, state: Mapping[str, Any]) -> None:
        """Replace a study's run state."""

    @abstractmethod
    def study_state(self, study_id: str) -> dict[str, Any]:
        """A study's saved run state, or {}."""

    @abstractmethod
    def delete_study_trials(self, spec_ids: Iterable[str]) -> int:
        """Delete these trials in one transaction; returns the number deleted."""

    @abstractmethod
    def close(self) -> None:
        """Release the store; safe to call twice."""

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
