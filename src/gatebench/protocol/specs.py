"""Frozen spec dataclasses: a study expands into trials, each a pure function of its spec."""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, TypedDict, cast

from gatebench.errors import SpecError
from gatebench.protocol.arms import ARM_OPTIONS, DEFAULT_CELLS, Arm, ArmDoc, arms_for_cells

SCHEMA_VERSION = 2  # 2: trials carry their arm (label and overrides)
MIN_ADAPTIVE_SEEDS = 3  # --seeds auto looks first after this many pairs
MAX_ADAPTIVE_SEEDS = 100  # the sequential rule's boundaries are calibrated up to here
# The equivalence margin when none is given and the task records no trivial baseline, in
# improvement points; with a baseline the default is a share of the arms' skill over it
# (gatebench.analysis.margins.skill_margin).
DEFAULT_MARGIN = 1.0


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


class TaskSpecDoc(TypedDict):
    """`TaskSpec.to_dict()`: the task's name and its options."""

    name: str
    options: dict[str, Any]  # free-form: each task family reads its own options


class SizingDoc(TypedDict):
    """`SizingConfig` as JSON (`dataclasses.asdict`)."""

    match: str
    reference_cell: str
    reference_hidden: int
    budget: int | None
    tolerance: float


class ModelDoc(TypedDict):
    """`ModelOptions` as JSON (`dataclasses.asdict`)."""

    num_layers: int
    dropout: float
    bidirectional: bool
    embed_dim: int
    forget_bias: float


class TrainDoc(TypedDict):
    """`TrainConfig` as JSON (`dataclasses.asdict`)."""

    lr: float
    batch_size: int
    max_epochs: int
    patience: int
    clip_norm: float
    weight_decay: float
    threads: int
    device: str
    warmup_steps: int


class TrialSpecDoc(TypedDict):
    """`TrialSpec.to_dict()`: what a trial record stores as its "spec" (and hashes for its id)."""

    task: TaskSpecDoc
    cell: str
    arm: str
    overrides: dict[str, float]  # ARM_OPTIONS -> value
    seed: int
    sizing: SizingDoc
    model: ModelDoc
    train: TrainDoc
    data_fraction: float


class StudySpecDoc(TypedDict):
    """`StudySpec.to_dict()`: every field, the configs and arms as JSON."""

    task: TaskSpecDoc
    cells: list[str]
    seeds: int
    sizing: SizingDoc
    model: ModelDoc
    train: TrainDoc
    data_fractions: list[float]
    margin: float | None
    arms: list[ArmDoc]
    adaptive: bool
    max_seeds: int
    time_budget_s: float | None
    first_seed: int
    reference: str | None


@dataclass(frozen=True)
class TaskSpec:
    """Which data to load: a registered task name and its options (sorted key/value pairs)."""

    name: str
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, name: str, **options: Any) -> TaskSpec:
        """Build a spec from keyword options, dropping the ones left as None."""
        items = tuple(sorted((k, v) for k, v in options.items() if v is not None))
        return cls(name=name, options=items)

    def option(self, key: str, default: Any = None) -> Any:
        """The value of one option, or `default`."""
        return dict(self.options).get(key, default)

    def to_dict(self) -> TaskSpecDoc:
        return {"name": self.name, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, d: TaskSpecDoc) -> TaskSpec:
        return cls.make(d["name"], **d.get("options", {}))


