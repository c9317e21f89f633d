"""The task contract: what every family's loader returns, prepared once as tensors."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch


@dataclass(frozen=True)
class TaskInfo:
    """What the engine needs to know about a task, and what the report says about its data.

    objective: "classification" (one label per sequence, y: (N,) int64), "regression"
    (y: (N, output_size) float32, scaled), or "tagging" (a label per step, y: (N, T) int64 with
    -100 where no label is scored). input_kind: "tokens" (x: (N, T) int64, 0 = padding, input_size
    = vocabulary size) or "features" (x: (N, T, F) float32, input_size = F).
    """

    name: str
    family: str
    objective: str
    input_kind: str
    input_size: int
    output_size: int
    metric: str
    higher_is_better: bool
    class_names: tuple[str, ...] = ()
    target_scale: tuple[float, float] | None = None  # (mean, std) to undo target scaling
    description: dict[str, Any] = field(default_factory=dict)  # JSON-able facts for the report


@dataclass
class Split:
    """One split's tensors, padded to the split's longest sequence; lengths are all >= 1."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    def take(self, index: torch.Tensor | np.ndarray) -> Split:
        """The rows at `index` (a subset for learning curves)."""
        index = torch.as_tensor(index, dtype=torch.long)
        return Split(self.x[index], self.lengths[index], self.y[index])


@dataclass
class TaskData:
    """A loaded task: its info and three splits, fitted on the training split only."""

    info: TaskInfo
    train: Split
    val: Split
    test: Split

    def with_train_fraction(self, fraction: float, seed: int) -> TaskData:
        """Keep a fraction of the training rows (stratified for classification); val/test stay."""
        if fraction >= 1.0:
            return self
        rng = np.random.default_rng(seed)
        n = len(self.train)
        if self.info.objective == "classification":
            y = self.train.y.numpy()
            keep = []
            for c in np.unique(y):
                rows = np.flatnonzero(y == c)
                k = max(1, round(len(rows) * fraction))
                keep.append(rng.choice(rows, size=k, replace=False))
            index = np.sort(np.concatenate(keep))
        else:
            index = np.sort(rng.choice(n, size=max(1, round(n * fraction)), replace=False))
        return replace(self, train=self.train.take(index))


def pad_sequences(seqs: list[np.ndarray], dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad a list of (T_i,) or (T_i, F) arrays into one tensor, with their lengths."""
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    t_max = int(lengths.max()) if len(seqs) else 0
    tail = seqs[0].shape[1:] if seqs else ()
    out = torch.zeros((len(seqs), t_max, *tail), dtype=dtype)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.as_tensor(s, dtype=dtype)
    return out, lengths
