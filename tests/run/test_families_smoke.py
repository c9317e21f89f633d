"""One epoch of every cell on every task family, through the same engine a user runs."""

from __future__ import annotations

import math

import pytest

from gatebench.cells import cell_names
from gatebench.protocol import ModelOptions, SizingConfig, TaskSpec, TrainConfig, TrialSpec
from gatebench.run import run_trial

FAMILIES = {
    "forecast": TaskSpec.make("nile"),
    "sequence": TaskSpec.make("italy-power"),
    "audio": TaskSpec.make("spoken-digits"),
    "adding": TaskSpec.make("adding", seq_len=20, n_train=128, n_val=64, n_test=64),
    "copy-memory": TaskSpec.make("copy-memory", seq_len=10, n_train=128, n_val=64, n_test=64),
    "anbn": TaskSpec.make("anbn", seq_len=16, n_train=128, n_val=64, n_test=64),
}


@pytest.mark.parametrize("cell", cell_names())
@pytest.mark.parametrize("family", FAMILIES)
def test_one_epoch_every_cell_every_family(family: str, cell: str) -> None:
    spec = TrialSpec(
        task=FAMILIES[family], cell=cell, seed=0,
        sizing=SizingConfig(match="hidden", reference_hidden=16),
        model=ModelOptions(embed_dim=8),
        train=TrainConfig(max_epochs=1, batch_size=64, threads=1, warmup_steps=1),
    )
    record = run_trial(spec)
    assert record["status"] == "ok" and record["epochs_run"] == 1
    assert record["task"]["family"] in ("forecast", "sequence", "audio", "synthetic")
    value = record["test"][record["metric"]]
    assert math.isfinite(value)
    assert record["task"]["description"]["baseline"]["value"] is not None
