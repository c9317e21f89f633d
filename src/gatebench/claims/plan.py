"""What `gatebench suite` runs for each claim and profile: specs only (no torch, no data)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

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


class ContenderTiming(TypedDict):
    """The contenders' step-timing sizes (StepTimingSpec fields) a profile sets."""

    hidden: int
    batch: int
    repeats: int
    warmup: int


@dataclass(frozen=True)
class Profile:
    """Every size a profile sets, as data: the plan builders read these, never the name."""

    name: str
    seeds: int
    italy_seeds: int
    text_hidden: int
    text_epochs: int
    text_fractions: tuple[float, ...]
    vowels_fractions: tuple[float, ...]
    vowels_epochs: int
    probe_rows: tuple[int, int]  # (training examples, validation/test examples)
    adding_lengths: tuple[int, ...]
    anbn_max: tuple[int, ...]
    anbn_hidden: int
    anbn_epochs: int
    anbn_patience: int
    copy_lengths: tuple[int, ...]
    contender_vowels_epochs: int
    iteration_text_lrs: tuple[float, ...]
    iteration_text_epochs: int
    timing_hidden: tuple[int, ...]
    timing_lengths: tuple[int, ...]
    timing_sizings: tuple[str, ...]
    timing_repeats: int
    timing_rounds: int
    contender_timing: ContenderTiming
    contender_lengths: tuple[int, ...]
    latency_lengths: tuple[int, ...]
    latency_batches: tuple[int, ...]
    latency_rounds: int
    importance_budget: int
    left_out: tuple[tuple[str, str], ...] = ()  # (claim, note) for what this profile skips


QUICK = Profile(
    name="quick", seeds=3, italy_seeds=8, text_hidden=64, text_epochs=8,
    text_fractions=(0.1, 1.0), vowels_fractions=(0.25, 1.0), vowels_epochs=30,
    probe_rows=(4000, 400), adding_lengths=(), anbn_max=(16,), anbn_hidden=32,
    anbn_epochs=40, anbn_patience=12, copy_lengths=(), contender_vowels_epochs=15,
    iteration_text_lrs=(1e-3, 3e-3), iteration_text_epochs=3, timing_hidden=(64, 128, 256),
    timing_lengths=(50,), timing_sizings=("hidden",), timing_repeats=7, timing_rounds=5,
    contender_timing={"hidden": 64, "batch": 8, "repeats": 3, "warmup": 1},
    contender_lengths=(64, 128, 256, 512, 1024), latency_lengths=(25, 100),
    latency_batches=(1,), latency_rounds=3, importance_budget=32,
    left_out=(("long", ADDING_LEFT_OUT), ("long", COPY_LEFT_OUT)),
)
FULL = Profile(
    name="full", seeds=5, italy_seeds=10, text_hidden=128, text_epochs=15,
    text_fractions=(0.05, 0.1, 0.25, 0.5, 1.0), vowels_fractions=(0.1, 0.25, 0.5, 1.0),
    vowels_epochs=40, probe_rows=(8000, 1000), adding_lengths=(100, 400, 800),
    anbn_max=(16, 32), anbn_hidden=64, anbn_epochs=60, anbn_patience=15,
    copy_lengths=(10, 50, 200), contender_vowels_epochs=40,
    iteration_text_lrs=(3e-4, 1e-3, 3e-3, 1e-2), iteration_text_epochs=6,
    timing_hidden=(64, 128, 256, 512), timing_lengths=(50, 200, 800),
    timing_sizings=("hidden", "params"), timing_repeats=9, timing_rounds=7,
    contender_timing={"hidden": 128, "batch": 32, "repeats": 7, "warmup": 2},
    contender_lengths=(64, 128, 256, 512, 1024, 2048), latency_lengths=(25, 100, 400),
    latency_batches=(1, 32), latency_rounds=5, importance_budget=64,
)
PROFILE_VALUES = {p.name: p for p in (QUICK, FULL)}


