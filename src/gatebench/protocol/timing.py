"""Specs for timing experiments: training-step microbenchmarks run serially, never in parallel."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from gatebench.protocol.arms import DEFAULT_CELLS


@dataclass(frozen=True)
class StepTimingSpec:
    """One training-step timing configuration; its cells are timed side by side per round.

    impl: "native" (torch's fused nn.GRU/nn.LSTM, what a user gets) or "neutral" (one shared
    implementation, isolating the architecture). sizing: "hidden" (both at `hidden`) or
    "params" (every other cell sized to the LSTM's parameter count at `hidden`). cells: the
    cells timed (the LSTM is the budget's reference under "params").
    """

    impl: str = "native"
    sizing: str = "hidden"
    hidden: int = 128
    input_size: int = 64
    seq_len: int = 50
    batch: int = 32
    threads: int = 0
    device: str = "auto"
    repeats: int = 5
    warmup: int = 2
    cells: tuple[str, ...] = DEFAULT_CELLS

    @property
    def config_key(self) -> str:
        """A readable key naming the configuration (pairs and rounds share it)."""
        return (f"{self.impl}/{self.sizing}/H={self.hidden}/I={self.input_size}/"
                f"T={self.seq_len}/B={self.batch}")

    def spec_id(self, cell: str, round_index: int) -> str:
        """Stable id of one cell's measurement in one round (resumable like a trial)."""
        # The id names one cell's measurement: which other cells share the rounds is left out,
        # so ids (and resumable stores) stay the same when the set of cells changes.
        config = {k: v for k, v in asdict(self).items() if k != "cells"}
        payload = json.dumps({**config, "cell": cell, "round": round_index,
                              "kind": "step_timing"}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