@dataclass(frozen=True)
class SizingConfig:
    """How hidden sizes are chosen: matched parameter budget (default) or one shared hidden size.

    With `match="params"` the budget is `budget` if given, else the parameter count of
    `reference_cell` at `reference_hidden`; every cell is solved to within 1% of it. The budget
    counts what differs between cells (recurrent layers and head), not the shared embedding.
    """

    match: str = "params"
    reference_cell: str = "lstm"
    reference_hidden: int = 128
    budget: int | None = None
    tolerance: float = 0.01  # small models cannot always land within 1%: widen, and it is recorded

    def validate(self) -> None:
        if self.match not in ("params", "hidden"):
            raise SpecError(f"--match must be 'params' or 'hidden', not {self.match!r}")
        if self.reference_hidden <= 0:
            raise SpecError(f"hidden size must be positive, got {self.reference_hidden}")
        if self.budget is not None and self.budget <= 0:
            raise SpecError(f"parameter budget must be positive, got {self.budget}")
        if not 0 < self.tolerance < 1:
            raise SpecError(f"sizing tolerance must be in (0, 1), got {self.tolerance}")


@dataclass(frozen=True)
class ModelOptions:
    """Architecture options shared by every cell in a study (the cell itself varies)."""

    num_layers: int = 1
    dropout: float = 0.0
    bidirectional: bool = False
    embed_dim: int = 128
    forget_bias: float = 1.0  # LSTM forget-gate bias at init (Jozefowicz 2015); 0: torch default

    def validate(self) -> None:
        if self.num_layers < 1:
            raise SpecError(f"--layers must be at least 1, got {self.num_layers}")
        if not 0.0 <= self.dropout < 1.0:
            raise SpecError(f"--dropout must be in [0, 1), got {self.dropout}")
        if self.embed_dim < 1:
            raise SpecError(f"--embed-dim must be positive, got {self.embed_dim}")


@dataclass(frozen=True)
class TrainConfig:
    """The fit loop's slice: optimiser, schedule, stopping rule, threads and device."""

    lr: float = 2e-3
    batch_size: int = 64
    max_epochs: int = 20
    patience: int = 3
    clip_norm: float = 1.0
    weight_decay: float = 0.0
    threads: int = 0  # 0: every core this process may use
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    warmup_steps: int = 3

    def validate(self) -> None:
        if self.lr <= 0:
            raise SpecError(f"--lr must be positive, got {self.lr}")
        if self.batch_size < 1:
            raise SpecError(f"--batch-size must be positive, got {self.batch_size}")
        if self.max_epochs < 1:
            raise SpecError(f"--max-epochs must be positive, got {self.max_epochs}")
        if self.patience < 1:
            raise SpecError(f"--patience must be positive, got {self.patience}")
        if self.threads < 0:
            raise SpecError(f"--threads must be 0 (all cores) or positive, got {self.threads}")


