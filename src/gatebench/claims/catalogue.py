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
    "training-step time ratio GRU/LSTM (interleaved rounds) with native and kernel-neutral "
    "layers, at equal hidden size and at equal parameters; per-epoch time on real tasks",
)
INFERENCE = Claim(
    "inference", "GRU infers faster; fits real-time and edge use",
    "p50 latency ratio GRU/LSTM for batch-1 full sequences and one streaming step, "
    "per runtime (eager, TorchScript, ONNX Runtime)",
)
SHORT = Claim(
    "short", "GRU matches LSTM on short sequences (< 100 tokens/steps)",
    "paired test-metric equivalence test on each short-sequence task",
)
SMALL_DATA = Claim(
    "small-data", "GRU overfits less on small data",
    "learning curve over training-data fractions: test metric and the train\u2013validation "
    "loss gap at the best epoch",
)
CONVERGENCE = Claim(
    "convergence", "GRU converges in fewer epochs",
    "epochs and training time to 95% of each run's best validation metric, paired by seed",
)
LONG = Claim(
    "long", "LSTM wins on very long sequences with complex dependencies",
    "success rate and paired test metric on adding, copy memory and a^n b^n across lengths; "
    "the crossover length",
)
ITERATION = Claim(
    "iteration", "GRU gives faster experiment iteration",
    "wall time of a fixed learning-rate sweep per cell and the best result it finds",
)

CATALOGUE: tuple[Claim, ...] = (SPEED, INFERENCE, SHORT, SMALL_DATA, CONVERGENCE, LONG, ITERATION)
