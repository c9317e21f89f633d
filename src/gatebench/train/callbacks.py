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
    """Track the best validation metric, keep that checkpoint, stop after `patience` flat epochs."""

    def __init__(self, patience: int, higher_is_better: bool) -> None:
        self.patience, self.sign = patience, 1.0 if higher_is_better else -1.0
        self.best_score = -math.inf
        self.best_epoch = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self._stale = 0

    def on_epoch_end(self, record: EpochRecord, model: torch.nn.Module) -> None:
        score = self.sign * record.val_metric
        if math.isfinite(score) and score > self.best_score:
            self.best_score, self.best_epoch, self._stale = score, record.epoch, 0
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self._stale += 1

    @property
    def stop(self) -> bool:
        return self._stale >= self.patience
