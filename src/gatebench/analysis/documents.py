"""The JSON documents that cross layers, typed by their keys (no torch, no behaviour).

Each is a `TypedDict`: at run time a plain dict, serialised as it is (summary.json, latency.json,
the store's study state), so writing and reading them does not change a byte; the type says
which keys a reader may count on. Documents that gain keys as they travel (the summary gets
"seeding", "study", "latency", "decision" from the compare driver) are ``total=False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from gatebench.protocol.arms import ArmDoc
from gatebench.protocol.record import EnvDoc, ParamsDoc
from gatebench.protocol.specs import ModelDoc, SizingDoc, StudySpecDoc, TrainDoc

# -- findings and verdicts ------------------------------------------------------------------


class HealthFinding(TypedDict):
    """One training-health check's result (analysis.health): a finding, or a block."""

    check: str  # one of analysis.health.ORDER
    status: str  # "ok" | "warn" | "fail"
    blocks_verdict: bool
    message: str  # one line naming what to change
    details: dict[str, Any]  # the check's own numbers (per arm counts, thresholds, ...)


class VerdictDoc(TypedDict, total=False):
    """A verdict (analysis.verdict.decide), after `apply_health` when a check blocked it."""

    label: str
    text: str
    mean: float | None
    ci: list[float | None]
    n: int
    margin: float
    suggested_seeds: int | None
    level: float
    unit: str
    outcome: str
    method: str
    p_value: float | None
    p_equivalence: float | None
    reason: str
    rule: str
    estimand: str
    bound: float | None
    final: bool  # sequential design only
    health: list[str]  # the blocking checks, when health made it inconclusive
    before_health: VerdictDoc  # what the statistics alone said


# -- the study summary (summary.json) -------------------------------------------------------


class MeanCI(TypedDict, total=False):
    """A mean with its interval ([None, None]: no interval) and, where kept, the values."""

    mean: float
    ci: list[float | None]
    values: list[Any]
    metric: str  # the per-arm test score names its metric


class ArmSummary(TypedDict):
    """One arm's figures in a summary, over the paired trials."""

    cell: str
    overrides: dict[str, float]  # the arm's options (ArmDoc's)
    hidden_size: int | None
    params: ParamsDoc
    n_trials: int
    n_diverged: int
    kernels: list[str]
    device: str
    threads: int
    test: MeanCI
    train_compute_s: MeanCI
    per_epoch_s: MeanCI
    time_to_best_s: MeanCI
    epochs_to_best: MeanCI
    epochs_run: MeanCI


class Difference(TypedDict, total=False):
    """The paired difference of the first comparison, in improvement points (or %)."""

    what: str
    unit: str
    mean: float
    ci: list[float | None]
    values: list[float]


class TimeRatio(TypedDict, total=False):
    """A time ratio: the geometric mean of per-pair ratios with its interval."""

    what: str
    geomean: float
    mean: float  # the geomean again, in a ratio analysis.decision inverted
    ci: list[float | None]
    values: list[float]
    concurrent: bool
    source: str  # "timing pass" or "trials": where it was measured
    # a timing pass's ratio (analysis.timing.timing_pass_ratio) says how it was measured
    rounds: int
    batches: int | None
    seq_lens: list[int]
    threads: int | None
    device: str | None
    per_epoch_s: dict[str, float]


class MarginDoc(TypedDict):
    """The equivalence margin and where it came from (analysis.margins.Margin)."""

    value: float
    source: str  # given | skill | fallback
    text: str
    share: float | None
    skill: float | None
    baseline: float | None


class FailureRate(TypedDict):
    """One arm's failed-to-train trials, their rate and its exact upper bound."""

    failed: int
    n: int
    rate: float | None
    upper: float | None
    level: float
    known: bool  # False: no trivial baseline recorded, only divergence counted
    text: str


