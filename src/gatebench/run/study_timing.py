"""Compare's timing pass: each arm's training step on the study's own shapes and batches.

The quality trials may run side by side and their clocks then say little about speed; the
first trial in a process also pays for building oneDNN primitives at every sequence length.
So the training-time ratio comes from a pass of its own, run with no trial running: every arm
steps through the same batches of one seeded epoch (shortest to longest, so every shape is
covered), all arms are warmed up on every shape first, and arms alternate order pass by pass
(tiny models take the batches several times a round), so drift and load spikes hit every arm.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypedDict

import torch

from gatebench.analysis.documents import SummaryDoc, TimeRatio
from gatebench.analysis.timing import timing_pass_ratio, timing_pass_settled
from gatebench.measure import Stopwatch, fingerprint, resolve_device, set_threads
from gatebench.protocol import StudySpec, TrialSpec, derive_seed
from gatebench.protocol.record import EnvDoc
from gatebench.protocol.timing import STUDY_TIMING_MAX_ROUNDS, study_timing_key, timing_trials
from gatebench.run.progress import StudyProgress
from gatebench.run.trial import build_for, plan_sizes
from gatebench.store import open_store
from gatebench.tasks.base import TaskData
from gatebench.train import Batch, Batcher, make_objective, train_step
from gatebench.train.fit import make_optimizer

MAX_BATCHES = 16  # batches per arm per round, spread over the epoch's lengths
MIN_ROUND_S = 0.5  # each arm's clock per round at least this long (tiny models repeat)
TIMING_KIND = "study_timing"


def spread_batches(batches: Sequence[Batch], n: int) -> list[Batch]:
    """Up to `n` of the batches, evenly spaced from the shortest to the longest (by shape)."""
    ordered = sorted(batches, key=lambda b: (b.x.shape[1], b.x.shape[0]))
    if len(ordered) <= n:
        return ordered
    if n == 1:
        return [ordered[len(ordered) // 2]]
    return [ordered[round(i * (len(ordered) - 1) / (n - 1))] for i in range(n)]


class _ArmClock:
    """One arm's model and optimiser, stepping through the pass's batches under a stopwatch."""

    def __init__(self, trial: TrialSpec, data: TaskData, device: torch.device) -> None:
        self.trial = trial
        self.hidden = plan_sizes(trial, data, (trial.cell,))[trial.cell]["hidden_size"]
        self.model = build_for(trial, data, self.hidden).to(device).train()
        self.cfg = trial.effective_train
        self.optimizer = make_optimizer(self.model, self.cfg)
        info = data.info
        self.objective = make_objective(info.objective, info.output_size, info.target_scale)
        self.device = device

    def run(self, batches: Sequence[Batch]) -> list[float]:
        """Seconds of each batch's optimiser step (forward, backward, clipping, update)."""
        clock = Stopwatch(self.device)
        for batch in batches:
            with clock:
                train_step(self.model, batch, self.objective, self.optimizer, self.cfg.clip_norm)
        return clock.samples


class TimingPassRecord(TypedDict, total=False):
    """One arm's round of a study's timing pass, as the store keeps it (kind "study_timing")."""

    kind: str
    batch: int
    batches: int
    passes: int
    epoch_batches: int
    seq_lens: list[int]
    threads: int
    device: str
    concurrent: bool
    status: str
    env: EnvDoc
    arm: str
    cell: str
    round: int
    hidden_size: int
    params: int
    step_ms: list[float]
    seconds: float
    step_ms_median: float
    per_epoch_s: float
    created_at: str
    warmup_s: float  # the cold first pass, kept off the clock


