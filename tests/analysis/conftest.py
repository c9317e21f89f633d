"""A factory of crafted trial records, built through TrialRecord like the runner's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from gatebench.protocol.record import ParamCounts, TaskDescription, TrialRecord, TrialTiming


def _make_record(
    cell: str = "gru",
    seed: int = 0,
    value: float | None = 0.8,
    *,
    metric: str = "accuracy",
    higher_is_better: bool = True,
    status: str = "ok",
    data_fraction: float = 1.0,
    per_epoch_s: float = 1.0,
    train_compute_s: float = 10.0,
    best_epoch: int = 3,
    epochs_run: int = 5,
    train_loss: float = 0.3,
    val_loss: float = 0.4,
    task: str = "toy",
    concurrent: bool = False,
    **extra: Any,
) -> TrialRecord:
    """One trial record, built through the type; `value` is the headline test metric (None:
    absent) and `extra` replaces fields."""
    pair_key = f"{task}-{seed}-{data_fraction}"
    history = [
        {
            "epoch": e,
            "train_loss": train_loss if e == best_epoch else 1.0,
            "val_loss": val_loss if e == best_epoch else 1.0,
            "val_metric": 0.5,
            "train_time_s": e * per_epoch_s,
            "wall_s": e * per_epoch_s * 1.1,
        }
        for e in range(1, epochs_run + 1)
    ]
    spec = {
        "task": {"name": task, "options": {}},
        "cell": cell,
        "seed": seed,
        "sizing": {"match": "params", "reference_cell": "lstm", "reference_hidden": 32},
        "model": {"num_layers": 1},
        "train": {"lr": 0.002, "threads": 1},
        "data_fraction": data_fraction,
    }
    return TrialRecord(
        schema_version=1,
        spec_id=f"{pair_key}-{cell}",
        pair_key=pair_key,
        study_id="study",
        spec=spec,
        cell=cell,
        seed=seed,
        data_fraction=data_fraction,
        status=status,
        hidden_size=37 if cell == "gru" else 32,
        params=ParamCounts(core=4000 if cell == "gru" else 4032, total=9000, budget=4032),
        metric=metric,
        higher_is_better=higher_is_better,
        test={} if value is None else {metric: value},
        best_epoch=best_epoch,
        epochs_run=epochs_run,
        history=history,
        timing=TrialTiming(
            train_compute_s=train_compute_s,
            per_epoch_s=per_epoch_s,
            time_to_best_s=per_epoch_s * best_epoch,
            eval_s=0.1,
            prep_s=0.2,
            items_per_s=1000.0,
        ),
        kernel="mkldnn_rnn_layer" if cell == "lstm" else "aten::gru",
        device="cpu",
        threads=1,
        concurrent=concurrent,
        env={"torch": "2.13.0"},
        task=TaskDescription(name=task, family="synthetic", description={"kind": "classify"}),
        created_at="2026-01-01T00:00:00+00:00",
    ).tagged(**extra)  # an unknown field name fails here


def _make_pairs(
    gru_values: Sequence[float | None],
    lstm_values: Sequence[float | None],
    **kwargs: Any,
) -> list[TrialRecord]:
    """GRU and LSTM records for seeds 0..n-1, interleaved as the runner writes them."""
    out = []
    for seed, (g, lv) in enumerate(zip(gru_values, lstm_values, strict=True)):
        out.append(_make_record("gru", seed, g, **kwargs))
        out.append(_make_record("lstm", seed, lv, **kwargs))
    return out


@pytest.fixture
def make_record():
    """The record factory (a fixture, so test modules need not import conftest)."""
    return _make_record


@pytest.fixture
def make_pairs():
    """The paired-records factory."""
    return _make_pairs