class ProtocolDoc(TypedDict, total=False):
    """The protocol a summary states: margin, level and the spec's sizing, model, training."""

    margin: float
    margin_source: MarginDoc
    level: float
    sizing: SizingDoc | None
    model: ModelDoc | None
    train: TrainDoc | None
    concurrent: bool
    ci_methods: dict[str, str]
    diverged_rule: str


class HolmStep(TypedDict):
    """Where Holm's step-down settled a comparison: the level, the round, whether decided."""

    alpha: float
    step: int
    rejected: bool


class HolmEntry(TypedDict):
    """One comparison's verdict under Holm's step-down (analysis.karm.holm_pairwise)."""

    a: str
    b: str
    verdict: VerdictDoc
    holm: HolmStep


class PairwiseRow(TypedDict):
    """One comparison of a k-arm summary, with its Holm step (analysis.karm)."""

    a: str
    b: str
    what: str
    unit: str
    mean: float | None
    ci: list[float | None]
    values: list[float]
    verdict: VerdictDoc
    holm: HolmStep


class RankedArm(TypedDict):
    """One arm's place in a ranking: its rank, mean, the arms it beats and those it ties."""

    arm: str
    rank: int
    mean: float | None
    beats: list[str]
    tied_with: list[str]


class Ranking(TypedDict, total=False):
    """The arms ranked from the pairwise verdicts (analysis.karm.rank_arms)."""

    order: list[RankedArm]
    decided: bool
    undecided: list[list[str]]
    final: bool
    text: str
    reference: str | None
    method: str


class Look(TypedDict, total=False):
    """One look of an adaptive study: pairs so far and what the rule said."""

    pairs: int
    pairs_run: int
    final: bool
    decided: bool
    verdict: str
    method: str
    outcome: str
    estimate: float | None
    reason: str


class HealthAction(TypedDict, total=False):
    """One remedy an adaptive study took (or could not afford) for a blocking check."""

    check: str
    remedy: str
    at_pairs: int | None
    applied: bool
    says: str


class DimensionDoc(TypedDict):
    """One searched option's range (run.tuning.Dimension.to_dict)."""

    low: float
    high: float
    log: bool
    integer: bool


class TuningTrial(TypedDict):
    """One finished (or failed) trial of an arm's search: its parameters and validation score."""

    number: int
    params: dict[str, float]  # option -> value (hidden an int)
    value: float | None  # None: the fit failed
    state: str  # "complete" | "fail"


class TunedArm(TypedDict):
    """One arm's equal-budget search: its trials, the best and the default configuration."""

    cell: str
    best: dict[str, float] | None  # parameter -> value
    best_value: float | None
    default: dict[str, float | None]  # parameter -> the untuned value (None: not known)
    default_value: float | None
    gain_over_default: float | None  # in the validation metric's units; > 0 is better
    trials: list[TuningTrial]


class TuningReport(TypedDict):
    """An equal-budget search of every arm (run.tuning); a summary's "tuning"."""

    space: dict[str, DimensionDoc]  # searched option -> its range
    trials_per_arm: int
    sampler: str
    selection: str
    storage: str
    search_key: str
    arms: dict[str, TunedArm]


class SeedingState(TypedDict, total=False):
    """How an adaptive (``--seeds auto``) study stopped: the store's study state."""

    design: str
    method: str
    pairs: int
    pairs_run: int
    seeds_in_verdict: int  # seeds up to the deciding look (the verdict's and report's records)
    seeds_past_stop: int  # seeds a parallel round ran past the deciding look (stored, unused)
    max_seeds: int
    time_budget_s: float | None
    elapsed_s: float
    pair_s: float | None
    estimand: str
    bound: float | None
    stopped: str
    health_need: str
    budget_spent: bool
    ranking_decided: bool
    looks: list[Look]
    health_actions: list[HealthAction]  # run.remedies: what was done about health


class StudyInfo(TypedDict, total=False):
    """Where a summary's study lives and what it ran."""

    out_dir: str
    spec: StudySpecDoc
    kind: str
    training_floor: list[str]  # notes on raised training settings


