"""The optimiser-step floor: small data gets a smaller batch and more epochs, unless set."""

from __future__ import annotations

from gatebench.protocol import TrainConfig
from gatebench.protocol.budget import (
    MIN_BATCH,
    MIN_STEPS_PER_EPOCH,
    MIN_TOTAL_STEPS,
    effective_training,
    planned_steps,
    steps_per_epoch,
)


def test_small_data_gets_a_smaller_batch_and_more_epochs() -> None:
    train, notes = effective_training(TrainConfig(), n_train=53)  # italy-power
    assert train.batch_size == MIN_BATCH
    assert steps_per_epoch(53, train.batch_size) == 7  # as close to 8 as the minimum allows
    assert planned_steps(53, train.batch_size, train.max_epochs) >= MIN_TOTAL_STEPS
    assert train.max_epochs == 43
    assert train.patience == 7  # 3 of 20 epochs -> the same share of 43
    assert len(notes) == 2 and "64 \u2192 8" in notes[0] and "20 \u2192 43" in notes[1]


def test_batch_is_lowered_only_as_far_as_needed() -> None:
    train, _ = effective_training(TrainConfig(), n_train=488)  # elnino
    assert train.batch_size == 488 // MIN_STEPS_PER_EPOCH
    assert steps_per_epoch(488, train.batch_size) >= MIN_STEPS_PER_EPOCH


def test_large_data_keeps_the_defaults_and_says_nothing() -> None:
    cfg = TrainConfig()
    train, notes = effective_training(cfg, n_train=10_000)
    assert train == cfg and notes == []


def test_explicit_settings_win_and_a_note_says_they_are_under_the_floor() -> None:
    cfg = TrainConfig(batch_size=64, max_epochs=5, patience=2)
    train, notes = effective_training(cfg, n_train=53,
                                      explicit={"batch_size", "max_epochs", "patience"})
    assert train == cfg
    assert any("--batch-size 64" in n and "kept because you set it" in n for n in notes)
    assert any("--max-epochs 5" in n and "5 optimiser steps" in n for n in notes)


def test_explicit_patience_is_kept_when_epochs_are_raised() -> None:
    train, notes = effective_training(TrainConfig(patience=2), n_train=53,
                                      explicit={"patience"})
    assert train.max_epochs == 43 and train.patience == 2
    assert "patience" not in notes[-1]


def test_explicit_batch_still_gets_enough_epochs() -> None:
    train, _ = effective_training(TrainConfig(batch_size=64), n_train=53,
                                  explicit={"batch_size"})
    assert train.batch_size == 64 and train.max_epochs == MIN_TOTAL_STEPS  # 1 step per epoch