@dataclass(frozen=True)
class TrialSpec:
    """One model fit: an arm (cell and overrides) on one seed pair, all else held equal."""

    task: TaskSpec
    cell: str
    seed: int
    sizing: SizingConfig = field(default_factory=SizingConfig)
    model: ModelOptions = field(default_factory=ModelOptions)
    train: TrainConfig = field(default_factory=TrainConfig)
    data_fraction: float = 1.0
    arm: str = ""  # the arm's label; left empty, the cell's name
    overrides: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not self.arm:
            object.__setattr__(self, "arm", self.cell)

    @property
    def arm_label(self) -> str:
        """The label of this trial's arm (the cell's name unless the study named it)."""
        return self.arm

    def _overridden(self, section: str, config: Any) -> Any:
        changes = {k: v for k, v in self.overrides if ARM_OPTIONS.get(k) == section}
        return replace(config, **changes) if changes else config

    @property
    def effective_train(self) -> TrainConfig:
        """The training config with this arm's overrides (lr, weight decay) applied."""
        return self._overridden("train", self.train)

    @property
    def effective_model(self) -> ModelOptions:
        """The model options with this arm's overrides (dropout, forget bias) applied."""
        return self._overridden("model", self.model)

    @property
    def effective_sizing(self) -> SizingConfig:
        """The sizing rule; an arm with its own hidden size uses exactly that size."""
        hidden = dict(self.overrides).get("hidden")
        if hidden is None:
            return self.sizing
        return replace(self.sizing, match="hidden", reference_hidden=int(hidden), budget=None)

    def to_dict(self) -> TrialSpecDoc:
        """A JSON-able dict; `from_dict` inverts it."""
        return {
            "task": self.task.to_dict(),
            "cell": self.cell,
            "arm": self.arm_label,
            "overrides": dict(self.overrides),
            "seed": self.seed,
            "sizing": cast("SizingDoc", asdict(self.sizing)),
            "model": cast("ModelDoc", asdict(self.model)),
            "train": cast("TrainDoc", asdict(self.train)),
            "data_fraction": self.data_fraction,
        }

    @classmethod
    def from_dict(cls, d: TrialSpecDoc) -> TrialSpec:
        return cls(
            task=TaskSpec.from_dict(d["task"]),
            cell=d["cell"],
            seed=int(d["seed"]),
            sizing=SizingConfig(**d["sizing"]),
            model=ModelOptions(**d["model"]),
            train=TrainConfig(**d["train"]),
            data_fraction=float(d["data_fraction"]),
            arm=d.get("arm") or "",
            overrides=tuple(sorted((d.get("overrides") or {}).items())),
        )

    @property
    def spec_id(self) -> str:
        """Content hash of the spec: equal specs share an id, so a rerun finds finished trials."""
        return hashlib.sha256(_canonical(self.to_dict()).encode()).hexdigest()[:16]

    @property
    def pair_key(self) -> str:
        """Everything but the arm (cell, label, overrides): trials with one key form a pair."""
        d = self.to_dict()
        for key in ("cell", "arm", "overrides"):
            d.pop(key)
        return hashlib.sha256(_canonical(d).encode()).hexdigest()[:16]


# Fields stored under an older name: summary.json, results.sqlite and --json keep the key, so
# stored studies load and resume unchanged.
_STORED_KEYS = {"max_pairs": "max_seeds"}