class LatencyRow(TypedDict, total=False):
    """One cell's latency in one runtime and setting (milliseconds; raw samples kept)."""

    cell: str
    runtime: str
    mode: str  # "full" | "step"
    batch: int
    seq_len: int | None
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float | None
    mean_ms: float
    min_ms: float
    samples_ms: list[float]


class LatencyRatio(TypedDict, total=False):
    """A cell's latency over the reference cell's in one runtime and setting."""

    runtime: str
    mode: str
    batch: int
    seq_len: int | None
    numerator: str
    denominator: str
    p50_ratio: float
    p50_ratio_ci95: list[float]
    p95_ratio: float


class RuntimeFacts(TypedDict, total=False):
    """One model made ready in one runtime (deploy.runtimes.Prepared.info): its artifact's
    format and size, and how far its outputs are from PyTorch's."""

    format: str
    bytes: int  # kept under ModelFacts "bytes", left out of its "runtimes"
    max_abs_diff: dict[str, float]  # exported runtimes: per graph, against eager PyTorch
    atol: float
    max_abs_diff_vs_fp32: dict[str, float]  # int8 runtimes: per graph, against float32
    quantized_ops: list[str]  # onnx-int8: the op types the quantiser introduced


class ModelFacts(TypedDict):
    """One measured model: its size, parameter counts, file sizes and export checks."""

    hidden_size: int
    core_params: int
    total_params: int
    bytes: dict[str, int]  # form -> bytes (state dicts fp32/int8, each runtime's artifact)
    runtimes: dict[str, RuntimeFacts]  # runtime -> its export facts (no bytes)


class PeakMemory(TypedDict, total=False):
    """One model's memory in a fresh process (deploy.memory.peak_memory), MiB; or the error."""

    baseline_mb: float
    load_mb: float
    run_mb: float
    peak_mb: float
    error: str  # the probe failed: its last line, instead of the figures


class LatencyMemory(TypedDict):
    """Peak memory per cell and runtime at the plan's largest setting."""

    batch: int
    seq_len: int
    cells: dict[str, dict[str, PeakMemory]]  # cell -> runtime -> its memory


class Int8Cost(TypedDict):
    """The test-metric change dynamic int8 quantisation costs one cell."""

    runtime: str
    metric: str
    fp32: float
    int8: float
    change: float


class CheckpointRef(TypedDict):
    """The trial whose best checkpoint a latency pass timed."""

    spec_id: str
    seed: int
    checkpoint: str | None


class LatencyPlanDoc(TypedDict):
    """A latency result's "plan": LatencyPlan's fields with the threads and rounds used."""

    seq_lens: Sequence[int]
    batch_sizes: Sequence[int]
    runtimes: Sequence[str]
    streaming: bool
    repeats: int
    rounds: int
    warmup: int
    threads: int
    atol: float
    memory: bool
    samples_per_round: int
    reference: str  # the cell every ratio is over


class LatencySizing(TypedDict):
    """How untrained models were sized for a latency pass (deploy.sizes.latency_at_size)."""

    match: str
    hidden: int
    input_size: int
    output_size: int


class LatencyOptions(TypedDict, total=False):
    """A study latency pass's options (run.deployment.study_latency), as latency.json keeps
    them to tell whether it can be reused."""

    runtimes: Sequence[str]
    seq_len: int | None
    repeats: int
    threads: int | None
    quantize: bool


class LatencyResult(TypedDict, total=False):
    """`deploy.measure_latency`'s result; a study's latency.json adds what it timed."""

    kind: str  # "latency"
    plan: LatencyPlanDoc
    models: dict[str, ModelFacts]
    results: list[LatencyRow]
    ratios: list[LatencyRatio]
    streaming: bool
    method: dict[str, str]
    env: EnvDoc
    memory: LatencyMemory
    sizing: LatencySizing  # deploy.sizes.latency_at_size: the untrained models' size
    # a study's latency pass (run.deployment.measure_study_latency, study_latency)
    seq_len_source: str
    checkpoints: dict[str, CheckpointRef]
    skipped: dict[str, str]  # runtime or cell -> why it was not timed
    quantization: dict[str, Int8Cost]
    records: list[str]  # the spec ids measured: a changed set re-measures
    options: LatencyOptions


