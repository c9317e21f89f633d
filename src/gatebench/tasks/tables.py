"""Reading the user's tables (CSV, TSV, Parquet, JSONL) into pandas, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gatebench.errors import DataError

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table by its suffix; any failure becomes a DataError naming the file."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"file not found: {path}; check the path")
    if path.is_dir():
        raise DataError(f"{path} is a folder, and not one saved by Hugging Face datasets' "
                        "save_to_disk; give a CSV, TSV, Parquet or JSONL file, or such a folder")
    suffix = "".join(path.suffixes[-2:]) if path.suffix in (".gz", ".bz2") else path.suffix
    suffix = suffix.lower().replace(".gz", "").replace(".bz2", "")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty; it needs a header row and data rows")
    try:
        if suffix in (".csv", ".txt"):
            df = pd.read_csv(path)
        elif suffix == ".tsv":
            df = pd.read_csv(path, sep="\t")
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(path)
        elif suffix in (".jsonl", ".ndjson"):
            df = pd.read_json(path, lines=True)
        elif suffix == ".json":
            df = pd.read_json(path)
        else:
            raise DataError(
                f"cannot read {path.name}: unknown format {path.suffix!r}; "
                f"use one of {', '.join(TABLE_SUFFIXES)}"
            )
    except DataError:
        raise
    except Exception as exc:  # pandas/pyarrow raise many types; the user needs one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot read {path}: {first}") from None
    if df.shape[0] == 0:
        raise DataError(f"{path} has a header but no data rows")
    return df


def require_columns(df: pd.DataFrame, columns: dict[str, str | None], path: str | Path) -> None:
    """Check that each named column exists; the error lists the columns that do."""
    for flag, column in columns.items():
        if column is None:
            continue
        if column not in df.columns:
            existing = ", ".join(map(str, df.columns))
            raise DataError(
                f"{Path(path).name} has no column {column!r} (set with {flag}); "
                f"columns are: {existing}"
            )
