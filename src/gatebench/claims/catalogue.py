"""The folklore under test: each claim's id, the statement as practitioners hear it, its measure,
and the facts a reader of its verdict needs (topic, favoured cell, questions, timing, rows).

A claim describes itself, so the advisor reads these fields instead of knowing claim ids: a new
claim declared here with its fields is weighed, oriented and matched like the others.
"""

from __future__ import annotations

from dataclasses import dataclass

# The folklore compares these two cells by definition: every claim, its evidence and the suite's
# timing and latency passes are about this pair (a study may compare any registered cells).
FOLKLORE_CELLS: tuple[str, str] = ("gru", "lstm")
GRU, LSTM = FOLKLORE_CELLS
NEITHER = "neither"  # a parity claim: supported means accuracy is no reason to pick either

# topic: what a claim speaks to when the advisor joins reasons
ACCURACY, COST = "accuracy", "cost"
# measure: how the headline effect is oriented. A RATIO is the favoured cell's cost over the
# other's (above 1: the favoured cell is worse); a DIFFERENCE is the favoured cell's advantage
# (below 0: it is worse). For a parity claim both read first folklore cell against second
# (GRU/LSTM, GRU - LSTM). BY_UNIT: the headline is a ratio when its unit is "ratio", else a
# difference (the probe that heads it decides).
RATIO, DIFFERENCE, BY_UNIT = "ratio", "difference", "by unit"
# question: the key question of `gatebench advise` a claim answers (None: the advisor does not
# cite it); the advisor weighs each against the user's answers.
SHORT_SEQUENCES = "short sequences"
LONG_DEPENDENCIES = "long dependencies"
SMALL_TRAINING_SET = "small training set"
TRAINING_TIME = "training time"
LATENCY_BUDGET = "latency budget"
# timing: what a wall-clock claim timed (None: not timed, its numbers hold on any machine).
STEP_TIME = "training step"  # what a compare study's own time ratio also measures
SWEEP_TIME = "sweep wall time"  # includes the per-step gap STEP_TIME measures
LATENCY = "latency"  # compared with the user's latency budget
# rows: how the claim's evidence rows are laid out, so the advisor finds the ones that match
# the user (advisor.rows has one matcher per kind).
ALL_ROWS = "all"  # every row describes the evidence; the headline verdict stands
CONFIG_ROWS = "configurations"  # one timing per device x kernel x batch x hidden size
DEVICE_GROUPS = "device groups"  # group rows per device (and runtime) pooling configurations
TIMED_TASKS = "timed tasks"  # task rows timed on one device
TASK_ROWS = "tasks"  # one row per task that decided
GAP_ROWS = "gaps"  # the rows at the data fraction that decided each task
TASKS_BY_LENGTH = "tasks by length"  # task tests; a mixed verdict turns on the sequence length
PROBE_LENGTHS = "probe lengths"  # per-length outcomes of "A (LSTM) better"; same turn

ANSWERS = ("seq_len", "n_train", "device", "runtime")  # the facts `reads` may name


@dataclass(frozen=True)
class Claim:
    """One claim: a stable id, the statement being tested (the comment above each claim says
    what measures it), and how to read its verdict (module doc for each field's values).

    `favours` is the cell its folklore favours (a FOLKLORE_CELLS name, or NEITHER for parity);
    `reads` the facts of the evidence the user's answers are compared with (ANSWERS);
    `cost_share` how directly a cost claim measures training time (1: it is the claim itself).
    """

    id: str
    statement: str
    topic: str
    favours: str
    measure: str = DIFFERENCE
    question: str | None = None
    reads: tuple[str, ...] = ()
    timing: str | None = None
    cost_share: float = 1.0
    rows: str = ALL_ROWS

    def __post_init__(self) -> None:
        checks = (("topic", self.topic, (ACCURACY, COST)),
                  ("favours", self.favours, (*FOLKLORE_CELLS, NEITHER)),
                  ("measure", self.measure, (RATIO, DIFFERENCE, BY_UNIT)))
        for name, value, known in checks:
            if value not in known:
                raise ValueError(f"claim {self.id!r}: {name} {value!r} is not one of {known}")
        unknown = set(self.reads) - set(ANSWERS)
        if unknown:
            raise ValueError(f"claim {self.id!r}: reads {sorted(unknown)}; known: {ANSWERS}")

    @property
    def timed(self) -> bool:
        """Whether its numbers are wall-clock times (they hold only on the machine measured)."""
        return self.timing is not None