class StudyLatency(TypedDict, total=False):
    """A summary's "latency": the latency pass in compact form (no raw samples); a suite's
    latency.json has its rows, device, threads and note."""

    rows: list[LatencyRow]
    ratios: list[LatencyRatio]
    device: str
    threads: int
    seq_len: int
    seq_len_source: str
    checkpoints: dict[str, CheckpointRef]
    quantization: dict[str, Int8Cost]
    skipped: dict[str, str]
    note: str


class TaskPart(TypedDict):
    """The task a summary is about, as its first record states it."""

    name: str | None
    family: str | None
    description: dict[str, Any]  # the loader's facts (sizes, baseline, source)


class LatencyPart(TypedDict):
    """One runtime and input form of the latency factor, oriented as arms[0] / arms[1]."""

    runtime: str | None
    mode: str | None
    ratio: float | None
    ci: list[float | None]
    favours: str | None


class PickFactor(TypedDict):
    """One factor of a pick as JSON (`dataclasses.asdict` of analysis.decision.Factor)."""

    name: str
    status: str
    favours: str | None
    estimate: float | None
    ci: tuple[float | None, float | None]
    unit: str
    what: str
    note: str
    parts: tuple[LatencyPart, ...]
    level: float | None


class PickDoc(TypedDict, total=False):
    """The pick as JSON (analysis.decision.Pick.to_dict), with its wording."""

    pick: str
    priority: str
    decided_by: str | None
    arms: list[str]
    factors: list[PickFactor]
    provisional: bool
    notes: list[str]
    headline: str
    reasons: list[str]


class SummaryDoc(TypedDict, total=False):
    """A study's summary (analysis.summarize; summary.json with the driver's additions)."""

    task: TaskPart
    metric: str
    higher_is_better: bool
    unit: str
    data_fraction: float
    data_fractions: list[float]
    n_pairs: int
    skipped_pairs: int
    seeds: list[int]
    cells: dict[str, ArmSummary]  # keyed by arm label
    difference: Difference
    time_ratio: TimeRatio
    trial_time_ratio: TimeRatio
    total_time_ratio: TimeRatio
    health: list[HealthFinding]
    failures: dict[str, FailureRate]  # per arm
    verdict: VerdictDoc
    protocol: ProtocolDoc
    pairwise: list[PairwiseRow]
    ranking: Ranking | None  # None: a two-arm view of a k-arm summary (decision.pair_summary)
    time_ratios: dict[str, TimeRatio]  # "a/b" -> a study timing pass's pairwise ratio
    # added by the compare driver (api.compare)
    arms: dict[str, ArmDoc]  # label -> the arm
    seeding: SeedingState
    study: StudyInfo
    tuning: TuningReport
    latency: StudyLatency
    decision: PickDoc
    wall_s: dict[str, float]  # this run's wall seconds by stage (run.progress.StageClock)


__all__ = [
    "ArmSummary", "CheckpointRef", "Difference", "DimensionDoc", "FailureRate", "HealthAction",
    "HealthFinding", "HolmEntry", "HolmStep", "Int8Cost", "LatencyMemory", "LatencyOptions",
    "LatencyPart", "LatencyPlanDoc", "LatencyRatio", "LatencyResult", "LatencyRow",
    "LatencySizing", "Look", "MarginDoc", "MeanCI", "ModelFacts", "PairwiseRow", "PeakMemory",
    "PickDoc", "PickFactor", "ProtocolDoc", "RankedArm", "Ranking", "RuntimeFacts",
    "SeedingState", "StudyInfo", "StudyLatency", "SummaryDoc", "TaskPart", "TimeRatio",
    "TunedArm", "TuningReport", "TuningTrial", "VerdictDoc",
]