def plan_suite(profile: str = "quick", claims: tuple[str, ...] | None = None) -> SuitePlan:
    """The plan for a profile, restricted to `claims` (default: all but quick's opt-ins)."""
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    p = PROFILE_VALUES[profile]
    known = tuple(claim_ids())
    wanted = tuple(claims) if claims else tuple(
        c for c in known if p is FULL or c not in OPT_IN_QUICK)
    for claim in wanted:
        if claim not in known:
            raise UnknownNameError("claim", claim, known)
    candidates = [*_text_studies(p), *_probe_studies(p), *_contender_studies(p),
                  *_iteration_studies(p)]
    studies = tuple(s for s in candidates if any(c in wanted for c in s.claims))
    importance = tuple(
        PlannedImportance(f"importance/{name}", StudySpec(task=TaskSpec.make(name), seeds=1),
                          budget=p.importance_budget)
        for name in IMPORTANCE_TASKS
    ) if "cell-vs-rest" in wanted else ()
    n_trials = len({t.spec_id for s in studies for t in s.spec.trials()})
    n_trials += sum(i.budget for i in importance)
    return SuitePlan(profile=profile, claims=wanted, studies=studies,
                     step_timings=_step_timings(p, wanted), timing_rounds=p.timing_rounds,
                     latency=_latency_pass(p) if "inference" in wanted else None,
                     importance=importance,
                     notes=tuple(note for claim, note in p.left_out if claim in wanted),
                     cost=f"{n_trials} trials")


def _italy(p: Profile) -> StudySpec:
    # A tiny training set still gets trained: the step floor of protocol.budget (batch 8: 7
    # steps an epoch), so a seed that stalls is a training failure, not an untrained model.
    return _study(TaskSpec.make("italy-power"), seeds=p.italy_seeds, hidden=32,
                  epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 120), patience=30, batch=8,
                  lr=3e-3)


def _text_studies(p: Profile) -> list[PlannedStudy]:
    """short, small-data and convergence: rotten-tomatoes, italy-power, japanese-vowels."""
    # Budgets trials finish in (the health checks of `compare` run on every claim's tasks, and
    # a task still improving when its trials stop is uninformative): the shipped quick run had
    # all rotten-tomatoes trials at a 4-epoch cap and most italy-power trials at 43.
    text = TaskSpec.make("rotten-tomatoes")
    out = [PlannedStudy("short/rotten-tomatoes",
                        _study(text, seeds=p.seeds, hidden=p.text_hidden, epochs=p.text_epochs,
                               patience=2), ("short", "convergence", "speed")),
           PlannedStudy("short/italy-power", _italy(p), ("short", "convergence"))]
    curves = equal_step_studies(
        "small/rotten-tomatoes", text, p.text_fractions, seeds=p.seeds, hidden=p.text_hidden,
        epochs=p.text_epochs, patience=2)
    # batch 8: even the smallest fraction of japanese-vowels (about 54 series) gets 7 steps
    curves += equal_step_studies(
        "small/japanese-vowels", TaskSpec.make("japanese-vowels"), p.vowels_fractions,
        seeds=p.seeds, hidden=32, epochs=p.vowels_epochs, patience=8, batch=8, lr=5e-3)
    out += [PlannedStudy(sid, spec, ("small-data",) if "/f=" in sid
                         else ("small-data", "convergence")) for sid, spec in curves]
    return out


def _probe_studies(p: Profile) -> list[PlannedStudy]:
    """long: adding, a^n b^n and copy memory, at equal parameter budgets (match="params": at
    one hidden size the LSTM has 4/3 the parameters, which tilts "LSTM wins" its way)."""
    n_train, n_eval = p.probe_rows
    out = []
    for length in p.adding_lengths:
        task = TaskSpec.make("adding", seq_len=length, n_train=n_train, n_val=n_eval,
                             n_test=n_eval)
        # Probes plateau before they click (the LSTM on adding sits at the mean for epochs):
        # a short patience would stop it there and call that the result.
        out.append(PlannedStudy(f"long/adding/T={length}", _study(
            task, seeds=p.seeds, hidden=64, epochs=60, patience=15, lr=3e-3), ("long",)))
    for n_max in p.anbn_max:
        # trained on n <= N, tested on every n up to 3N (strings up to 6N tokens)
        task = TaskSpec.make("anbn", seq_len=6 * n_max, n_train_max=n_max, n_train=n_train // 2,
                             n_val=n_eval, n_test=max(n_eval, 1000))
        out.append(PlannedStudy(f"long/anbn/N={n_max}", _study(
            task, seeds=p.seeds, hidden=p.anbn_hidden, epochs=p.anbn_epochs,
            patience=p.anbn_patience, lr=3e-3), ("long",)))
    for length in p.copy_lengths:
        task = TaskSpec.make("copy-memory", seq_len=length, n_recall=5, n_symbols=4,
                             n_train=n_train, n_val=n_eval, n_test=n_eval)
        out.append(PlannedStudy(f"long/copy-memory/T={length}", _study(
            task, seeds=p.seeds, hidden=64, epochs=60, patience=15, lr=3e-3), ("long",)))
    return out