@dataclass(frozen=True)
class StudySpec:
    """A head-to-head of arms: the same task, sizing, model and training for every arm × seed.

    Give `cells` (one arm per cell; a repeated cell makes an A/A study) or `arms` (labelled,
    with overrides); the other is filled in. With `adaptive`, `seeds` is where the first look
    happens and pairs are added, up to `max_pairs`, until the sequential rule decides.
    """

    task: TaskSpec
    cells: tuple[str, ...] = DEFAULT_CELLS
    seeds: int = 3
    sizing: SizingConfig = field(default_factory=SizingConfig)
    model: ModelOptions = field(default_factory=ModelOptions)
    train: TrainConfig = field(default_factory=TrainConfig)
    data_fractions: tuple[float, ...] = (1.0,)
    margin: float | None = None  # None: a share of the arms' skill (analysis.margins)
    arms: tuple[Arm, ...] = ()
    adaptive: bool = False  # --seeds auto
    max_pairs: int = 10
    time_budget_s: float | None = None
    first_seed: int = 0  # pair k uses seed first_seed + k: independent repeats of one study
    reference: str | None = None  # compare each arm against this one only (k arms)

    def __post_init__(self) -> None:
        if self.arms:
            object.__setattr__(self, "cells", tuple(a.cell for a in self.arms))
        else:
            object.__setattr__(self, "arms", arms_for_cells(tuple(self.cells)))

    @property
    def max_seeds(self) -> int:
        """`max_pairs` under its old name, for scripts reading `Study.spec` (this release only)."""
        warnings.warn("StudySpec.max_seeds is now max_pairs; max_seeds goes in the next release",
                      DeprecationWarning, stacklevel=2)
        return self.max_pairs

    @property
    def most_seeds(self) -> int:
        """The most seed pairs this study can run: `max_pairs` when adaptive, else `seeds`."""
        return max(self.seeds, self.max_pairs) if self.adaptive else self.seeds

    @property
    def labels(self) -> tuple[str, ...]:
        """The arms' labels, in order."""
        return tuple(a.label for a in self.arms)

    def validate(self) -> None:
        """Raise SpecError on any value a run could not honour."""
        if self.seeds < 1:
            raise SpecError(f"--seeds must be at least 1, got {self.seeds}")
        if self.first_seed < 0:
            raise SpecError(f"the first seed must be 0 or more, got {self.first_seed}")
        if len(self.arms) < 1 or len(set(self.labels)) != len(self.labels):
            raise SpecError(f"arms need distinct labels, got {','.join(self.labels)}")
        for arm in self.arms:
            arm.validate()
        self._validate_seeding()
        if self.reference is not None and self.reference not in self.labels:
            raise SpecError(f"--reference {self.reference!r} is not one of the arms "
                            f"({', '.join(self.labels)})")
        if self.margin is not None and not self.margin > 0:
            raise SpecError(f"--margin must be positive, got {self.margin}")
        for f in self.data_fractions:
            if not 0.0 < f <= 1.0:
                raise SpecError(f"data fractions must be in (0, 1], got {f}")
        self.sizing.validate()
        self.model.validate()
        self.train.validate()

    def _validate_seeding(self) -> None:
        """--seeds auto's maximum and time budget."""
        if self.adaptive and self.max_pairs < MIN_ADAPTIVE_SEEDS:
            raise SpecError(
                f"--max-seeds must be at least {MIN_ADAPTIVE_SEEDS} with --seeds auto "
                f"(the first look is at {MIN_ADAPTIVE_SEEDS} pairs), got {self.max_pairs}"
            )
        if self.adaptive and self.max_pairs > MAX_ADAPTIVE_SEEDS:
            raise SpecError(f"--max-seeds must be at most {MAX_ADAPTIVE_SEEDS}, "
                            f"got {self.max_pairs}")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise SpecError(f"--time-budget must be positive seconds, got {self.time_budget_s}")

    def trials(self, n_seeds: int | None = None) -> list[TrialSpec]:
        """Every trial of the first `n_seeds` pairs (default: `seeds`), seed-major, arms
        interleaved, so pairs finish side by side."""
        n = self.seeds if n_seeds is None else n_seeds
        return [
            TrialSpec(
                task=self.task,
                cell=arm.cell,
                seed=seed,
                sizing=self.sizing,
                model=self.model,
                train=self.train,
                data_fraction=fraction,
                arm=arm.label,
                overrides=arm.overrides,
            )
            for fraction in self.data_fractions
            for seed in range(self.first_seed, self.first_seed + n)
            for arm in self.arms
        ]

    def to_dict(self) -> StudySpecDoc:
        d = {_STORED_KEYS.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}
        d["task"] = self.task.to_dict()
        for key in ("sizing", "model", "train"):
            d[key] = asdict(d[key])
        d["cells"], d["data_fractions"] = list(self.cells), list(self.data_fractions)
        d["arms"] = [a.to_dict() for a in self.arms]
        return cast("StudySpecDoc", d)

    @classmethod
    def from_dict(cls, d: StudySpecDoc) -> StudySpec:
        budget = d.get("time_budget_s")
        return cls(
            task=TaskSpec.from_dict(d["task"]),
            cells=tuple(d["cells"]),
            seeds=int(d["seeds"]),
            sizing=SizingConfig(**d["sizing"]),
            model=ModelOptions(**d["model"]),
            train=TrainConfig(**d["train"]),
            data_fractions=tuple(d["data_fractions"]),
            margin=None if d.get("margin") is None else float(d["margin"]),
            arms=tuple(Arm.from_dict(a) for a in d.get("arms") or ()),
            adaptive=bool(d.get("adaptive", False)),
            max_pairs=int(d.get("max_seeds", 10)),  # its stored key (_STORED_KEYS)
            time_budget_s=None if budget is None else float(budget),
            first_seed=int(d.get("first_seed", 0)),
            reference=d.get("reference"),
        )
