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
    """One study per data fraction, epochs scaled by 1/fraction: every fraction gets the
    optimiser steps of the full set (a learning curve at equal steps, not epochs). The small
    fractions run them all (patience = epochs: no early stopping), so the small-data claim
    reads the train-validation gap at that fixed step budget, not at an early-stopped epoch
    that would cap the overfitting it looks for; the full set keeps `patience`."""
    out = []
    for f in fractions:
        scaled = math.ceil(epochs / f)
        spec = _study(task, epochs=scaled, patience=patience if f == 1.0 else scaled,
                      fractions=(f,), **kw)
        out.append((study_id if f == 1.0 else f"{study_id}/f={f:g}", spec))
    return out


# Copy memory is left out of the quick profile: with 10 symbols from 8 categories, neither cell
# solved even T = 10 in 20 epochs of 4,000 examples (both fail: no signal for the budget). The
# full profile sizes it down (5 symbols from 4 categories) and trains longer.
COPY_LEFT_OUT = ("copy memory left out of quick: at its old size neither cell solved T=10 in "
                 "the quick budget (both fail says nothing); the full profile runs it with 5 "
                 "symbols from 4 categories and 60 epochs")
# Adding at T >= 400 needs thousands of optimiser steps to leave the mean predictor; on 2 CPU
# cores the generic GRU kernel takes about 0.25 s a step there, so no quick budget can see it.
ADDING_LEFT_OUT = ("adding left out of quick: at T=400 both cells stayed at the mean predictor "
                   "after 240 optimiser steps (5.5 min of the shipped quick run), and T=100 is "
                   "not \"very long\"; the long claim says it could not see at T \u2265 400 and "
                   "the full profile trains 7,500 steps at T=400 and 800")
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

    # Budgets trials finish in (the health checks of `compare` run on every claim's tasks, and
    # a task still improving when its trials stop is uninformative): the shipped quick run had
    # all rotten-tomatoes trials at a 4-epoch cap and most italy-power trials at 43.
    text_hidden, text_epochs = (128, 15) if full else (64, 8)
    add("short/rotten-tomatoes",
        _study(text, seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2),
        ("short", "convergence", "speed"))
    # A tiny training set still gets trained: the step floor of protocol.budget (batch 8: 7
    # steps an epoch), so a seed that stalls is a training failure, not an untrained model.
    italy = _study(TaskSpec.make("italy-power"), seeds=10 if full else 8, hidden=32,
                   epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 120), patience=30, batch=8,
                   lr=3e-3)
    add("short/italy-power", italy, ("short", "convergence"))
    for sid, spec in equal_step_studies(
            "small/rotten-tomatoes", text, (0.05, 0.1, 0.25, 0.5, 1.0) if full else (0.1, 1.0),
            seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2):
        add(sid, spec, ("small-data",) if "/f=" in sid else ("small-data", "convergence"))
    for sid, spec in equal_step_studies(
            "small/japanese-vowels", TaskSpec.make("japanese-vowels"),
            (0.1, 0.25, 0.5, 1.0) if full else (0.25, 1.0), seeds=seeds, hidden=32,
            epochs=40 if full else 30, patience=8, batch=8, lr=5e-3):
        # batch 8: even the smallest fraction (about 54 series) gets 7 steps an epoch
        add(sid, spec, ("small-data",) if "/f=" in sid else ("small-data", "convergence"))

    # The probes compare equal parameter budgets (match="params"): at one hidden size the LSTM
    # has 4/3 the parameters, which tilts "LSTM wins" its way.
    n_train, n_eval = (8000, 1000) if full else (4000, 400)
    for length in (100, 400, 800) if full else ():
        task = TaskSpec.make("adding", seq_len=length, n_train=n_train, n_val=n_eval,
                             n_test=n_eval)
        # Probes plateau before they click (the LSTM on adding sits at the mean for epochs):
        # a short patience would stop it there and call that the result.
        add(f"long/adding/T={length}",
            _study(task, seeds=seeds, hidden=64, epochs=60, patience=15, lr=3e-3),
            ("long",))
    if not full and "long" in wanted:
        notes.append(ADDING_LEFT_OUT)
    for n_max in (16, 32) if full else (16,):
        # trained on n <= N, tested on every n up to 3N (strings up to 6N tokens)
        task = TaskSpec.make("anbn", seq_len=6 * n_max, n_train_max=n_max, n_train=n_train // 2,
                             n_val=n_eval, n_test=max(n_eval, 1000))
        add(f"long/anbn/N={n_max}",
            _study(task, seeds=seeds, hidden=64 if full else 32, epochs=60 if full else 40,
                   patience=15 if full else 12, lr=3e-3), ("long",))
    if full:
        for length in (10, 50, 200):
            task = TaskSpec.make("copy-memory", seq_len=length, n_recall=5, n_symbols=4,
                                 n_train=n_train, n_val=n_eval, n_test=n_eval)
            add(f"long/copy-memory/T={length}",
                _study(task, seeds=seeds, hidden=64, epochs=60, patience=15, lr=3e-3),
                ("long",))
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

    # iteration: two tasks, so one task's sweep cannot decide alone; the claim averages every
    # order of each sweep, so the order below does not matter
    lrs = (3e-4, 1e-3, 3e-3, 1e-2) if full else (1e-3, 3e-3)
    for lr in lrs:
        add(f"iteration/rotten-tomatoes/lr={lr:g}",
            _study(text, seeds=seeds, hidden=text_hidden, epochs=6 if full else 3,
                   patience=4, lr=lr, fractions=(1.0,)),
            ("iteration",))
    for lr in (1e-3, 3e-3, 1e-2):
        add(f"iteration/italy-power/lr={lr:g}",
            replace(italy, train=replace(italy.train, lr=lr,
                                         max_epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 30),
                                         patience=15)),
            ("iteration",))

    timings: tuple[StepTimingSpec, ...] = ()
    impls = tuple(impl for claim, impl in (("speed", "native"), ("speed-architecture", "neutral"))
                  if claim in wanted)
    if impls:
        # Regimes: batch 1 (online, streaming) against training batches (>= 32), hidden sizes
        # to 256 and beyond; equal hidden size isolates the architecture, the full profile
        # adds equal parameters and longer sequences.
        grid = [(h, t, b) for h in ((64, 128, 256, 512) if full else (64, 128, 256))
                for t in ((50, 200, 800) if full else (50,)) for b in (1, 32, 64)]
        timings = tuple(
            StepTimingSpec(impl=impl, sizing=sizing, hidden=h, seq_len=t, batch=b,
                           repeats=9 if full else 7, cells=FOLKLORE_CELLS)
            for impl in impls
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


def plan_lines(plan: SuitePlan) -> list[str]:
    """What a plan runs, one line per study and serial phase (for `gatebench suite --plan`)."""
    lines = []
    for s in plan.studies:
        t = s.spec.train
        stops = f"patience {t.patience}" if t.patience < t.max_epochs else "no early stopping"
        lines.append(f"{s.study_id}: {len(s.spec.trials())} trials, {s.spec.seeds} seeds, up "
                     f"to {t.max_epochs} epochs ({stops}), batch {t.batch_size}, hidden "
                     f"{s.spec.sizing.reference_hidden} (match {s.spec.sizing.match}); read by "
                     f"{', '.join(s.claims)}")
    for imp in plan.importance:
        lines.append(f"{imp.study_id}: importance design of {imp.budget} trials; read by "
                     "cell-vs-rest")
    if plan.step_timings:
        impls = sorted({t.impl for t in plan.step_timings})
        lines.append(f"training-step timing: {len(plan.step_timings)} configurations "
                     f"({', '.join(impls)}) \u00d7 {plan.timing_rounds} rounds, serial")
    if plan.latency is not None:
        lat = plan.latency
        lines.append(f"inference latency: {len(lat.seq_lens) * len(lat.batch_sizes)} shapes "
                     f"\u00d7 {', '.join(lat.runtimes)} \u00d7 {lat.rounds} rounds, serial")
    return lines
