"""Fit one model: warm-up, timed training steps, per-epoch evaluation, best checkpoint."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from gatebench.measure import Stopwatch
from gatebench.protocol import TrainConfig
from gatebench.train.batches import Batch, Batcher
from gatebench.train.callbacks import Callback, EarlyStopping, EpochRecord
from gatebench.train.objectives import Objective


@dataclass
class FitResult:
    """What a fit produced; the model holds the best-validation weights on return."""

    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int = 0
    diverged: bool = False
    steps: int = 0
    items: int = 0  # real time steps processed in timed training steps
    train_compute_s: float = 0.0
    eval_s: float = 0.0
    step_samples: list[float] = field(default_factory=list)


def make_optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam with the fused kernel: the unfused step costs ~10% of an RNN step on CPU."""
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                            fused=True)


def train_step(model: nn.Module, batch: Batch, objective: Objective,
               optimizer: torch.optim.Optimizer, clip_norm: float) -> torch.Tensor:
    """One optimiser step (forward, backward, clipping, update); returns the detached loss.

    The fit loop and the study's timing pass (run.study_timing) both time exactly this."""
    optimizer.zero_grad(set_to_none=True)
    loss = objective.loss(model(batch.x, batch.lengths), batch.y)
    loss.backward()
    if clip_norm > 0:
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.detach()


@torch.inference_mode()
def evaluate(model: nn.Module, batches: Batcher, objective: Objective) -> dict[str, float]:
    """Metrics of the model on every batch of a split."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for batch in batches.ordered():
        stats = objective.batch_stats(model(batch.x, batch.lengths), batch.y)
        for key, value in stats.items():
            sums[key] = sums[key] + value if key in sums else value
    model.train(was_training)
    return objective.finalize(sums)


@torch.inference_mode()
def accuracy_by_length(model: nn.Module, batches: Batcher) -> dict[int, dict[str, int]]:
    """Per sequence length, how many sequences a classifier gets right: {T: {n, correct}}."""
    was_training = model.training
    model.eval()
    out: dict[int, dict[str, int]] = {}
    for batch in batches.ordered():
        right = model(batch.x, batch.lengths).argmax(-1) == batch.y
        for length, ok in zip(batch.lengths.tolist(), right.tolist(), strict=True):
            cell = out.setdefault(int(length), {"n": 0, "correct": 0})
            cell["n"] += 1
            cell["correct"] += int(ok)
    model.train(was_training)
    return dict(sorted(out.items()))


def fit(
    model: nn.Module,
    train: Batcher,
    val: Batcher,
    objective: Objective,
    cfg: TrainConfig,
    *,
    metric: str,
    higher_is_better: bool,
    seed: int,
    callbacks: Sequence[Callback] = (),
    train_eval: Batcher | None = None,
) -> FitResult:
    """Train with early stopping on validation loss (`metric` breaks ties, see EarlyStopping).

    Compute time excludes batching and evaluation. `train_eval` (a fixed subset of the training
    split) is scored in eval mode after each epoch, so the train-validation gap compares like
    with like; without it `train_loss_eval` stays None.
    """
    device = train.x.device
    optimizer = make_optimizer(model, cfg)
    stopper = EarlyStopping(cfg.patience, higher_is_better)
    hooks = [stopper, *callbacks]
    result = FitResult()
    clock = Stopwatch(device)
    generator = torch.Generator().manual_seed(seed)

    model.train()
    _warm_up(model, train, objective, cfg.warmup_steps, seed)
    for hook in hooks:
        hook.on_fit_start(cfg.max_epochs, len(train))
    started = time.perf_counter()
    for epoch in range(1, cfg.max_epochs + 1):
        loss_sum = torch.zeros((), device=device)
        n_batches = 0
        for batch in train.epoch(generator):
            with clock:
                loss = train_step(model, batch, objective, optimizer, cfg.clip_norm)
            loss_sum += loss
            n_batches += 1
            result.items += batch.n_items
        result.steps += n_batches
        train_loss = float(loss_sum) / max(n_batches, 1)  # one sync per epoch, not per step
        eval_start = time.perf_counter()
        val_metrics = evaluate(model, val, objective)
        train_eval_loss = evaluate(model, train_eval, objective)["loss"] if train_eval else None
        result.eval_s += time.perf_counter() - eval_start
        record = EpochRecord(
            epoch=epoch, train_loss=train_loss, val_loss=val_metrics["loss"],
            val_metric=val_metrics[metric], train_time_s=clock.total,
            wall_s=time.perf_counter() - started, steps=result.steps,
            train_loss_eval=train_eval_loss,
        )
        result.history.append(record)
        for hook in hooks:
            hook.on_epoch_end(record, model)
        if not math.isfinite(train_loss) or not math.isfinite(record.val_loss):
            result.diverged = True  # a NaN loss is a result, recorded, never dropped
            break
        if any(hook.stop for hook in hooks):
            break
    result.train_compute_s = clock.total
    result.step_samples = clock.samples
    result.best_epoch = stopper.best_epoch
    if stopper.best_state is not None:
        model.load_state_dict(stopper.best_state)
    return result


def _warm_up(model: nn.Module, train: Batcher, objective: Objective, steps: int,
             seed: int) -> None:
    # Forward/backward passes without an optimiser step: kernels, allocator and thread pool get
    # warm, weights stay untouched, and the paired data-order generator is not consumed.
    if steps <= 0:
        return
    generator = torch.Generator().manual_seed(seed + 1)
    for i, batch in enumerate(train.epoch(generator)):
        if i >= steps:
            break
        objective.loss(model(batch.x, batch.lengths), batch.y).backward()
    model.zero_grad(set_to_none=True)
