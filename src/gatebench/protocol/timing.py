"""Specs for timing experiments: training-step microbenchmarks and compare's timing pass, run
serially, never in parallel."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from gatebench.protocol.arms import ARM_OPTIONS, DEFAULT_CELLS
from gatebench.protocol.specs import StudySpec, TrialSpec


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


# -- compare's own timing pass ------------------------------------------------------------------

# Rounds of a study's timing pass (arms alternate order each round): it looks at its ratios
# from the minimum on, stops once every ratio's 95% interval lies within ×/÷ the precision of
# its estimate, and stops at the maximum whatever the precision (tests/analysis/test_timing.py
# measures the intervals' coverage under that rule).
STUDY_TIMING_MIN_ROUNDS = 3
STUDY_TIMING_MAX_ROUNDS = 6
STUDY_TIMING_PRECISION = 1.05
# What one optimiser step costs depends on these training settings only: epochs, patience, the
# learning rate and weight decay change what is learned, not what a step costs, so a study that
# gains epochs (or tunes the learning rate) keeps its timing pass.
_STEP_COST_TRAIN_KEYS = ("batch_size", "clip_norm", "threads", "device")


def _step_cost(trial: TrialSpec) -> dict[str, object]:
    d = trial.to_dict()
    d.pop("seed")
    d["train"] = {k: d["train"][k] for k in _STEP_COST_TRAIN_KEYS}
    d["overrides"] = {k: v for k, v in d["overrides"].items() if ARM_OPTIONS.get(k) != "train"}
    return d


def timing_trials(study: StudySpec) -> list[TrialSpec]:
    """One trial per arm whose shapes the timing pass times: the first seed, most data."""
    most = max(study.data_fractions)
    return [t for t in study.trials(1) if t.data_fraction == most]


def study_timing_key(study: StudySpec) -> str:
    """Names what a study's timing pass measured: every arm's step cost, side by side.

    A stored pass serves the study while its key matches; a changed arm makes the whole pass run
    again rather than pair new clocks with old ones (a round's arms are measured together).
    """
    arms = [_step_cost(t) for t in timing_trials(study)]
    payload = json.dumps({"arms": arms, "kind": "study_timing"}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
