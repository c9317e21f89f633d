"""Splits, scaling and report statistics shared by the task families; all fitted on train only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import torch

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.protocol.record import Baseline
from gatebench.tasks.base import Split, TaskData, TaskInfo, pad_sequences
from gatebench.tasks.readers import int_option, split_fractions

SPLITS = ("train", "val", "test")
# The names a split column (or a saved dataset's splits) may use, to the split each means.
SPLIT_NAMES = {"train": "train", "val": "val", "valid": "val", "validation": "val",
               "dev": "val", "test": "test"}


def length_stats(lengths: np.ndarray) -> dict[str, float]:
    """Sequence-length summary the report shows: min, median, p95, max."""
    lengths = np.asarray(lengths)
    return {
        "min": int(lengths.min()),
        "median": float(np.median(lengths)),
        "p95": float(np.percentile(lengths, 95)),
        "max": int(lengths.max()),
    }


def class_counts(y: np.ndarray, class_names: tuple[str, ...]) -> dict[str, int]:
    """Rows per class, by name, zeros included."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(class_names))
    return {name: int(n) for name, n in zip(class_names, counts, strict=True)}


def stratified_assign(
    y: np.ndarray,
    val_frac: float,
    test_frac: float,
    seed: int,
    class_names: tuple[str, ...],
    source: str,
) -> np.ndarray:
    """Assign rows to train/val/test (0/1/2) per class, reproducibly; every class in every split.

    A class with fewer than 3 rows cannot appear in all three splits: that is a DataError
    naming the class, since silently dropping it would change the task.
    """
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(y), dtype=np.int64)
    for c in range(len(class_names)):
        rows = rng.permutation(np.flatnonzero(y == c))
        if len(rows) < 3:
            raise DataError(
                f"{source}: class {class_names[c]!r} has only {len(rows)} sequence(s); each "
                "class needs at least 3 to appear in train, validation and test (add or drop it)"
            )
        n_test = max(1, round(len(rows) * test_frac))
        n_val = max(1, round(len(rows) * val_frac))
        # Rounding up small classes may eat the training share; keep at least one there.
        while n_val + n_test >= len(rows):
            if n_val >= n_test:
                n_val -= 1
            else:
                n_test -= 1
        assignment[rows[:n_test]] = 2
        assignment[rows[n_test : n_test + n_val]] = 1
    return assignment


def stratified_split(spec: TaskSpec, y: np.ndarray, class_names: tuple[str, ...],
                     source: str) -> tuple[np.ndarray, str]:
    """`stratified_assign` from the spec's val_frac, test_frac and split_seed options, with the
    rule the report states."""
    train, val, test = split_fractions(spec)
    seed = int_option(spec, "split_seed", 0, minimum=0)
    return (stratified_assign(y, val, test, seed, class_names, source),
            f"stratified {train:.0%}/{val:.0%}/{test:.0%}, seed {seed}")


def carve_validation(y: np.ndarray, val_frac: float, seed: int) -> np.ndarray:
    """Mark a stratified validation share of a published training set (True = validation).

    Classes with a single training row stay wholly in train: the archive's test split still
    scores them, and a model cannot learn a class it never sees.
    """
    rng = np.random.default_rng(seed)
    is_val = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        n_val = min(max(1, round(len(rows) * val_frac)), len(rows) - 1)
        is_val[rows[:n_val]] = True
    if not is_val.any():
        raise DataError("the training set is too small to carve a validation split from it")
    return is_val


class ScalingStats(TypedDict):
    """A fitted `Standardizer` as the task description shows it."""

    fitted_on: str  # "train"
    mean: list[float]  # per feature
    std: list[float]


@dataclass(frozen=True)
class Standardizer:
    """Per-feature mean/std; a constant feature keeps std 1 so it maps to zeros, not NaN."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, frames: np.ndarray) -> Standardizer:
        """Fit on the (M, F) valid time steps of the training split."""
        frames = np.asarray(frames, dtype=np.float64)
        std = frames.std(axis=0)
        return cls(frames.mean(axis=0), np.where(std > 0, std, 1.0))

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Scale an (..., F) array, as float32."""
        return ((values - self.mean) / self.std).astype(np.float32)

    def to_dict(self) -> ScalingStats:
        """JSON-able statistics for the description (the report shows what was fitted)."""
        return {"fitted_on": "train", "mean": [float(v) for v in self.mean],
                "std": [float(v) for v in self.std]}