def timing_rounds(
    study: StudySpec, data: TaskData, *, start: int = 0, rounds: int = STUDY_TIMING_MAX_ROUNDS,
) -> Iterator[list[TimingPassRecord]]:
    """Measure rounds `start` .. `rounds - 1`; yield each round's records (one per arm)."""
    trials = timing_trials(study)
    first = trials[0]
    cfg = first.effective_train
    threads = set_threads(cfg.threads)
    device = resolve_device(cfg.device)
    data = data.with_train_fraction(first.data_fraction,
                                    derive_seed("fraction", first.seed, first.data_fraction))
    batcher = Batcher(data.train, cfg.batch_size, device,
                      per_step_targets=data.info.objective == "tagging")
    epoch = list(batcher.epoch(torch.Generator().manual_seed(derive_seed("order", first.seed))))
    batches = spread_batches(epoch, MAX_BATCHES)
    arms = [_ArmClock(t, data, device) for t in trials]
    # warm-up: every arm on every shape before any clock counts
    warm = {arm.trial.arm_label: sum(arm.run(batches)) for arm in arms}
    # a second, warm pass sizes the rounds: tiny models take the batches several times a
    # round, for enough clock to compare
    second = min(sum(arm.run(batches)) for arm in arms)
    passes = max(1, math.ceil(MIN_ROUND_S / max(second, 1e-9)))
    base: TimingPassRecord = {
        "kind": TIMING_KIND, "batch": cfg.batch_size, "batches": len(batches), "passes": passes,
        "epoch_batches": len(epoch), "seq_lens": [int(b.x.shape[1]) for b in batches],
        "threads": threads, "device": str(device), "concurrent": False, "status": "ok",
        "env": fingerprint(device)}
    for r in range(start, rounds):
        measured: dict[str, list[float]] = {arm.trial.arm_label: [] for arm in arms}
        for p in range(passes):  # arms alternate pass by pass, so a load spike hits both
            for arm in (arms if (r + p) % 2 == 0 else arms[::-1]):
                measured[arm.trial.arm_label] += arm.run(batches)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        yield [{**_record(base, arm, r, measured[arm.trial.arm_label], now),
                # what the first pass cost, cold: the penalty the warm-up keeps off the clock
                "warmup_s": warm[arm.trial.arm_label]} for arm in arms]


def _record(base: TimingPassRecord, arm: _ArmClock, round_index: int, samples: list[float],
            now: str) -> TimingPassRecord:
    seconds = sum(samples)
    return {
        **base, "arm": arm.trial.arm_label, "cell": arm.trial.cell, "round": round_index,
        "hidden_size": arm.hidden, "params": sum(p.numel() for p in arm.model.parameters()),
        "step_ms": [1e3 * s for s in samples], "seconds": seconds,
        "step_ms_median": 1e3 * statistics.median(samples),
        # the sampled batches span the epoch's lengths: their mean step stands for the epoch's
        "per_epoch_s": seconds / len(samples) * base["epoch_batches"], "created_at": now,
    }


def timing_state_id(study_id: str) -> str:
    """Where the store keeps a study's timing pass (its run state, beside the trials)."""
    return f"{study_id}/timing"


def stored_rounds(store: Any, study: StudySpec, study_id: str) -> list[list[TimingPassRecord]]:
    """The rounds of the study's timing pass already stored (none if its arms changed)."""
    state = store.study_state(timing_state_id(study_id))
    return list(state.get("rounds") or []) if state.get("key") == study_timing_key(study) else []


def run_timing_pass(study: StudySpec, data: TaskData, store: Any, study_id: str,
                    progress: StudyProgress, *, fresh: bool = False) -> None:
    """Time the study's arms on its own shapes, storing each round as it ends, until the ratios
    are precise enough (analysis.timing.timing_pass_settled); a resumed study measures only the
    rounds still missing. Call it with no trial running: it needs the machine."""
    rounds = [] if fresh else stored_rounds(store, study, study_id)
    if _settled(rounds, study):
        return
    progress.phase("timing pass: each arm's training step on the study's shapes, interleaved",
                   STUDY_TIMING_MAX_ROUNDS - len(rounds))
    key = study_timing_key(study)
    for records in timing_rounds(study, data, start=len(rounds)):
        rounds.append(records)
        store.save_study_state(timing_state_id(study_id), {"key": key, "rounds": rounds})
        progress.advance()
        if _settled(rounds, study):
            break


def _settled(rounds: list[list[TimingPassRecord]], study: StudySpec) -> bool:
    return timing_pass_settled([r for rd in rounds for r in rd], study.labels)


def with_timing_pass(summary: SummaryDoc, out_dir: str | Path, study: StudySpec,
                     study_id: str = "compare") -> SummaryDoc:
    """The summary with its training-time ratio from the study's timing pass when one is
    stored (the trials' own ratio kept as `trial_time_ratio`); every ratio names its source."""
    trials_ratio: TimeRatio = {**(summary.get("time_ratio") or {}), "source": "trials"}
    with open_store(out_dir, create=False) as store:
        records = [r for rd in stored_rounds(store, study, study_id) for r in rd]
    ratio = timing_pass_ratio(records, study.labels[:2]) if len(study.labels) >= 2 else None
    if ratio is None:
        summary["time_ratio"] = trials_ratio
    else:
        summary["time_ratio"], summary["trial_time_ratio"] = ratio, trials_ratio
    if len(study.labels) > 2:  # the k-arm pick weighs tied arms by these (analysis.decision)
        pairs = ((a, b, timing_pass_ratio(records, (a, b)))
                 for a, b in itertools.combinations(study.labels, 2))
        summary["time_ratios"] = {f"{a}/{b}": r for a, b, r in pairs if r is not None}
    return summary
