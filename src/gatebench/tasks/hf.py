"""Hugging Face datasets saved with `save_to_disk` (a Dataset or a DatasetDict folder) as tables.

A DatasetDict's own splits map to train/validation/test by name (train; validation, valid, val
or dev; test); a missing validation split is carved from train, stratified. A single Dataset, or
a DatasetDict without train and test, gets the family's stratified split. Reading needs the
optional `datasets` package (`pip install 'gatebench[hf]'`), imported only for such a folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gatebench.errors import DataError, MissingDependencyError, require
from gatebench.tasks.readers import first_line
from gatebench.tasks.splits import SPLIT_NAMES, carve_validation
from gatebench.tasks.tables import require_columns

# save_to_disk writes dataset_dict.json (DatasetDict) or state.json + dataset_info.json (Dataset).
DICT_MARKER, DATASET_MARKERS = "dataset_dict.json", ("state.json", "dataset_info.json")
PARTS = {"train": 0, "val": 1, "test": 2}
VAL_FRAC = 0.1


@dataclass(frozen=True)
class HFTable:
    """A saved dataset's rows as one frame, with its own split (0/1/2 per row) when it has one."""

    frame: pd.DataFrame
    split: np.ndarray | None
    rule: str


def is_hf_folder(path: str | Path) -> bool:
    """Whether `path` is a folder written by `datasets`' `save_to_disk`."""
    path = Path(path)
    return path.is_dir() and ((path / DICT_MARKER).is_file()
                              or all((path / m).is_file() for m in DATASET_MARKERS))


def read_hf_folder(path: str | Path, label_col: str, seed: int = 0) -> HFTable:
    """Load a `save_to_disk` folder; ClassLabel columns become their class names."""
    path = Path(path)
    loaded = _load(path)
    if not hasattr(loaded, "keys"):  # a single Dataset: no splits of its own
        return HFTable(_frame(loaded, path), None, "")
    named = {name: SPLIT_NAMES.get(name.lower()) for name in loaded}
    used = [name for name, part in named.items() if part is not None]
    ignored = sorted(set(named) - set(used))
    parts = {named[name] for name in used}
    if not {"train", "test"} <= parts:
        frame = pd.concat([_frame(loaded[n], path) for n in loaded], ignore_index=True)
        return HFTable(frame, None, "")
    frames = [_frame(loaded[name], path) for name in used]
    frame = pd.concat(frames, ignore_index=True)
    split = np.concatenate([np.full(len(f), PARTS[named[n]]) for n, f in zip(used, frames,
                                                                               strict=True)])
    rule = "the dataset's own splits: " + ", ".join(f"{n} → {named[n]}" for n in used)
    if "val" not in parts:
        split = _carve(frame, split, label_col, path, seed)
        rule += f"; validation: {VAL_FRAC:.0%} of train, stratified, seed {seed}"
    if ignored:
        rule += f"; split(s) not used: {', '.join(ignored)}"
    return HFTable(frame, split, rule)


def _load(path: Path):
    try:
        datasets = require("datasets", extra="hf")
    except MissingDependencyError:
        raise MissingDependencyError(
            f"{path.name} is a Hugging Face dataset folder; reading it needs the datasets "
            "package: pip install 'gatebench[hf]'"
        ) from None
    datasets.disable_progress_bars()
    try:
        return datasets.load_from_disk(str(path))
    except Exception as exc:  # datasets and pyarrow raise many types; the user needs one line
        raise DataError(f"cannot read the Hugging Face dataset {path}: {first_line(exc)}") from None


def _frame(dataset, path: Path) -> pd.DataFrame:
    """The rows as pandas; ClassLabel ids become names (-1, "no label", becomes missing)."""
    frame = dataset.to_pandas()
    for column, feature in dataset.features.items():
        names = getattr(feature, "names", None)
        if names is not None and column in frame:
            ids = frame[column].to_numpy()
            frame[column] = pd.Series([names[i] if 0 <= i < len(names) else None for i in ids],
                                      dtype="object", index=frame.index)
    if frame.shape[0] == 0:
        raise DataError(f"{path.name}: a split of this Hugging Face dataset has no rows")
    return frame


def _carve(frame: pd.DataFrame, split: np.ndarray, label_col: str, path: Path,
           seed: int) -> np.ndarray:
    """Move a stratified share of the train rows to validation."""
    require_columns(frame, {"--label-col": label_col}, path)
    train = np.flatnonzero(split == 0)
    labels = frame[label_col].iloc[train].astype("string").fillna("").to_numpy(dtype=str)
    y = np.unique(labels, return_inverse=True)[1]
    split = split.copy()
    split[train[carve_validation(y, VAL_FRAC, seed)]] = 1
    return split


def list_columns(frame: pd.DataFrame, skip: str) -> list[str]:
    """The list-valued columns (a sequence per row), in order, leaving out `skip`."""
    found = []
    for column in frame.columns:
        first = frame[column].dropna()
        if column != skip and len(first) and isinstance(first.iloc[0], list | np.ndarray):
            found.append(str(column))
    return found


def row_sequences(frame: pd.DataFrame, columns: list[str], path: Path) -> list[np.ndarray]:
    """One (T, F) float array per row from list-valued columns (each a channel or channels)."""
    seqs = []
    for row, values in enumerate(zip(*(frame[c] for c in columns), strict=True)):
        try:
            parts = [np.asarray(_as_list(v), dtype=np.float64) for v in values]
        except (TypeError, ValueError):
            raise DataError(f"{path.name} row {row}: a sequence value is not a number (columns "
                            f"{', '.join(columns)})") from None
        parts = [p[:, None] if p.ndim == 1 else p for p in parts]
        if any(p.ndim != 2 for p in parts) or len({len(p) for p in parts}) != 1:
            raise DataError(f"{path.name} row {row}: the sequence columns {', '.join(columns)} "
                            "must hold equally long lists of numbers (or of number lists)")
        seqs.append(np.concatenate(parts, axis=1))
    return seqs


def _as_list(value: object) -> object:
    # Nested lists arrive as object arrays of arrays; tolist() makes them rectangular again.
    return value.tolist() if isinstance(value, np.ndarray) else value
