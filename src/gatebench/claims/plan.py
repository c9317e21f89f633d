"""What `gatebench suite` runs for each claim and profile: specs only (no torch, no data)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from gatebench.claims.catalogue import FOLKLORE_CELLS
from gatebench.claims.registry import claim_ids
from gatebench.errors import UnknownNameError
from gatebench.protocol import ModelOptions, SizingConfig, StudySpec, TaskSpec, TrainConfig
from gatebench.protocol.budget import MIN_TOTAL_STEPS, steps_per_epoch
from gatebench.protocol.timing import StepTimingSpec

PROFILES = ("quick", "full")
CONTENDER_CELLS = ("gru", "lstm", "mingru", "minlstm")
# Claims the quick profile runs only when named with --claims (they would push it past 15 min).
OPT_IN_QUICK = ("cell-vs-rest", "contenders")


@dataclass(frozen=True)
class PlannedStudy:
    """A head-to-head study the suite runs; `claims` lists the claims that read it."""

    study_id: str
    spec: StudySpec
    claims: tuple[str, ...]


@dataclass(frozen=True)
class PlannedImportance:
    """An importance study (`gatebench importance`) the suite runs for the cell-vs-rest claim."""

    study_id: str
    spec: StudySpec  # its first trial is the base configuration every factor varies from
    budget: int


@dataclass(frozen=True)
class LatencyPass:
    """The suite's serial inference-latency pass for the `inference` claim: its grid and cells
    (gatebench.deploy.LatencyPlan is what one measurement of that grid samples)."""

    hidden: int
    input_size: int
    seq_lens: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    runtimes: tuple[str, ...]
    rounds: int
    cells: tuple[str, ...] = FOLKLORE_CELLS


@dataclass(frozen=True)
class SuitePlan:
    """Everything one profile runs: studies (any executor), timings and latency (serial)."""

    profile: str
    claims: tuple[str, ...]
    studies: tuple[PlannedStudy, ...] = ()
    step_timings: tuple[StepTimingSpec, ...] = ()
    timing_rounds: int = 3
    latency: LatencyPass | None = None
    importance: tuple[PlannedImportance, ...] = ()
    cost: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


# cell-vs-rest: one reference task per family, small enough for 2 CPU cores.
IMPORTANCE_TASKS = ("italy-power", "sunspots")


def _study(task: TaskSpec, *, seeds: int, hidden: int, epochs: int, patience: int,
           embed: int = 64, lr: float = 2e-3, fractions: tuple[float, ...] = (1.0,),
           batch: int = 64, match: str = "params") -> StudySpec:
    return StudySpec(
        task=task, seeds=seeds,
        sizing=SizingConfig(match=match, reference_hidden=hidden, tolerance=0.02),
        model=ModelOptions(embed_dim=embed),
        train=TrainConfig(lr=lr, batch_size=batch, max_epochs=epochs, patience=patience),
        data_fractions=fractions,
    )


def _steps_floor(n_train: int, batch: int, epochs: int) -> int:
    """Epochs that reach the optimiser-step floor (protocol.budget) on `n_train` examples."""
    return max(epochs, math.ceil(MIN_TOTAL_STEPS / steps_per_epoch(n_train, batch)))


def equal_step_studies(study_id: str, task: TaskSpec, fractions: tuple[float, ...], *,
                       epochs: int, patience: int, **kw: Any) -> list[tuple[str, StudySpec]]:
    """One study per data fraction, epochs and patience scaled by 1/fraction: every fraction
    gets the optimiser steps of the full set (a learning curve at equal steps, not epochs)."""
    out = []
    for f in fractions:
        scale = 1.0 / f
        spec = _study(task, epochs=math.ceil(epochs * scale),
                      patience=math.ceil(patience * scale), fractions=(f,), **kw)
        out.append((study_id if f == 1.0 else f"{study_id}/f={f:g}", spec))
    return out


# Copy memory is left out of the quick profile: with 10 symbols from 8 categories, neither cell
# solved even T = 10 in 20 epochs of 4,000 examples (both fail: no signal for the budget). The
# full profile sizes it down (5 symbols from 4 categories) and trains longer.
COPY_LEFT_OUT = ("copy memory left out of quick: at its old size neither cell solved T=10 in "
                 "the quick budget (both fail says nothing); the full profile runs it with 5 "
                 "symbols from 4 categories and 60 epochs")
ITALY_POWER_TRAIN = 53  # training series after the validation split: 4 steps a batch of 16


def plan_suite(profile: str = "quick", claims: tuple[str, ...] | None = None) -> SuitePlan:
    """The plan for a profile, restricted to `claims` (default: all seven)."""
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    known = tuple(claim_ids())
    full = profile == "full"
    wanted = tuple(claims) if claims else tuple(c for c in known
                                                if full or c not in OPT_IN_QUICK)
    for claim in wanted:
        if claim not in known:
            raise UnknownNameError("claim", claim, known)
    seeds = 5 if full else 3
    text = TaskSpec.make("rotten-tomatoes")

    studies: list[PlannedStudy] = []
    notes: list[str] = []

    def add(study_id: str, spec: StudySpec, reads: tuple[str, ...]) -> None:
        if any(c in wanted for c in reads):
            studies.append(PlannedStudy(study_id, spec, reads))

    text_hidden, text_epochs = (128, 15) if full else (64, 4)
    add("short/rotten-tomatoes",
        _study(text, seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2),
        ("short", "convergence", "speed"))
    # A tiny training set still gets trained: the step floor of protocol.budget (batch 8: 7
    # steps an epoch), so a seed that stalls is a training failure, not an untrained model.
    add("short/italy-power",
        _study(TaskSpec.make("italy-power"), seeds=10 if full else 8, hidden=32,
               epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 30), patience=15, batch=8,
               lr=3e-3),
        ("short", "convergence"))
    for sid, spec in equal_step_studies(
            "small/rotten-tomatoes", text, (0.05, 0.1, 0.25, 0.5, 1.0) if full else (0.1, 1.0),
            seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2):
        add(sid, spec, ("small-data",) if "/f=" in sid else ("small-data", "convergence"))
    for sid, spec in equal_step_studies(
            "small/japanese-vowels", TaskSpec.make("japanese-vowels"),
            (0.1, 0.25, 0.5, 1.0) if full else (0.25, 1.0), seeds=seeds, hidden=32,
            epochs=40 if full else 15, patience=5, batch=8, lr=5e-3):
        # batch 8: even the smallest fraction (about 54 series) gets 7 steps an epoch
        add(sid, spec, ("small-data",) if "/f=" in sid else ("small-data", "convergence"))

    n_train, n_eval = (8000, 1000) if full else (4000, 400)
    for length in (100, 400, 800) if full else (100, 400):
        # Quick at T=400: half the data in batches of 128 and 15 epochs. The generic CPU GRU
        # kernel runs step by step, so its cost grows with T times the number of batches; at
        # 4,000 x 20 epochs this one study alone would take longer than the whole budget.
        long_quick = not full and length >= 400
        task = TaskSpec.make("adding", seq_len=length,
                             n_train=n_train // 2 if long_quick else n_train, n_val=n_eval,
                             n_test=n_eval)
        # Probes plateau before they click (the LSTM on adding sits at the mean for epochs):
        # a short patience would stop it there and call that the result.
        add(f"long/adding/T={length}",
            _study(task, seeds=seeds, hidden=64 if full else 32,
                   epochs=60 if full else 15 if long_quick else 20,
                   patience=15 if full else 6 if long_quick else 8, lr=3e-3, match="hidden",
                   batch=128 if long_quick else 64), ("long",))
    for n_max in (8, 16) if full else (8,):
        task = TaskSpec.make("anbn", seq_len=6 * n_max, n_train_max=n_max, n_train=n_train // 2,
                             n_val=n_eval, n_test=max(n_eval, 1000))
        add(f"long/anbn/N={n_max}",
            _study(task, seeds=seeds, hidden=64 if full else 32, epochs=60 if full else 20,
                   patience=15 if full else 8, lr=3e-3, match="hidden"), ("long",))
    if full:
        for length in (10, 50, 200):
            task = TaskSpec.make("copy-memory", seq_len=length, n_recall=5, n_symbols=4,
                                 n_train=n_train, n_val=n_eval, n_test=n_eval)
            add(f"long/copy-memory/T={length}",
                _study(task, seeds=seeds, hidden=64, epochs=60, patience=15, lr=3e-3,
                       match="hidden"), ("long",))
    elif "long" in wanted:
        notes.append(COPY_LEFT_OUT)

    # contenders: each minimal cell against its fused counterpart at one hidden size (Feng et
    # al.'s comparison, as the timings), on a short series and a variable-length one.
    for fused, minimal in (("gru", "mingru"), ("lstm", "minlstm")):
        add(f"contenders/italy-power/{fused}",
            replace(_study(TaskSpec.make("italy-power"), seeds=10 if full else 8, hidden=32,
                           epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 30), patience=15,
                           batch=8, lr=3e-3, match="hidden"), cells=(fused, minimal), arms=()),
            ("contenders",))
        add(f"contenders/japanese-vowels/{fused}",
            replace(_study(TaskSpec.make("japanese-vowels"), seeds=seeds, hidden=32,
                           epochs=40 if full else 15, patience=5, batch=8, lr=5e-3,
                           match="hidden"), cells=(fused, minimal), arms=()),
            ("contenders",))

    lrs = (3e-4, 1e-3, 3e-3, 1e-2) if full else (1e-3, 3e-3)
    for lr in lrs:
        add(f"iteration/rotten-tomatoes/lr={lr:g}",
            _study(text, seeds=seeds, hidden=text_hidden, epochs=4 if full else 2,
                   patience=4, lr=lr, fractions=(1.0,)),
            ("iteration",))

    timings: tuple[StepTimingSpec, ...] = ()
    if "speed" in wanted:
        # Regimes: batch 1 (online, streaming) against training batches (>= 32), hidden sizes
        # to 256 and beyond; equal hidden size isolates the architecture, the full profile
        # adds equal parameters and longer sequences.
        grid = [(h, t, b) for h in ((64, 128, 256, 512) if full else (64, 128, 256))
                for t in ((50, 200, 800) if full else (50,)) for b in (1, 32, 64)]
        timings = tuple(
            StepTimingSpec(impl=impl, sizing=sizing, hidden=h, seq_len=t, batch=b,
                           repeats=9 if full else 7, cells=FOLKLORE_CELLS)
            for impl in ("native", "neutral")
            for sizing in (("hidden", "params") if full else ("hidden",))
            for h, t, b in grid
        )
    if "contenders" in wanted:
        # minimal vs fused cells at one hidden size (Feng et al.'s comparison), T 64..1024+
        timings += tuple(
            StepTimingSpec(impl="native", sizing="hidden", hidden=128 if full else 64,
                           input_size=32, seq_len=t, batch=32 if full else 8,
                           repeats=7 if full else 3, warmup=2 if full else 1,
                           cells=CONTENDER_CELLS)
            for t in ((64, 128, 256, 512, 1024, 2048) if full else (64, 128, 256, 512, 1024)))
    latency = None
    if "inference" in wanted:
        latency = LatencyPass(hidden=128, input_size=64,
                              seq_lens=(25, 100, 400) if full else (25, 100),
                              batch_sizes=(1, 32) if full else (1,),
                              runtimes=("eager", "torchscript", "onnx"),
                              rounds=5 if full else 3)
    # What `gatebench importance --dataset NAME` runs: compare's defaults (the runner applies
    # the same optimiser-step floor), so the claim and a user's own study agree.
    importance = tuple(
        PlannedImportance(f"importance/{name}", StudySpec(task=TaskSpec.make(name), seeds=1),
                          budget=64 if full else 32)
        for name in IMPORTANCE_TASKS
    ) if "cell-vs-rest" in wanted else ()
    plan = SuitePlan(profile=profile, claims=wanted, studies=tuple(studies),
                     step_timings=timings, timing_rounds=7 if full else 5, latency=latency,
                     importance=importance, notes=tuple(notes))
    n_trials = len({t.spec_id for s in plan.studies for t in s.spec.trials()})
    n_trials += sum(i.budget for i in plan.importance)
    return SuitePlan(**{**plan.__dict__, "cost": f"{n_trials} trials"})
