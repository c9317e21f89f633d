"""Sequence classification: UCR/UEA archive sets bundled with aeon, and the user's own arrays."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.base import TaskData
from gatebench.tasks.hf import is_hf_folder, list_columns, read_hf_folder, row_sequences
from gatebench.tasks.readers import (
    describe_bad_values,
    first_line,
    float_option,
    int_option,
    package_dir,
    read_ts,
)
from gatebench.tasks.registry import Loader, TaskEntry, register
from gatebench.tasks.splits import (
    carve_validation,
    encode_labels,
    normalise_option,
    prepare_classification,
    stratified_split,
)
from gatebench.tasks.tables import read_table, require_columns

# name -> (archive folder, one-line summary); shapes from the archive's own metadata.
ARCHIVE = {
    "gunpoint": ("GunPoint", "50/150 train/test, 1 x 150, 2 classes: tiny training set"),
    "italy-power": ("ItalyPowerDemand", "67/1,029 train/test, 1 x 24, 2 classes: short"),
    "arrowhead": ("ArrowHead", "36/175 train/test, 1 x 251, 3 classes"),
    "basic-motions": ("BasicMotions", "40/40 train/test, 6 x 100, 4 classes: multivariate"),
    "japanese-vowels": ("JapaneseVowels", "270/370 train/test, 12 x 7-29, 9 classes: unequal"),
    "osuleaf": ("OSULeaf", "200/242 train/test, 1 x 427, 6 classes: long"),
    "acsf1": ("ACSF1", "100/100 train/test, 1 x 1,460, 10 classes: very long"),
}


def _archive_loader(name: str, folder: str) -> Loader:
    def load(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
        root = package_dir("aeon", "datasets", "data", folder)
        train_x, train_labels, declared = read_ts(root / f"{folder}_TRAIN.ts")
        test_x, test_labels, _ = read_ts(root / f"{folder}_TEST.ts")
        # The archive's declared class order fixes the ids, so class k means the same everywhere.
        names = declared or tuple(sorted(set(train_labels) | set(test_labels)))
        index = {label: i for i, label in enumerate(names)}
        y = np.array([index[label] for label in (*train_labels, *test_labels)], dtype=np.int64)
        normalise = normalise_option(spec)
        val_frac = float_option(spec, "val_frac", 0.2, 0.0, 1.0)
        seed = int_option(spec, "split_seed", 0, minimum=0)
        is_val = carve_validation(y[: len(train_x)], val_frac, seed)
        assignment = np.concatenate([is_val.astype(np.int64), np.full(len(test_x), 2)])
        return prepare_classification(
            [*train_x, *test_x], y, assignment, names, name=name, family="sequence",
            description={
                "source": f"UCR/UEA archive {folder} (bundled with aeon)",
                "split": f"the archive's train/test split; validation: {val_frac:.0%} of train, "
                f"stratified, seed {seed} (classes with one training case stay in train)",
                "data_fixes": [],
            },
            normalise=normalise,
        )

    load.__doc__ = f"UCR/UEA {folder} from aeon's bundled files."
    return load


def _read_npz(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """X, y and optional lengths from an .npz file, as per-sequence (T_i, F) arrays."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("X", "y") if k not in data.files]
            if missing:
                raise DataError(
                    f"{path.name} lacks array(s) {', '.join(missing)}; it holds "
                    f"{', '.join(data.files) or 'nothing'} (need X, y and optionally lengths)"
                )
            x, labels = data["X"], data["y"]
            lengths = data["lengths"] if "lengths" in data.files else None
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path.name} holds an object array (ragged sequences?); save X zero-padded "
                "as a numeric (N, T, F) array with a `lengths` array beside it"
            ) from None
        raise DataError(f"cannot read {path.name}: {first_line(exc)}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"cannot read {path.name}: {first_line(exc)}") from None
    if x.ndim == 2:
        x = x[:, :, None]  # (N, T) univariate -> (N, T, 1)
    if x.ndim != 3 or not np.issubdtype(x.dtype, np.number):
        raise DataError(f"{path.name}: X must be a numeric (N, T) or (N, T, F) array, got "
                        f"{x.dtype} {x.shape}")
    if labels.ndim != 1 or len(labels) != len(x):
        raise DataError(f"{path.name}: X has {len(x)} sequences but y has {labels.shape} labels; "
                        "they must match one to one")
    lengths = np.full(len(x), x.shape[1]) if lengths is None else lengths
    _check_npz_lengths(path, x, lengths)
    return [x[i, :n] for i, n in enumerate(lengths)], labels


def _check_npz_lengths(path: Path, x: np.ndarray, lengths: np.ndarray) -> None:
    """DataError unless every length fits X and the steps within them are finite."""
    if lengths.shape != (len(x),) or not np.issubdtype(lengths.dtype, np.integer):
        raise DataError(f"{path.name}: lengths must be {len(x)} integers, got "
                        f"{lengths.dtype} {lengths.shape}")
    if (lengths < 1).any():
        raise DataError(f"{path.name}: {int((lengths < 1).sum())} sequence(s) have length 0 "
                        f"(first: row {int(np.argmax(lengths < 1))}); each needs at least one step")
    if (lengths > x.shape[1]).any():
        raise DataError(f"{path.name}: a length exceeds X's {x.shape[1]} time steps "
                        f"(row {int(np.argmax(lengths > x.shape[1]))})")
    valid = np.arange(x.shape[1]) < lengths[:, None]  # padding beyond a length is not data
    bad = ~np.isfinite(x) & valid[:, :, None]
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=(1, 2)))
        raise DataError(f"{path.name}: X has {int(bad.sum())} NaN/inf value(s) in "
                        f"{len(rows)} sequence(s) (first: row {rows[0]}); fill or drop them")


