"""The typed trial record: what `run_trial` returns, the store keeps and every layer reads.

`TrialRecord.to_dict()` is the stored JSON (the keys results.sqlite has always held);
`read_record` is the one way back from stored JSON, for every schema version written so far.
Measurement records that share the store (step timings, latencies, a study's timing pass) carry
a ``kind`` and stay plain JSON objects: `read_record` returns them unchanged.

A record is also a read-only mapping of its stored JSON (``record["test"]``,
``record.get("timing")``), so readers not yet moved to attributes keep working; new code reads
attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, NotRequired, TypedDict, cast

from gatebench.errors import StoreError
from gatebench.protocol.specs import SCHEMA_VERSION, TrialSpecDoc

TRIAL_KIND = "trial"
# Tags written only when set (None: the key is absent from the stored JSON).
_OPTIONAL = ("test_by_length", "memory", "worker", "checkpoint", "study_id", "tuning",
             "importance")
# Fields that are not keys of the stored JSON.
_NOT_STORED = ("extra", "checkpoint_bytes")
# Measurement records are plain JSON objects with their own kind; a trial has none (or this).
Measurement = Mapping[str, Any]


class Baseline(TypedDict, total=False):
    """A task's trivial baseline as its loader records it (``description["baseline"]``)."""

    metric: str
    value: float
    what: str  # e.g. "majority class"


class TaskDoc(TypedDict, total=False):
    """A record's "task" as stored (an unknown objective is left out)."""

    name: str
    family: str | None
    objective: str
    description: dict[str, Any]  # the loader's facts: sizes, baseline, source, ...


class TimingDoc(TypedDict):
    """A record's "timing" as stored: every TrialTiming field, None where not measured."""

    train_compute_s: float | None
    per_epoch_s: float | None
    time_to_best_s: float | None
    eval_s: float | None
    prep_s: float | None
    items_per_s: float | None
    steps: int | None
    step_ms_median: float | None


class ParamsDoc(TypedDict):
    """A record's "params" as stored."""

    core: int | None
    total: int | None
    budget: int | None


class EnvDoc(TypedDict, total=False):
    """The machine and library fingerprint stored with every result (measure.fingerprint);
    gpu, cuda and cudnn only on a CUDA device, and older records may lack newer keys."""

    python: str
    platform: str
    machine: str
    cpu: str
    cpu_count: int | None
    versions: dict[str, str]  # package -> installed version
    commit: str | None
    mkldnn: bool
    device: str
    threads: int
    gpu: str
    cuda: str | None
    cudnn: int | None


class MemoryDoc(TypedDict):
    """A record's "memory": the trial's peak resident memory (measure.memory.PeakRss)."""

    peak_rss_mb: float | None
    start_rss_mb: float | None
    added_rss_mb: float | None  # None unless the peak could be reset for the trial
    scope: str  # "trial" | "process"


class WorkerDoc(TypedDict):
    """A record's "worker": the process that ran the trial and how many it ran before."""

    pid: int
    trials_before: int


class TuningTag(TypedDict):
    """A record's "tuning": the equal-budget search (run.tuning) this fit belongs to."""

    search_key: str
    arm: str


class ImportanceTag(TypedDict):
    """A record's "importance": its design point, level labels and replicate (run.importance)."""

    point: int
    levels: dict[str, str]  # factor -> level label
    replicate: int


class StepTimingRecord(TypedDict):
    """A stored measurement of one cell's training steps (run.timing.run_step_timings); older
    records lack reference_hidden, and failed ones carry another status."""

    kind: str  # "step_timing"
    spec_id: str
    cell: str
    impl: str  # "native" | "neutral"
    sizing: str  # "hidden" | "params"
    config_key: str
    hidden_size: int
    reference_hidden: NotRequired[int]
    params: int
    input_size: int
    seq_len: int
    batch: int
    threads: int
    device: str
    kernel: str
    round: int
    median_ms: float
    samples_ms: list[float]
    concurrent: bool
    status: str
    env: EnvDoc
    created_at: str


class LatencyRecord(TypedDict):
    """A stored measurement of one cell's inference latency in one runtime, setting and round
    (run.latency_pass.latency_records)."""

    kind: str  # "latency"
    spec_id: str
    cell: str
    runtime: str
    mode: str  # "full" | "step"
    batch: int
    seq_len: int | None
    hidden_size: int
    round: int
    p50_ms: float
    p95_ms: float
    p99_ms: float | None
    samples_ms: list[float]
    threads: int
    device: str
    concurrent: bool
    status: str
    bytes: dict[str, int]  # form -> bytes of the model measured
    env: EnvDoc
    created_at: str


