"""Fit-loop callbacks: hooks are documented no-ops; subclasses override what they need."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class EpochRecord:
    """One epoch of the learning curve; times are cumulative seconds since the fit began."""

    epoch: int
    train_loss: float
    val_loss: float
    val_metric: float
    train_time_s: float  # training compute (forward, backward, step) only
    wall_s: float  # everything: compute, batching, evaluation
    steps: int = 0  # cumulative optimiser steps
    # Training loss in eval mode at the epoch's end, on a fixed subset of the training split:
    # comparable with val_loss (same weights, same mode), unlike the running train_loss.
    train_loss_eval: float | None = None

    def to_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


class Callback:
    """Base callback; every hook does nothing."""

    def on_fit_start(self, max_epochs: int, steps_per_epoch: int) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, record: EpochRecord, model: torch.nn.Module) -> None:
        """Called after each epoch's evaluation."""

    @property
    def stop(self) -> bool:
        """True asks the loop to end after this epoch."""
        return False


class EarlyStopping(Callback):
    """Keep the best-validation checkpoint and stop after `patience` epochs without a better one.

    "Better" is judged on validation loss, which moves with every epoch even where the metric
    moves in coarse steps (a 14-example validation set moves accuracy in 7-point steps). Losses
    within a relative `tolerance` of the best count as tied, and the validation metric breaks
    the tie; a fully tied epoch is not better (the earlier checkpoint stays). A non-finite loss
    is never better.
    """

    def __init__(self, patience: int, higher_is_better: bool, tolerance: float = 1e-4) -> None:
        self.patience, self.sign = patience, 1.0 if higher_is_better else -1.0
        self.tolerance = tolerance
        self.best_loss = math.inf
        self.best_score = -math.inf
        self.best_epoch = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self._stale = 0

    def better(self, val_loss: float, val_metric: float) -> bool:
        """True when (val_loss, val_metric) beats the best so far (class docstring)."""
        if not math.isfinite(val_loss):
            return False
        if not math.isfinite(self.best_loss):
            return True
        slack = self.tolerance * max(abs(self.best_loss), 1e-12)
        if val_loss < self.best_loss - slack:
            return True
        score = self.sign * val_metric
        return val_loss <= self.best_loss + slack and math.isfinite(score) \
            and score > self.best_score

    def on_epoch_end(self, record: EpochRecord, model: torch.nn.Module) -> None:
        if self.better(record.val_loss, record.val_metric):
            self.best_loss, self.best_epoch, self._stale = record.val_loss, record.epoch, 0
            self.best_score = self.sign * record.val_metric
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self._stale += 1

    @property
    def stop(self) -> bool:
        return self._stale >= self.patience