# Measured by: training-step time ratio GRU/LSTM, one interval per configuration from interleaved
# rounds; library kernels (native layers) and architecture (kernel-neutral layers) as two
# findings, by regime (batch 1 vs training batches, hidden size); real-task per-epoch ratios
# beside, not counted
SPEED = Claim("speed", "GRU trains 20\u201330% faster than LSTM (library kernels)",
              topic=COST, favours=GRU, measure=RATIO, question=TRAINING_TIME,
              reads=("seq_len", "device"), timing=STEP_TIME, rows=CONFIG_ROWS)
# Measured by: the same ratio on one kernel-neutral implementation of both cells (cells/neutral):
# the architecture's own arithmetic, apart from which library kernel serves which cell. The
# advisor cites the speed claim, whose rows carry this figure for a device never measured.
SPEED_ARCHITECTURE = Claim("speed-architecture",
                           "GRU trains 20\u201330% faster than LSTM (architecture, "
                           "kernel-neutral)",
                           topic=COST, favours=GRU, measure=RATIO, reads=("seq_len", "device"),
                           timing=STEP_TIME)
# Measured by: p50 latency ratio GRU/LSTM for batch-1 full sequences and one streaming step, per
# runtime (eager, TorchScript, ONNX Runtime)
INFERENCE = Claim("inference", "GRU infers faster; fits real-time and edge use",
                  topic=COST, favours=GRU, measure=RATIO, question=LATENCY_BUDGET,
                  reads=("seq_len", "device", "runtime"), timing=LATENCY, rows=DEVICE_GROUPS)
# Measured by: paired test-metric equivalence (TOST) per short task over seeds that trained;
# failures per cell apart from the mean; Holm across tasks
SHORT = Claim("short", "GRU matches LSTM on short sequences (< 100 tokens/steps)",
              topic=ACCURACY, favours=NEITHER, measure=DIFFERENCE, question=SHORT_SEQUENCES,
              reads=("seq_len", "n_train"), rows=TASKS_BY_LENGTH)
# Measured by: fractions trained for equal optimiser steps; per task, the train–validation loss
# gap (both in eval mode) in units of the chance loss at the smallest fraction; Holm
SMALL_DATA = Claim("small-data", "GRU overfits less on small data",
                   topic=ACCURACY, favours=GRU, measure=DIFFERENCE, question=SMALL_TRAINING_SET,
                   reads=("seq_len", "n_train"), rows=GAP_ROWS)
# Measured by: optimiser steps (also epochs, seconds) to 95% of the pair's worse best validation
# value, each stored trial once; Holm across tasks. Epochs to converge are a weaker proxy for
# training time than the time itself.
CONVERGENCE = Claim("convergence", "GRU converges in fewer epochs",
                    topic=COST, favours=GRU, measure=RATIO, question=TRAINING_TIME,
                    reads=("seq_len", "n_train"), cost_share=0.5, rows=TASK_ROWS)
# Measured by: a^n b^n generalisation (largest n all right, trained on n <= N, tested to 3N);
# adding at T >= 400 as the paired error ratio against the mean predictor; copy memory (full); the
# crossover length
LONG = Claim("long", "LSTM wins on very long sequences with complex dependencies",
             topic=ACCURACY, favours=LSTM, measure=BY_UNIT, question=LONG_DEPENDENCIES,
             reads=("seq_len",), rows=PROBE_LENGTHS)
# Measured by: wall time until each cell's learning-rate sweep first reaches the pair's common
# target. A sweep repeats the training step, so it counts a little less than the step itself.
ITERATION = Claim("iteration", "GRU gives faster experiment iteration",
                  topic=COST, favours=GRU, measure=RATIO, question=TRAINING_TIME,
                  reads=("n_train", "device"), timing=SWEEP_TIME, cost_share=0.7,
                  rows=TIMED_TASKS)

CATALOGUE: tuple[Claim, ...] = (SPEED, SPEED_ARCHITECTURE, INFERENCE, SHORT, SMALL_DATA,
                                CONVERGENCE, LONG, ITERATION)