def _read_long(path: Path, spec: TaskSpec) -> tuple[list[np.ndarray], np.ndarray]:
    id_col = spec.option("id_col", "id")
    time_col = spec.option("time_col", "time")
    label_col = spec.option("label_col", "label")
    df = read_table(path)
    require_columns(df, {"--id-col": id_col, "--time-col": time_col,
                         "--label-col": label_col}, path)
    features = [c for c in df.columns if c not in (id_col, time_col, label_col)]
    if not features:
        raise DataError(f"{path.name} has no feature columns besides {id_col}, {time_col}, "
                        f"{label_col}")
    text = [str(c) for c in features if not pd.api.types.is_numeric_dtype(df[c])]
    if text:
        raise DataError(f"{path.name}: feature column(s) {', '.join(text)} are not numeric; "
                        "drop them or encode them as numbers")
    if df[label_col].isna().any():
        row = int(np.flatnonzero(df[label_col].isna())[0]) + 1
        raise DataError(f"{path.name}: label column {label_col!r} is empty at row {row}")
    values = df[features].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise DataError(f"{path.name}: feature columns have {describe_bad_values(values)}; "
                        "fill or drop them (rows count from 1 after the header)")
    if df.duplicated([id_col, time_col]).any():
        first = df[df.duplicated([id_col, time_col])].iloc[0]
        raise DataError(f"{path.name}: sequence {str(first[id_col])!r} has two rows at time "
                        f"{first[time_col]}; each (id, time) pair must be unique")
    mixed = df.groupby(id_col, sort=False)[label_col].nunique()
    if (mixed > 1).any():
        raise DataError(f"{path.name}: sequence {str(mixed.index[mixed > 1][0])!r} has more than "
                        f"one label in {label_col!r}; a sequence has one label")
    order = np.lexsort((df[time_col].to_numpy(), pd.factorize(df[id_col])[0]))
    ids = df[id_col].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    seqs = np.split(values[order], starts[1:])
    return seqs, df[label_col].to_numpy()[order][starts]


def _read_hf(path: Path, spec: TaskSpec) -> tuple[list[np.ndarray], np.ndarray,
                                                  np.ndarray | None, str]:
    """A saved Hugging Face dataset: its list-valued columns are the channels of each sequence."""
    label_col = spec.option("label_col", "label")
    saved = read_hf_folder(path, label_col, int_option(spec, "split_seed", 0, minimum=0))
    frame = saved.frame
    require_columns(frame, {"--label-col": label_col}, path)
    columns = list_columns(frame, skip=label_col)
    if not columns:
        raise DataError(f"{path.name} has no list-valued column to read as sequences (columns: "
                        f"{', '.join(map(str, frame.columns))}); for text use --task text")
    keep = frame[label_col].notna().to_numpy()
    seqs = row_sequences(frame[keep], columns, path)
    bad = [i for i, s in enumerate(seqs) if not np.isfinite(s).all()]
    if bad:
        raise DataError(f"{path.name}: {len(bad)} sequence(s) hold NaN/inf (first: row "
                        f"{bad[0]}); fill or drop them")
    split = None if saved.split is None else saved.split[keep]
    if split is not None:
        for part, name in enumerate(("train", "validation", "test")):
            if not (split == part).any():
                raise DataError(f"{path.name}: the {name} split has no labelled sequence")
    return seqs, frame[label_col][keep].to_numpy(), split, saved.rule


def load_user_sequences(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """The user's sequences: `.npz` (X, y, lengths), long-format CSV/Parquet, or a `.ts` file."""
    raw = spec.option("path")
    normalise = normalise_option(spec)
    if raw is None:
        raise SpecError("the sequence task needs a data file: gatebench compare FILE "
                        "--task sequence")
    path = Path(raw)
    own_split, own_rule = None, ""
    if is_hf_folder(path):
        seqs, labels, own_split, own_rule = _read_hf(path, spec)
    elif not path.is_file():
        raise DataError(f"file not found: {path}; check the path")
    elif path.suffix.lower() == ".npz":
        seqs, labels = _read_npz(path)
    elif path.suffix.lower() == ".ts":
        seqs, labels, _ = read_ts(path)
    else:
        seqs, labels = _read_long(path, spec)
    empty = [i for i, s in enumerate(seqs) if len(s) == 0]
    if empty:
        raise DataError(f"{path.name}: {len(empty)} sequence(s) have length 0 (first: row "
                        f"{empty[0]}); every sequence needs at least one step")
    y, class_names = encode_labels(labels, path.name)
    if own_split is None:
        assignment, split_rule = stratified_split(spec, y, class_names, path.name)
    else:
        assignment, split_rule = own_split, own_rule
    return prepare_classification(
        seqs, y, assignment, class_names, name=path.stem, family="sequence",
        description={
            "source": str(path),
            "split": split_rule,
            "data_fixes": [],
        },
        normalise=normalise,
    )


register(TaskEntry("sequence", "sequence", load_user_sequences, reference=False,
                   summary="your .npz (X, y, lengths), long CSV (id, time, label), .ts or a "
                   "saved Hugging Face dataset; accuracy"))
for _name, (_folder, _summary) in ARCHIVE.items():
    register(TaskEntry(_name, "sequence", _archive_loader(_name, _folder), reference=True,
                       summary=f"{_folder}: {_summary}; accuracy"))
