"""The folklore under test: each claim's id, the statement as practitioners hear it, its measure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """One claim: a stable id, the statement being tested and what measures it."""

    id: str
    statement: str
    measured_by: str


SPEED = Claim(
    "speed", "GRU trains 20\u201330% faster than LSTM",
    "training-step time ratio GRU/LSTM, one interval per configuration from interleaved "
    "rounds; library kernels (native layers) and architecture (kernel-neutral layers) as two "
    "findings, by regime (batch 1 vs training batches, hidden size); real-task per-epoch "
    "ratios beside, not counted",
)
INFERENCE = Claim(
    "inference", "GRU infers faster; fits real-time and edge use",
    "p50 latency ratio GRU/LSTM for batch-1 full sequences and one streaming step, "
    "per runtime (eager, TorchScript, ONNX Runtime)",
)
SHORT = Claim(
    "short", "GRU matches LSTM on short sequences (< 100 tokens/steps)",
    "paired test-metric equivalence (TOST) per short task over seeds that trained; failures "
    "per cell apart from the mean; Holm across tasks",
)
SMALL_DATA = Claim(
    "small-data", "GRU overfits less on small data",
    "fractions trained for equal optimiser steps; per task, the train\u2013validation loss gap "
    "(both in eval mode) in units of the chance loss at the smallest fraction; Holm",
)
CONVERGENCE = Claim(
    "convergence", "GRU converges in fewer epochs",
    "optimiser steps (also epochs, seconds) to 95% of the pair's worse best validation value, "
    "each stored trial once; Holm across tasks",
)
LONG = Claim(
    "long", "LSTM wins on very long sequences with complex dependencies",
    "a^n b^n generalisation (largest n all right, trained on n <= N, tested to 3N); adding "
    "at T >= 400 as the paired error ratio against the mean predictor; copy memory (full); "
    "the crossover length",
)
ITERATION = Claim(
    "iteration", "GRU gives faster experiment iteration",
    "wall time until each cell's learning-rate sweep first reaches the pair's common target",
)

CATALOGUE: tuple[Claim, ...] = (SPEED, INFERENCE, SHORT, SMALL_DATA, CONVERGENCE, LONG, ITERATION)
