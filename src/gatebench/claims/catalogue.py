"""The folklore under test: each claim's id, the statement as practitioners hear it, its measure."""

from __future__ import annotations

from dataclasses import dataclass

# The folklore compares these two cells by definition: every claim, its evidence and the suite's
# timing and latency passes are about this pair (a study may compare any registered cells).
FOLKLORE_CELLS: tuple[str, str] = ("gru", "lstm")
GRU, LSTM = FOLKLORE_CELLS


@dataclass(frozen=True)
class Claim:
    """One claim: a stable id and the statement being tested (the comment above each claim
    says what measures it)."""

    id: str
    statement: str


# Measured by: training-step time ratio GRU/LSTM, one interval per configuration from interleaved
# rounds; library kernels (native layers) and architecture (kernel-neutral layers) as two
# findings, by regime (batch 1 vs training batches, hidden size); real-task per-epoch ratios
# beside, not counted
SPEED = Claim("speed", "GRU trains 20\u201330% faster than LSTM (library kernels)")
# Measured by: the same ratio on one kernel-neutral implementation of both cells (cells/neutral):
# the architecture's own arithmetic, apart from which library kernel serves which cell
SPEED_ARCHITECTURE = Claim("speed-architecture",
                           "GRU trains 20\u201330% faster than LSTM (architecture, "
                           "kernel-neutral)")
# Measured by: p50 latency ratio GRU/LSTM for batch-1 full sequences and one streaming step, per
# runtime (eager, TorchScript, ONNX Runtime)
INFERENCE = Claim("inference", "GRU infers faster; fits real-time and edge use")
# Measured by: paired test-metric equivalence (TOST) per short task over seeds that trained;
# failures per cell apart from the mean; Holm across tasks
SHORT = Claim("short", "GRU matches LSTM on short sequences (< 100 tokens/steps)")
# Measured by: fractions trained for equal optimiser steps; per task, the train–validation loss
# gap (both in eval mode) in units of the chance loss at the smallest fraction; Holm
SMALL_DATA = Claim("small-data", "GRU overfits less on small data")
# Measured by: optimiser steps (also epochs, seconds) to 95% of the pair's worse best validation
# value, each stored trial once; Holm across tasks
CONVERGENCE = Claim("convergence", "GRU converges in fewer epochs")
# Measured by: a^n b^n generalisation (largest n all right, trained on n <= N, tested to 3N);
# adding at T >= 400 as the paired error ratio against the mean predictor; copy memory (full); the
# crossover length
LONG = Claim("long", "LSTM wins on very long sequences with complex dependencies")
# Measured by: wall time until each cell's learning-rate sweep first reaches the pair's common
# target
ITERATION = Claim("iteration", "GRU gives faster experiment iteration")

CATALOGUE: tuple[Claim, ...] = (SPEED, SPEED_ARCHITECTURE, INFERENCE, SHORT, SMALL_DATA,
                                CONVERGENCE, LONG, ITERATION)
