"""A floor on optimiser steps per trial, so a small training set is not compared half-trained.

With 53 training rows and batch 64, an epoch is one optimiser step: 20 epochs are 20 steps and
early stopping ends a trial after a handful of them, long before either cell has learnt
anything. The floor, applied the same way to every arm of a study:

- at least `MIN_STEPS_PER_EPOCH` (8) steps per epoch, by lowering the batch size, but never
  below `MIN_BATCH` (8): smaller batches give gradients too noisy to compare cells on;
- at least `MIN_TOTAL_STEPS` (300) steps per trial when it runs to `max_epochs`, by raising
  `max_epochs`; `patience` grows in the same proportion, so early stopping keeps waiting the
  same share of the budget (3 of 20 epochs by default) for a better validation metric.

300 steps: a 1-layer GRU or LSTM near 67k parameters took 70-100 Adam steps (lr 2e-3, batch 8)
to bring italy-power's training loss under 0.1; the floor leaves about three times that as room
before the epoch cap, and costs a few seconds per trial on one CPU core. Larger data sets are
untouched: 1,000 rows at batch 64 already give 16 steps per epoch and 320 in 20 epochs.

The user's explicit values always win; when one falls below the floor, a note says so.
Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import replace

from gatebench.protocol.specs import TrainConfig

MIN_STEPS_PER_EPOCH = 8
MIN_BATCH = 8
MIN_TOTAL_STEPS = 300
FLOORED = ("batch_size", "max_epochs", "patience")  # the settings the floor may change
FLAGS = {"batch_size": "--batch-size", "max_epochs": "--max-epochs", "patience": "--patience"}


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """Optimiser steps in one epoch: the last, partial batch is a step too."""
    return max(1, math.ceil(n_train / batch_size))


def effective_training(
    train: TrainConfig, n_train: int, explicit: Collection[str] = frozenset()
) -> tuple[TrainConfig, list[str]]:
    """The training config after the step floor for `n_train` rows, and notes on what changed.

    `explicit` names the fields of FLOORED the user set: those are kept as given, with a note
    when they fall below the floor. Each note is one line naming the setting and the floor.
    """
    notes: list[str] = []
    batch = train.batch_size
    wanted_batch = max(MIN_BATCH, n_train // MIN_STEPS_PER_EPOCH)
    if batch > wanted_batch:
        if "batch_size" in explicit:
            notes.append(
                f"--batch-size {batch} gives {steps_per_epoch(n_train, batch)} optimiser "
                f"step(s) per epoch on {n_train} training rows (floor: {MIN_STEPS_PER_EPOCH}); "
                "kept because you set it"
            )
        else:
            notes.append(
                f"batch size {batch} \u2192 {wanted_batch}: {n_train} training rows would give "
                f"{steps_per_epoch(n_train, batch)} optimiser step(s) per epoch "
                f"(floor: {MIN_STEPS_PER_EPOCH})"
            )
            batch = wanted_batch
    per_epoch = steps_per_epoch(n_train, batch)
    epochs, patience = train.max_epochs, train.patience
    if per_epoch * epochs < MIN_TOTAL_STEPS:
        if "max_epochs" in explicit:
            notes.append(
                f"--max-epochs {epochs} allows {per_epoch * epochs} optimiser steps per trial "
                f"(floor: {MIN_TOTAL_STEPS}); kept because you set it"
            )
        else:
            epochs = math.ceil(MIN_TOTAL_STEPS / per_epoch)
            if "patience" not in explicit:
                patience = math.ceil(train.patience * epochs / train.max_epochs)
            notes.append(
                f"max epochs {train.max_epochs} \u2192 {epochs}"
                + (f", patience {train.patience} \u2192 {patience}"
                   if patience != train.patience else "")
                + f": at {per_epoch} step(s) per epoch, so a trial may take "
                f"{per_epoch * epochs} optimiser steps (floor: {MIN_TOTAL_STEPS})"
            )
    return replace(train, batch_size=batch, max_epochs=epochs, patience=patience), notes


def planned_steps(n_train: int, batch_size: int, max_epochs: int) -> int:
    """The most optimiser steps a trial may take: steps per epoch times max epochs."""
    return steps_per_epoch(n_train, batch_size) * max_epochs
