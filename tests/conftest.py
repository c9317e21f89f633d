"""Shared fixtures: fixed seeds, a small real-looking review table, tiny fast study options."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gatebench.run import run_study
from gatebench.studies import study_spec, task_spec

POSITIVE = ["great", "wonderful", "moving", "brilliant", "fun", "sharp", "charming"]
NEGATIVE = ["dull", "awful", "boring", "tedious", "flat", "messy", "lifeless"]
FILLER = ["the", "film", "story", "cast", "plot", "is", "a", "and", "with", "café", "naïve"]


@pytest.fixture(autouse=True)
def _seed() -> None:
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


def make_reviews(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Short labelled reviews whose sentiment words decide the label (learnable in an epoch)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = "pos" if i % 2 == 0 else "neg"
        words = list(rng.choice(FILLER, size=rng.integers(3, 12)))
        words += list(rng.choice(POSITIVE if label == "pos" else NEGATIVE, size=2))
        rng.shuffle(words)
        rows.append({"review": " ".join(words) + ", truly.", "sentiment": label})
    return pd.DataFrame(rows)


@pytest.fixture
def reviews_csv(tmp_path: Path) -> Path:
    """A CSV of 240 reviews with quoted commas and non-ASCII text."""
    path = tmp_path / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


TINY = dict(seeds=2, max_epochs=2, patience=2, hidden=16, embed_dim=16, batch_size=32,
            threads=1)


@pytest.fixture(scope="session")
def trained_study(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A finished one-seed GRU-vs-LSTM study on 240 reviews (one epoch, hidden 16)."""
    root = tmp_path_factory.mktemp("trained-study")
    data = root / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    spec = study_spec(task_spec(data, text_col="review", label_col="sentiment"), seeds=1,
                      max_epochs=1, patience=1, hidden=16, embed_dim=16, batch_size=32, threads=1)
    out = root / "study"
    return out, run_study(spec, out)