def _contender_studies(p: Profile) -> list[PlannedStudy]:
    """contenders: each minimal cell against its fused counterpart at one hidden size (Feng et
    al.'s comparison, as the timings), on a short series and a variable-length one."""
    out = []
    for fused, minimal in (("gru", "mingru"), ("lstm", "minlstm")):
        italy = _study(TaskSpec.make("italy-power"), seeds=p.italy_seeds, hidden=32,
                       epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 30), patience=15, batch=8,
                       lr=3e-3, match="hidden")
        vowels = _study(TaskSpec.make("japanese-vowels"), seeds=p.seeds, hidden=32,
                        epochs=p.contender_vowels_epochs, patience=5, batch=8, lr=5e-3,
                        match="hidden")
        out += [PlannedStudy(f"contenders/{name}/{fused}",
                             replace(spec, cells=(fused, minimal), arms=()), ("contenders",))
                for name, spec in (("italy-power", italy), ("japanese-vowels", vowels))]
    return out


def _iteration_studies(p: Profile) -> list[PlannedStudy]:
    """iteration: two tasks, so one task's sweep cannot decide alone; the claim averages every
    order of each sweep, so the order here does not matter."""
    text = TaskSpec.make("rotten-tomatoes")
    out = [PlannedStudy(f"iteration/rotten-tomatoes/lr={lr:g}",
                        _study(text, seeds=p.seeds, hidden=p.text_hidden,
                               epochs=p.iteration_text_epochs, patience=4, lr=lr),
                        ("iteration",)) for lr in p.iteration_text_lrs]
    italy = _italy(p)
    out += [PlannedStudy(f"iteration/italy-power/lr={lr:g}",
                         replace(italy, train=replace(
                             italy.train, lr=lr, patience=15,
                             max_epochs=_steps_floor(ITALY_POWER_TRAIN, 8, 30))),
                         ("iteration",)) for lr in (1e-3, 3e-3, 1e-2)]
    return out


def _step_timings(p: Profile, wanted: tuple[str, ...]) -> tuple[StepTimingSpec, ...]:
    """The serial training-step timings: speed (library kernels), speed-architecture (neutral
    kernels) and contenders (minimal vs fused cells across T)."""
    impls = tuple(impl for claim, impl in (("speed", "native"), ("speed-architecture", "neutral"))
                  if claim in wanted)
    # Regimes: batch 1 (online, streaming) against training batches (>= 32), hidden sizes to
    # 256 and beyond; equal hidden size isolates the architecture, the full profile adds equal
    # parameters and longer sequences.
    timings = tuple(
        StepTimingSpec(impl=impl, sizing=sizing, hidden=h, seq_len=t, batch=b,
                       repeats=p.timing_repeats, cells=FOLKLORE_CELLS)
        for impl in impls for sizing in p.timing_sizings
        for h in p.timing_hidden for t in p.timing_lengths for b in (1, 32, 64))
    if "contenders" in wanted:
        timings += tuple(StepTimingSpec(impl="native", sizing="hidden", input_size=32,
                                        seq_len=t, cells=CONTENDER_CELLS, **p.contender_timing)
                         for t in p.contender_lengths)
    return timings


def _latency_pass(p: Profile) -> LatencyPass:
    return LatencyPass(hidden=128, input_size=64, seq_lens=p.latency_lengths,
                       batch_sizes=p.latency_batches,
                       runtimes=("eager", "torchscript", "onnx"), rounds=p.latency_rounds)


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
