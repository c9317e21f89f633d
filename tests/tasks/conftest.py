"""Shared fixtures for the task-family tests: load a registered task, check the data contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from gatebench.protocol import TaskSpec
from gatebench.tasks.base import Split, TaskData
from gatebench.tasks.registry import load_task


@pytest.fixture
def load_gb_task() -> Callable[..., TaskData]:
    """Load a registered task by name with keyword options (None options are dropped)."""

    def load(name: str, cache_dir: Path | None = None, **options: Any) -> TaskData:
        return load_task(TaskSpec.make(name, **options), cache_dir)

    return load


def _valid_frames(split: Split) -> np.ndarray:
    steps = torch.arange(split.x.shape[1])
    mask = steps[None, :] < split.lengths[:, None]
    return split.x[mask].numpy()  # (sum of lengths, F)


@pytest.fixture
def check_gb_task() -> Callable[[TaskData], None]:
    """Assert the TaskData contract: dtypes, shapes, lengths >= 1, finite, JSON-able facts."""

    def check(data: TaskData) -> None:
        info = data.info
        for split in (data.train, data.val, data.test):
            assert len(split) > 0
            assert split.x.dtype == torch.float32 and split.x.ndim == 3
            assert split.x.shape[2] == info.input_size
            assert split.lengths.dtype == torch.long and int(split.lengths.min()) >= 1
            assert int(split.lengths.max()) == split.x.shape[1]
            assert torch.isfinite(split.x).all()
            if info.objective == "classification":
                assert split.y.dtype == torch.long and split.y.shape == (len(split),)
                assert 0 <= int(split.y.min()) and int(split.y.max()) < info.output_size
            elif info.objective == "regression":
                assert split.y.dtype == torch.float32
                assert split.y.shape == (len(split), info.output_size)
                assert torch.isfinite(split.y).all()
            else:
                assert split.y.dtype == torch.long and split.y.shape == split.x.shape[:2]
        d = info.description
        json.dumps(d)  # the report stores it as JSON
        assert (d["n_train"], d["n_val"], d["n_test"]) == (
            len(data.train), len(data.val), len(data.test))
        assert set(d["seq_len"]) == {"min", "median", "p95", "max"}
        assert d["n_features"] == info.input_size
        assert d["baseline"]["metric"] == info.metric
        assert isinstance(d["baseline"]["value"], float) and d["baseline"]["what"]
        assert "split" in d and "data_fixes" in d

    return check


@pytest.fixture
def valid_gb_frames() -> Callable[[Split], np.ndarray]:
    """The (sum of lengths, F) real time steps of a split, padding excluded."""
    return _valid_frames
