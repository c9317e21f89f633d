"""run_trial(spec) -> record: the one place that composes task, cell, fit and measurement."""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from gatebench.cells import build_model, resolve_hidden_sizes
from gatebench.cells.budget import CellSize
from gatebench.cells.model import ModelConfig
from gatebench.measure import (
    PeakRss,
    detect_rnn_kernel,
    fingerprint,
    resolve_device,
    set_threads,
)
from gatebench.protocol import TaskSpec, TrialSpec, derive_seed
from gatebench.protocol.record import ParamCounts, TaskDescription, TrialRecord, TrialTiming
from gatebench.protocol.specs import SCHEMA_VERSION
from gatebench.tasks.base import Split, TaskData
from gatebench.tasks.registry import load_task
from gatebench.train import (
    Batcher,
    Callback,
    accuracy_by_length,
    evaluate,
    fit,
    make_objective,
)

EVAL_BATCH_FACTOR = 4  # evaluation needs no gradients, so larger batches are free
# The training loss is re-scored in eval mode each epoch on a fixed subset of the training rows
# (the first ones of a seeded permutation), as many as the validation split has and at most
# this many: a mean as stable as the validation loss it is compared with, cheap per epoch.
TRAIN_EVAL_ROWS = 1000
# trials this process has run: later ones find the shapes they share already built
_TRIALS_IN_PROCESS = itertools.count()


@functools.lru_cache(maxsize=16)
def cached_task(task: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Load a task once per process: every trial of a study shares the prepared tensors."""
    return load_task(task, cache_dir)


def encoder_input_size(data: TaskData, embed_dim: int) -> int:
    """What the recurrent layer sees: the embedding width for tokens, else the feature count."""
    return embed_dim if data.info.input_kind == "tokens" else data.info.input_size


def plan_sizes(spec: TrialSpec, data: TaskData, cells: Sequence[str]) -> dict[str, CellSize]:
    """Hidden size and parameter counts of each cell under the spec's (arm's) sizing rule."""
    sizing = spec.effective_sizing
    return resolve_hidden_sizes(
        tuple(cells), sizing, encoder_input_size(data, spec.model.embed_dim),
        data.info.output_size, spec.model.num_layers, spec.model.bidirectional,
        tolerance=sizing.tolerance,
    )


def model_config(spec: TrialSpec, data: TaskData, hidden_size: int) -> ModelConfig:
    """Everything `build_model` needs: stored with the checkpoint so exports need no data."""
    info, m = data.info, spec.effective_model
    return {
        "cell": spec.cell, "input_kind": info.input_kind, "input_size": info.input_size,
        "output_size": info.output_size, "objective": info.objective,
        "hidden_size": hidden_size, "num_layers": m.num_layers, "dropout": m.dropout,
        "bidirectional": m.bidirectional, "embed_dim": m.embed_dim,
        "forget_bias": m.forget_bias or None,  # 0: torch's default init
    }


def build_for(spec: TrialSpec, data: TaskData, hidden_size: int) -> torch.nn.Module:
    """The trial's model, initialised from its arm's own stream for this seed pair."""
    torch.manual_seed(derive_seed("init", spec.arm_label, spec.seed))
    config = model_config(spec, data, hidden_size)
    return build_model(config.pop("cell"), **config)


def checkpoint_bytes(model: torch.nn.Module, config: ModelConfig) -> bytes:
    """The best weights and the model config, serialised for the driver to write."""
    buffer = io.BytesIO()
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"model_config": config, "state_dict": state}, buffer)
    return buffer.getvalue()


def load_checkpoint(path: str | Path) -> torch.nn.Module:
    """Rebuild a trained model from a checkpoint file written by a study (CPU, eval mode)."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    config = dict(saved["model_config"])
    model = build_model(config.pop("cell"), **config)
    model.load_state_dict(saved["state_dict"])
    return model.eval()


def run_trial(
    spec: TrialSpec,
    *,
    cache_dir: Path | None = None,
    callbacks: Sequence[Callback] = (),
    concurrent: bool = False,
    data: TaskData | None = None,
    default_threads: int = 0,
) -> TrialRecord:
    """Fit one cell on one seed pair and return its record (the checkpoint bytes ride along).

    `data` is the spec's task already loaded (a remote worker gets it from the driver);
    `default_threads` is what `threads=0` means here: executors that share the machine pass
    each trial its share of the cores. The record carries the trial's peak resident memory and
    how many trials its process ran before it (a warm process has built their shapes already).
    """
    worker = {"pid": os.getpid(), "trials_before": next(_TRIALS_IN_PROCESS)}
    with PeakRss() as peak:
        record = _fit_trial(spec, cache_dir, callbacks, concurrent, data, default_threads)
    return record.tagged(memory=peak.to_dict(), worker=worker)


