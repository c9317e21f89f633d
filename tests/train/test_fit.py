"""The fit loop: learns, keeps the best-validation checkpoint, times compute, flags divergence."""

from __future__ import annotations

import math

import torch

from gatebench.cells import build_model
from gatebench.protocol import TrainConfig
from gatebench.tasks.base import Split
from gatebench.train import Batcher, accuracy_by_length, evaluate, fit, make_objective

CPU = torch.device("cpu")


def toy_split(n: int, seed: int) -> Split:
    # Label = whether token 2 appears; lengths vary so bucketing and gathering are exercised.
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(2, 12, (n,), generator=g)
    x = torch.randint(3, 20, (n, 12), generator=g)
    y = torch.randint(0, 2, (n,), generator=g)
    pos = (torch.rand(n, generator=g) * (lengths - 1)).long()
    x[y == 1, 0] = 2
    x[torch.arange(n), pos] = torch.where(y == 1, 2, x[torch.arange(n), pos])
    x[torch.arange(12)[None, :] >= lengths[:, None]] = 0
    return Split(x, lengths, y)


def model(cell: str = "gru") -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(cell, input_kind="tokens", input_size=20, output_size=2,
                       objective="classification", hidden_size=16, embed_dim=8)


def test_batches_are_trimmed_paired_and_cover_every_row() -> None:
    split = toy_split(100, 0)
    batcher = Batcher(split, 16, CPU)
    a = list(batcher.epoch(torch.Generator().manual_seed(1)))
    b = list(batcher.epoch(torch.Generator().manual_seed(1)))
    assert all(torch.equal(x.x, y.x) for x, y in zip(a, b, strict=False))  # same seed, same order
    assert sum(len(batch.y) for batch in a) == 100
    assert all(batch.x.shape[1] == int(batch.lengths.max()) for batch in a)
    assert sum(batch.n_items for batch in a) == int(split.lengths.sum())


def test_fit_learns_and_restores_best_checkpoint() -> None:
    train, val = Batcher(toy_split(400, 0), 32, CPU), Batcher(toy_split(100, 1), 64, CPU)
    objective = make_objective("classification", 2)
    net = model()
    cfg = TrainConfig(lr=0.01, max_epochs=6, patience=6)
    result = fit(net, train, val, objective, cfg, metric="accuracy", higher_is_better=True,
                 seed=0)
    history = result.history
    assert len(history) == 6 and result.best_epoch >= 1
    best = max(h.val_metric for h in history)
    assert history[result.best_epoch - 1].val_metric == best
    assert evaluate(net, val, objective)["accuracy"] == best  # weights are the best epoch's
    assert best > 0.8
    assert 0 < result.train_compute_s <= history[-1].wall_s
    assert all(a.train_time_s < b.train_time_s for a, b in zip(history, history[1:], strict=False))
    assert result.steps == 6 * len(train) and len(result.step_samples) == result.steps


def test_early_stopping_stops_after_patience() -> None:
    train, val = Batcher(toy_split(64, 0), 32, CPU), Batcher(toy_split(64, 1), 64, CPU)
    cfg = TrainConfig(lr=1e-9, max_epochs=20, patience=2)  # nothing improves after epoch 1
    result = fit(model(), train, val, make_objective("classification", 2), cfg,
                 metric="accuracy", higher_is_better=True, seed=0)
    assert len(result.history) == 3 and result.best_epoch == 1


def test_nan_loss_is_recorded_as_divergence() -> None:
    train, val = Batcher(toy_split(64, 0), 32, CPU), Batcher(toy_split(64, 1), 64, CPU)
    net = model("lstm")
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(float("nan"))
    result = fit(net, train, val, make_objective("classification", 2),
                 TrainConfig(max_epochs=5), metric="accuracy", higher_is_better=True, seed=0)
    assert result.diverged and len(result.history) == 1
    assert math.isnan(result.history[0].train_loss)


def test_objectives_metrics() -> None:
    reg = make_objective("regression", 1, target_scale=(10.0, 2.0))
    stats = reg.batch_stats(torch.tensor([[1.0], [0.0]]), torch.tensor([[0.0], [0.0]]))
    out = reg.finalize(stats)
    assert out["mae"] == 1.0 and out["mse"] == 2.0  # errors in original units (std 2)
    tag = make_objective("tagging", 3)
    pred = torch.tensor([[[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0]]])
    y = torch.tensor([[0, -100, 1]])
    assert tag.finalize(tag.batch_stats(pred, y))["accuracy"] == 0.5
    cls = make_objective("classification", 2)
    m = cls.finalize(cls.batch_stats(torch.tensor([[1.0, 0], [1.0, 0]]), torch.tensor([0, 1])))
    assert m["accuracy"] == 0.5 and abs(m["macro_f1"] - (2 / 3) / 2) < 1e-9


def test_checkpoint_is_chosen_on_val_loss_with_the_metric_breaking_ties() -> None:
    from gatebench.train import EarlyStopping
    from gatebench.train.callbacks import EpochRecord

    def epoch(e: int, loss: float, metric: float) -> EpochRecord:
        return EpochRecord(epoch=e, train_loss=0.0, val_loss=loss, val_metric=metric,
                           train_time_s=e, wall_s=e)

    stopper, net = EarlyStopping(patience=5, higher_is_better=True), model()
    for record in (epoch(1, 0.70, 0.60), epoch(2, 0.50, 0.60),  # lower loss, same accuracy
                   epoch(3, 0.50, 0.70),  # tied loss, better accuracy: the tie-break
                   epoch(4, 0.50, 0.70),  # fully tied: the earlier checkpoint stays
                   epoch(5, 0.55, 0.90),  # better accuracy, clearly worse loss: not better
                   epoch(6, float("nan"), 1.0)):
        stopper.on_epoch_end(record, net)
    assert stopper.best_epoch == 3


def test_train_loss_in_eval_mode_and_accuracy_by_length() -> None:
    train, val = Batcher(toy_split(200, 0), 32, CPU), Batcher(toy_split(100, 1), 64, CPU)
    objective = make_objective("classification", 2)
    net = model()
    result = fit(net, train, val, objective, TrainConfig(lr=0.01, max_epochs=2, patience=2),
                 metric="accuracy", higher_is_better=True, seed=0, train_eval=train)
    last = result.history[-1]
    assert last.train_loss_eval is not None and last.steps == 2 * len(train)
    assert last.train_loss_eval != last.train_loss  # the running mean differs from eval mode
    by_length = accuracy_by_length(net, val)
    lengths = toy_split(100, 1).lengths
    assert sum(v["n"] for v in by_length.values()) == 100
    assert set(by_length) == set(lengths.tolist())
    right = sum(v["correct"] for v in by_length.values()) / 100
    assert right == evaluate(net, val, objective)["accuracy"]