@dataclass(frozen=True)
class TaskDescription:
    """The task a trial ran on: name, family, objective and the loader's description."""

    name: str = ""
    family: str | None = None
    objective: str | None = None
    description: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> TaskDescription:
        """From stored JSON (missing keys take their defaults)."""
        d = d or {}
        return cls(str(d.get("name") or ""), d.get("family"), d.get("objective"),
                   dict(d.get("description") or {}))

    @property
    def baseline(self) -> Baseline:
        """The trivial baseline the loader recorded ({} when none)."""
        return self.description.get("baseline") or {}

    @property
    def n_train(self) -> int | None:
        """Training rows, when the loader recorded them."""
        return _count(self.description.get("n_train"))

    @property
    def n_val(self) -> int | None:
        """Validation rows, when the loader recorded them."""
        return _count(self.description.get("n_val"))

    @property
    def n_test(self) -> int | None:
        """Test rows, when the loader recorded them."""
        return _count(self.description.get("n_test"))

    def to_dict(self) -> TaskDoc:
        """Stored JSON (an unknown objective is left out, as older records had none)."""
        out: TaskDoc = {"name": self.name, "family": self.family}
        if self.objective is not None:
            out["objective"] = self.objective
        out["description"] = self.description
        return out


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class TrialTiming:
    """Where a trial's seconds went (None: not measured)."""

    train_compute_s: float | None = None
    per_epoch_s: float | None = None
    time_to_best_s: float | None = None
    eval_s: float | None = None
    prep_s: float | None = None
    items_per_s: float | None = None
    steps: int | None = None
    step_ms_median: float | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> TrialTiming:
        """From stored JSON (missing keys are None)."""
        d = d or {}
        return cls(**{f.name: d.get(f.name) for f in fields(cls)})

    def to_dict(self) -> TimingDoc:
        """Stored JSON: every key, None where not measured."""
        return cast("TimingDoc", {f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(frozen=True)
class ParamCounts:
    """Realised parameter counts: the recurrent core, the whole model, the budget solved for."""

    core: int | None = None
    total: int | None = None
    budget: int | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> ParamCounts:
        """From stored JSON (missing keys are None)."""
        d = d or {}
        return cls(d.get("core"), d.get("total"), d.get("budget"))

    def to_dict(self) -> ParamsDoc:
        """Stored JSON."""
        return {"core": self.core, "total": self.total, "budget": self.budget}


class TrialDoc(TypedDict, total=False):
    """A trial's stored JSON (`TrialRecord.to_dict`), in its key order; the tags from memory on
    only when set, and keys a later version wrote (`extra`) after them."""

    schema_version: int
    spec_id: str
    pair_key: str
    spec: TrialSpecDoc
    cell: str
    arm: str
    seed: int
    data_fraction: float
    status: str
    hidden_size: int | None
    params: ParamsDoc
    metric: str
    higher_is_better: bool
    test: dict[str, float]
    test_by_length: dict[str, dict[str, int]]
    best_epoch: int
    epochs_run: int
    history: list[dict[str, float]]
    timing: TimingDoc
    kernel: str | None
    device: str
    threads: int
    concurrent: bool
    env: EnvDoc
    task: TaskDoc
    created_at: str | None
    memory: MemoryDoc
    worker: WorkerDoc
    checkpoint: str
    study_id: str
    tuning: TuningTag
    importance: ImportanceTag


_NESTED: dict[str, type[TaskDescription | TrialTiming | ParamCounts]] = {
    "task": TaskDescription, "timing": TrialTiming, "params": ParamCounts}


@dataclass(frozen=True)
class TrialRecord(Mapping[str, Any]):
    """One finished trial: its spec, outcome, test scores, history, timing and machine."""

    spec_id: str
    pair_key: str
    cell: str
    seed: int
    status: str = "ok"
    metric: str = "metric"
    higher_is_better: bool = True
    schema_version: int = SCHEMA_VERSION
    spec: TrialSpecDoc = field(default_factory=dict)  # {}: a record built without its spec
    arm: str = ""  # empty: the cell's name (records before schema 2 had no arm)
    data_fraction: float = 1.0
    hidden_size: int | None = None
    params: ParamCounts = field(default_factory=ParamCounts)
    test: dict[str, float] = field(default_factory=dict)
    test_by_length: dict[str, dict[str, int]] | None = None
    best_epoch: int = 0
    epochs_run: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    timing: TrialTiming = field(default_factory=TrialTiming)
    kernel: str | None = None
    device: str = "cpu"
    threads: int = 0
    concurrent: bool = False
    env: EnvDoc = field(default_factory=EnvDoc)
    task: TaskDescription = field(default_factory=TaskDescription)
    created_at: str | None = None
    memory: MemoryDoc | None = None
    worker: WorkerDoc | None = None
    checkpoint: str | None = None
    study_id: str | None = None
    tuning: TuningTag | None = None
    importance: ImportanceTag | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know
    # The best weights, serialised by the worker; never stored: the driver writes them beside
    # the store (or drops them) and keeps the path in `checkpoint`.
    checkpoint_bytes: bytes | None = field(default=None, repr=False, compare=False)

    kind = TRIAL_KIND  # a class constant, not stored: measurement records carry their own

    def __post_init__(self) -> None:
        if not self.arm:
            object.__setattr__(self, "arm", self.cell)

    # -- reading -------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """Whether the trial trained (not diverged or failed)."""
        return self.status == "ok"

    @property
    def score(self) -> float | None:
        """The headline test metric, or None when the trial has none."""
        value = self.test.get(self.metric)
        return None if value is None else float(value)

    @property
    def train_settings(self) -> Mapping[str, Any]:
        """The spec's training config as stored (batch_size, max_epochs, patience, lr, ...)."""
        return self.spec.get("train") or {}

    # -- stored JSON ---------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrialRecord:
        """A trial from its stored JSON, of any schema version (use `read_record` to read)."""
        names = _FIELD_NAMES - set(_NOT_STORED)
        known = {k: (_NESTED[k].from_dict(v) if k in _NESTED else v)
                 for k, v in d.items() if k in names}
        extra = {k: v for k, v in d.items() if k not in names and k != "kind"}
        return cls(**known, extra=extra)

    def to_dict(self) -> TrialDoc:
        """JSON-able stored form: the keys run_trial has always written, tags when set."""
        stored = ((name, getattr(self, name)) for name in _STORED_ORDER)
        out = {name: value.to_dict() if name in _NESTED else value for name, value in stored
               if not (name in _OPTIONAL and value is None)}
        return cast("TrialDoc", {**out, **self.extra})

    def without_checkpoint(self) -> tuple[TrialRecord, bytes | None]:
        """The record without its checkpoint bytes, and the bytes (for the driver to write)."""
        return replace(self, checkpoint_bytes=None), self.checkpoint_bytes

    def tagged(self, **tags: Any) -> TrialRecord:
        """A copy with these fields replaced (a study tags the records it stores)."""
        return replace(self, **tags)

    # -- the read-only mapping bridge ------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key in _FIELD_NAMES and key not in _NOT_STORED:
            value = getattr(self, key)
            if value is None and key in _OPTIONAL:
                raise KeyError(key)
            return value.to_dict() if key in _NESTED else value
        return self.extra[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    __hash__ = None  # type: ignore[assignment]  # it holds dicts


_FIELD_NAMES = frozenset(f.name for f in fields(TrialRecord))
_REQUIRED = tuple(f.name for f in fields(TrialRecord) if f.default is MISSING
                  and f.default_factory is MISSING)
# The stored JSON's key order: run_trial's, then what the driver adds.
_STORED_ORDER = (
    "schema_version", "spec_id", "pair_key", "spec", "cell", "arm", "seed", "data_fraction",
    "status", "hidden_size", "params", "metric", "higher_is_better", "test", "test_by_length",
    "best_epoch", "epochs_run", "history", "timing", "kernel", "device", "threads",
    "concurrent", "env", "task", "created_at", "memory", "worker", "checkpoint", "study_id",
    "tuning", "importance",
)


def is_trial(raw: Mapping[str, Any]) -> bool:
    """Whether stored JSON is a trial's (measurement records carry another kind)."""
    return (raw.get("kind") or TRIAL_KIND) == TRIAL_KIND


def read_record(raw: Mapping[str, Any]) -> TrialRecord | Measurement:
    """The one reader of stored JSON: a TrialRecord for a trial, a measurement as it is.

    Every schema version written so far reads (fields added since take their defaults); a
    trial without its identifying fields is a StoreError naming what is missing.
    """
    if isinstance(raw, TrialRecord) or not is_trial(raw):
        return raw
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise StoreError(f"trial record {raw.get('spec_id', '?')} lacks {', '.join(missing)}; "
                         "it was not written by gatebench: move the results file aside")
    return TrialRecord.from_dict(raw)


def trials_only(records: Iterable[Any]) -> list[TrialRecord]:
    """The trial records of a mixed list (measurements left out)."""
    return [r for r in records if isinstance(r, TrialRecord)]


__all__ = [
    "TRIAL_KIND", "Baseline", "EnvDoc", "ImportanceTag", "LatencyRecord", "Measurement",
    "MemoryDoc", "ParamCounts", "ParamsDoc", "StepTimingRecord", "TaskDescription", "TaskDoc",
    "TimingDoc", "TrialDoc", "TrialRecord", "TrialTiming", "TuningTag", "WorkerDoc",
    "is_trial", "read_record", "trials_only",
]