def _fit_trial(spec: TrialSpec, cache_dir: Path | None, callbacks: Sequence[Callback],
               concurrent: bool, data: TaskData | None, default_threads: int) -> TrialRecord:
    started = time.perf_counter()
    train_cfg = spec.effective_train
    threads = set_threads(train_cfg.threads or default_threads)
    device = resolve_device(train_cfg.device)
    data = data if data is not None else cached_task(spec.task, cache_dir)
    data = data.with_train_fraction(spec.data_fraction,
                                    derive_seed("fraction", spec.seed, spec.data_fraction))
    info = data.info
    size = plan_sizes(spec, data, (spec.cell,))[spec.cell]
    model = build_for(spec, data, size["hidden_size"]).to(device)
    objective = make_objective(info.objective, info.output_size, info.target_scale)
    tagging = info.objective == "tagging"
    bs = train_cfg.batch_size
    train = Batcher(data.train, bs, device, per_step_targets=tagging)
    val = Batcher(data.val, bs * EVAL_BATCH_FACTOR, device, per_step_targets=tagging)
    test = Batcher(data.test, bs * EVAL_BATCH_FACTOR, device, per_step_targets=tagging)
    train_eval = Batcher(_train_eval_rows(data, spec.seed), bs * EVAL_BATCH_FACTOR, device,
                         per_step_targets=tagging)
    kernel = detect_rnn_kernel(_one_step(model, train, objective), device,
                               _kernel_key(spec, model, train))
    prep_s = time.perf_counter() - started

    result = fit(model, train, val, objective, train_cfg, metric=info.metric,
                 higher_is_better=info.higher_is_better,
                 seed=derive_seed("order", spec.seed), callbacks=callbacks,
                 train_eval=train_eval)
    test_metrics = evaluate(model, test, objective) if result.best_epoch else {}
    by_length = (accuracy_by_length(model, test)
                 if result.best_epoch and info.description.get("score_by_length") else None)
    epochs_run = len(result.history)
    best = result.history[result.best_epoch - 1] if result.best_epoch else None
    return TrialRecord(
        schema_version=SCHEMA_VERSION, spec_id=spec.spec_id, pair_key=spec.pair_key,
        spec=spec.to_dict(), cell=spec.cell, arm=spec.arm_label, seed=spec.seed,
        data_fraction=spec.data_fraction, status="diverged" if result.diverged else "ok",
        hidden_size=size["hidden_size"],
        params=ParamCounts(model.core_parameters(), model.total_parameters(), size.get("budget")),
        metric=info.metric, higher_is_better=info.higher_is_better, test=test_metrics,
        # Tasks that ask for it (a^n b^n): per test length, sequences scored and right.
        test_by_length={str(k): v for k, v in by_length.items()} if by_length else None,
        best_epoch=result.best_epoch, epochs_run=epochs_run,
        history=[r.to_dict() for r in result.history],
        timing=TrialTiming(
            train_compute_s=result.train_compute_s,
            per_epoch_s=result.train_compute_s / max(epochs_run, 1),
            time_to_best_s=best.train_time_s if best else None,
            eval_s=result.eval_s, prep_s=prep_s,
            items_per_s=result.items / result.train_compute_s
            if result.train_compute_s else None,
            steps=result.steps,
            step_ms_median=1e3 * float(torch.tensor(result.step_samples).median())
            if result.step_samples else None,
        ),
        kernel=kernel, device=str(device), threads=threads, concurrent=concurrent,
        env=fingerprint(device),
        task=TaskDescription(info.name, info.family, info.objective, info.description),
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        # Written by the driver beside the store: executors only move results.
        checkpoint_bytes=checkpoint_bytes(model, model_config(spec, data, size["hidden_size"])),
    )


def _train_eval_rows(data: TaskData, seed: int) -> Split:
    """The fixed training subset scored in eval mode after each epoch (TRAIN_EVAL_ROWS)."""
    n, keep = len(data.train), min(TRAIN_EVAL_ROWS, max(len(data.val), 1))
    if n <= keep:
        return data.train
    g = torch.Generator().manual_seed(derive_seed("train-eval", seed))
    return data.train.take(torch.randperm(n, generator=g)[:keep])


def _kernel_key(spec: TrialSpec, model: torch.nn.Module, train: Batcher) -> tuple | None:
    """What decides the kernel of the probe step (`_one_step`) and whether it draws random
    numbers; None (profile every time) for a bidirectional encoder, which packs a padded batch
    and so runs another kernel on it than on a full one."""
    m = spec.effective_model
    if m.bidirectional:
        return None
    return spec.cell, train.x.dtype, next(model.parameters()).dtype, m.dropout > 0


def _one_step(model: torch.nn.Module, train: Batcher, objective) -> Any:
    # A forward and backward pass on one small batch, leaving weights and gradients as they were.
    def run() -> None:
        batch = next(train.ordered())
        objective.loss(model(batch.x[:8], batch.lengths[:8]), batch.y[:8]).backward()
        model.zero_grad(set_to_none=True)

    return run