NORMALISE = {
    "feature": "per-feature standardisation (mean and std fitted on train)",
    "instance": "each sequence standardised on its own time steps, per feature (the UCR "
                "convention)",
}


def normalise_option(spec: TaskSpec) -> str:
    """The `normalise` task option (feature or instance); SpecError listing both otherwise."""
    value = str(spec.option("normalise", "feature")).strip().lower()
    if value not in NORMALISE:
        raise SpecError(f"task option normalise must be one of {', '.join(NORMALISE)}, "
                        f"got {value!r}")
    return value


def instance_standardise(seq: np.ndarray) -> np.ndarray:
    """One (T, F) sequence scaled by its own per-feature mean and std (constant: std 1)."""
    std = seq.std(axis=0)
    return (seq - seq.mean(axis=0)) / np.where(std > 0, std, 1.0)


def majority_baseline(y_train: np.ndarray, y_test: np.ndarray) -> Baseline:
    """Test accuracy of always predicting the training split's most frequent class."""
    majority = int(np.bincount(y_train).argmax())
    return {"metric": "accuracy", "value": float(np.mean(y_test == majority)),
            "what": "always predict the training majority class"}


def prepare_classification(
    seqs: list[np.ndarray],
    y: np.ndarray,
    assignment: np.ndarray,
    class_names: tuple[str, ...],
    *,
    name: str,
    family: str,
    description: dict[str, Any],
    normalise: str = "feature",
) -> TaskData:
    """Standardise (T_i, F) sequences on train, pad each split, and describe the task.

    `description` holds the family's own facts (source, split rule, fixes); sizes, lengths,
    classes, scaling and the majority-class baseline are added here. `normalise="instance"`
    first scales each sequence on its own (see NORMALISE); the train-fitted standardiser runs
    after it either way.
    """
    if normalise == "instance":
        seqs = [instance_standardise(np.asarray(s, dtype=np.float64)) for s in seqs]
    train_rows = np.flatnonzero(assignment == 0)
    scaler = Standardizer.fit(np.concatenate([seqs[i] for i in train_rows]))
    splits = []
    for part in range(3):
        rows = np.flatnonzero(assignment == part)
        x, lengths = pad_sequences([scaler.apply(seqs[i]) for i in rows], torch.float32)
        splits.append(Split(x, lengths, torch.as_tensor(y[rows], dtype=torch.long)))
    lengths = np.array([len(s) for s in seqs])
    info = TaskInfo(
        name=name,
        family=family,
        objective="classification",
        input_kind="features",
        input_size=int(seqs[0].shape[1]),
        output_size=len(class_names),
        metric="accuracy",
        higher_is_better=True,
        class_names=class_names,
        description={
            **description,
            "n_train": len(splits[0]), "n_val": len(splits[1]), "n_test": len(splits[2]),
            "seq_len": length_stats(lengths),
            "n_features": int(seqs[0].shape[1]),
            "classes": class_counts(y, class_names),
            "class_counts": {
                split: class_counts(y[assignment == part], class_names)
                for part, split in enumerate(SPLITS)
            },
            "scaling": {"rule": NORMALISE[normalise], "normalise": normalise,
                        **scaler.to_dict()},
            "baseline": majority_baseline(y[assignment == 0], y[assignment == 2]),
        },
    )
    return TaskData(info, *splits)


def encode_labels(labels: np.ndarray, source: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class ids and names (numeric labels keep numeric order); fewer than 2 classes fails."""
    labels = np.asarray(labels)
    try:
        names, y = np.unique(labels, return_inverse=True)
    except TypeError:  # mixed Python types in an object column: compare them as text
        names, y = np.unique(labels.astype(str), return_inverse=True)
    if len(names) < 2:
        only = repr(str(names[0])) if len(names) else "none"
        raise DataError(
            f"{source}: the labels hold fewer than 2 classes (only {only}); "
            "a classifier needs at least two"
        )
    return y.astype(np.int64), tuple(str(n) for n in names)
