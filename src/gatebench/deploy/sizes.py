"""Untrained models at a given size, for latency that needs no data or training."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from gatebench.cells import SequenceModel, build_model, resolve_hidden_sizes
from gatebench.deploy.latency import LatencyPlan, measure_latency
from gatebench.errors import SpecError
from gatebench.protocol import SizingConfig

OUTPUT_SIZE = 2  # a binary classifier's head: small, so the recurrent layers dominate

if TYPE_CHECKING:
    from gatebench.analysis.documents import LatencyResult


def models_at_size(cells: Sequence[str], hidden: int, input_size: int, match: str = "hidden",
                   ) -> dict[str, SequenceModel]:
    """One float-feature classifier per cell: all at `hidden` (match="hidden"), or each sized
    to the LSTM's parameter count at `hidden` (match="params"); weights from seed 0."""
    if not cells:
        raise SpecError("give at least one cell, e.g. --cells gru,lstm")
    if input_size < 1:
        raise SpecError(f"--input-size must be positive, got {input_size}")
    sizing = SizingConfig(match=match, reference_hidden=hidden)
    sizes = resolve_hidden_sizes(tuple(cells), sizing, input_size, OUTPUT_SIZE, 1, False)
    models = {}
    for cell in cells:
        torch.manual_seed(0)
        models[cell] = build_model(cell, input_kind="features", input_size=input_size,
                                   output_size=OUTPUT_SIZE, objective="classification",
                                   hidden_size=sizes[cell]["hidden_size"])
    return models


def latency_at_size(cells: Sequence[str], hidden: int, input_size: int, plan: LatencyPlan,
                    match: str = "hidden") -> LatencyResult:
    """`measure_latency` for untrained models built by `models_at_size`."""
    plan.validate()  # before building anything: bad options fail fast
    result = measure_latency(models_at_size(cells, hidden, input_size, match), plan)
    result["sizing"] = {"match": match, "hidden": hidden, "input_size": input_size,
                        "output_size": OUTPUT_SIZE}
    return result
