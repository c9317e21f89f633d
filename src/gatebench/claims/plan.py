"""What `gatebench suite` runs for each claim and profile: specs only (no torch, no data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gatebench.claims.registry import claim_ids
from gatebench.errors import UnknownNameError
from gatebench.protocol import ModelOptions, SizingConfig, StudySpec, TaskSpec, TrainConfig
from gatebench.protocol.timing import StepTimingSpec

PROFILES = ("quick", "full")
# Claims the quick profile runs only when named with --claims (they would push it past 15 min).
OPT_IN_QUICK = ("cell-vs-rest",)
# Measured: `suite --claims cell-vs-rest` (64 trials and the bootstrap) took 5.2 min wall on
# one core of a shared 2-vCPU machine (1.7 CPU-minutes).
IMPORTANCE_MINUTES = 5


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
class LatencyPlan:
    """Inference latency grid for the `inference` claim."""

    hidden: int
    input_size: int
    seq_lens: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    runtimes: tuple[str, ...]
    rounds: int


@dataclass(frozen=True)
class SuitePlan:
    """Everything one profile runs: studies (any executor), timings and latency (serial)."""

    profile: str
    claims: tuple[str, ...]
    studies: tuple[PlannedStudy, ...] = ()
    step_timings: tuple[StepTimingSpec, ...] = ()
    timing_rounds: int = 3
    latency: LatencyPlan | None = None
    importance: tuple[PlannedImportance, ...] = ()
    cost: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


# cell-vs-rest: one reference task per family, small enough for 2 CPU cores.
IMPORTANCE_TASKS = (
    ("italy-power", {"hidden": 32, "epochs": 30, "patience": 8, "batch": 16}),
    ("sunspots", {"hidden": 32, "epochs": 30, "patience": 5, "batch": 32}),
)


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

    def add(study_id: str, spec: StudySpec, reads: tuple[str, ...]) -> None:
        if any(c in wanted for c in reads):
            studies.append(PlannedStudy(study_id, spec, reads))

    text_hidden, text_epochs = (128, 15) if full else (64, 4)
    add("short/rotten-tomatoes",
        _study(text, seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2),
        ("short", "convergence", "speed"))
    add("short/italy-power",
        _study(TaskSpec.make("italy-power"), seeds=max(seeds, 5), hidden=32,
               epochs=60 if full else 30, patience=8, batch=16, lr=5e-3),
        ("short", "convergence"))
    fractions = (0.05, 0.1, 0.25, 0.5, 1.0) if full else (0.1, 0.3, 1.0)
    add("small/rotten-tomatoes",
        _study(text, seeds=seeds, hidden=text_hidden, epochs=text_epochs, patience=2,
               fractions=fractions),
        ("small-data", "convergence"))
    add("small/japanese-vowels",
        _study(TaskSpec.make("japanese-vowels"), seeds=seeds, hidden=32,
               epochs=40 if full else 15, patience=5, batch=32, lr=5e-3,
               fractions=(0.1, 0.25, 0.5, 1.0) if full else (0.25, 1.0)),
        ("small-data", "convergence"))

    probes = {
        "adding": (25, 100, 200, 400, 800) if full else (25, 100),
        "copy-memory": (10, 50, 100, 200) if full else (10, 20),
        "anbn": (16, 32, 64, 128) if full else (16, 48),
    }
    for probe, lengths in probes.items():
        for length in lengths:
            task = TaskSpec.make(probe, seq_len=length, n_train=8000 if full else 4000,
                                 n_val=1000 if full else 400, n_test=1000 if full else 400)
            # Probes plateau before they click (the LSTM on adding sits at the mean for
            # epochs): a short patience would stop it there and call that the result.
            add(f"long/{probe}/T={length}",
                _study(task, seeds=seeds, hidden=64 if full else 32,
                       epochs=60 if full else 20, patience=15 if full else 8, lr=3e-3,
                       match="hidden"),
                ("long",))

    lrs = (3e-4, 1e-3, 3e-3, 1e-2) if full else (1e-3, 3e-3)
    for lr in lrs:
        add(f"iteration/rotten-tomatoes/lr={lr:g}",
            _study(text, seeds=seeds if full else 2, hidden=text_hidden, epochs=4 if full else 2,
                   patience=4, lr=lr, fractions=(1.0,)),
            ("iteration",))

    timings: tuple[StepTimingSpec, ...] = ()
    if "speed" in wanted:
        grid = [(h, t, b) for h in ((64, 128, 256) if full else (64, 128))
                for t in ((50, 200, 800) if full else (50, 200)) for b in (1, 32)]
        timings = tuple(
            StepTimingSpec(impl=impl, sizing=sizing, hidden=h, seq_len=t, batch=b,
                           repeats=9 if full else 7)
            for impl in ("native", "neutral") for sizing in ("hidden", "params")
            for h, t, b in grid
        )
    latency = None
    if "inference" in wanted:
        latency = LatencyPlan(hidden=128, input_size=64,
                              seq_lens=(25, 100, 400) if full else (25, 100),
                              batch_sizes=(1, 32) if full else (1,),
                              runtimes=("eager", "torchscript", "onnx"),
                              rounds=5 if full else 3)
    importance = tuple(
        PlannedImportance(f"importance/{name}",
                          _study(TaskSpec.make(name), seeds=1, hidden=options["hidden"],
                                 epochs=options["epochs"], patience=options["patience"],
                                 batch=options["batch"]),
                          budget=64 if full else 32)
        for name, options in IMPORTANCE_TASKS
    ) if "cell-vs-rest" in wanted else ()
    plan = SuitePlan(profile=profile, claims=wanted, studies=tuple(studies),
                     step_timings=timings, timing_rounds=5 if full else 3, latency=latency,
                     importance=importance)
    n_trials = sum(len(s.spec.trials()) for s in plan.studies)
    n_trials += sum(i.budget for i in plan.importance)
    cost = ("about 7 minutes on 2 CPU cores" if not full else
            "about 1–2 GPU-hours on one GPU, or 15–25 CPU-hours; spread it with --executor ray")
    if set(wanted) != {c for c in known if full or c not in OPT_IN_QUICK}:
        cost = f"the whole profile takes {cost}"
    if importance and not full:
        cost += f"; cell-vs-rest's importance studies add about {IMPORTANCE_MINUTES} minutes"
    return SuitePlan(**{**plan.__dict__, "cost": f"{n_trials} trials; {cost}"})
