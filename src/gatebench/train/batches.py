"""Length-bucketed batches: index plans over tensors built once, trimmed to each batch's length."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch

from gatebench.tasks.base import Split


@dataclass
class Batch:
    """One batch, already on the device: inputs trimmed to its longest sequence."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: torch.Tensor
    n_items: int  # real (non-padding) time steps, for throughput


class Batcher:
    """Serve a split in batches; sorting within buckets keeps padding waste small.

    The split's tensors move to the device once. Each epoch draws a permutation from a seeded
    generator, sorts each bucket of `bucket_batches` batches by length, cuts batches and shuffles
    their order: the same seed gives the same batches for every cell (paired data order).
    """

    def __init__(self, split: Split, batch_size: int, device: torch.device, *,
                 per_step_targets: bool = False, bucket_batches: int = 50) -> None:
        self.x = split.x.to(device)
        self.lengths = split.lengths.to(device)
        self.y = split.y.to(device)
        self._lengths_cpu = split.lengths
        self.batch_size = batch_size
        self.bucket = batch_size * bucket_batches
        self.per_step_targets = per_step_targets  # tagging: targets are trimmed like inputs

    def __len__(self) -> int:
        n = len(self._lengths_cpu)
        return (n + self.batch_size - 1) // self.batch_size

    def epoch(self, generator: torch.Generator) -> Iterator[Batch]:
        """Shuffled, length-bucketed batches for one training epoch."""
        n = len(self._lengths_cpu)
        perm = torch.randperm(n, generator=generator)
        batches = []
        for start in range(0, n, self.bucket):
            chunk = perm[start : start + self.bucket]
            chunk = chunk[torch.argsort(self._lengths_cpu[chunk], descending=True, stable=True)]
            batches.extend(chunk.split(self.batch_size))
        order = torch.randperm(len(batches), generator=generator).tolist()
        for i in order:
            yield self._take(batches[i])

    def ordered(self) -> Iterator[Batch]:
        """Batches sorted by length, for evaluation (order does not change metrics)."""
        index = torch.argsort(self._lengths_cpu, descending=True, stable=True)
        for chunk in index.split(self.batch_size):
            yield self._take(chunk)

    def _take(self, index: torch.Tensor) -> Batch:
        lengths_cpu = self._lengths_cpu[index]
        t_max = int(lengths_cpu.max())
        index = index.to(self.x.device)
        y = self.y[index]
        if self.per_step_targets:
            y = y[:, :t_max]
        return Batch(self.x[index, :t_max], self.lengths[index], y, int(lengths_cpu.sum()))
