"""Results store: versioned trial records in SQLite, resumable studies (no torch)."""

from gatebench.store.base import ResultStore, StoredRecord, StoredStudy
from gatebench.store.sqlite import (
    STORE_FILENAME,
    STORE_SCHEMA_VERSION,
    SqliteStore,
    open_store,
    store_path,
)

__all__ = [
    "STORE_FILENAME",
    "STORE_SCHEMA_VERSION",
    "ResultStore",
    "SqliteStore",
    "StoredRecord",
    "StoredStudy",
    "open_store",
    "store_path",
]
