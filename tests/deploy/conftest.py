"""Tiny seeded models shared by the deploy tests."""

from __future__ import annotations

import torch

from gatebench.cells import SequenceModel, build_model


def tiny_model(cell: str, kind: str = "features", objective: str = "classification",
               **options) -> SequenceModel:
    """A seeded model small enough to export in a blink."""
    torch.manual_seed(0)
    size = 7 if kind == "features" else 30
    return build_model(cell, input_kind=kind, input_size=size, output_size=3, objective=objective,
                       hidden_size=12, embed_dim=6, **options).eval()
