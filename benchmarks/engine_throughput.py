"""Engine training throughput vs a bare hand-written PyTorch loop, same model and data, one run.

Prints real (non-padding) tokens per second for: the engine's `fit` (epochs only, evaluation
excluded), a bare loop over the same length-bucketed batches, and a bare loop over naive
padded batches (every batch padded to the split's longest text). One untimed epoch builds
every shape first; then each round runs the engine and the bare loop back to back, in
alternating order, so neither always pays for following the other (or the padded run), and
drift between time windows hits both alike; ratios are per round.

    .venv/bin/python benchmarks/engine_throughput.py [--rounds 3] [--epochs 1] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from gatebench.cells import build_model
from gatebench.protocol import TaskSpec, TrainConfig
from gatebench.tasks.registry import load_task
from gatebench.train import Batcher, fit, make_objective
from gatebench.train.fit import make_optimizer


def make(cell: str, info, hidden: int) -> nn.Module:
    torch.manual_seed(0)
    return build_model(cell, input_kind="tokens", input_size=info.input_size,
                       output_size=info.output_size, objective="classification",
                       hidden_size=hidden, embed_dim=128)


def engine_tokens_per_s(cell, data, cfg, hidden) -> float:
    objective = make_objective("classification", data.info.output_size)
    train = Batcher(data.train, cfg.batch_size, torch.device("cpu"))
    val = Batcher(data.val, cfg.batch_size * 4, torch.device("cpu"))
    result = fit(make(cell, data.info, hidden), train, val, objective, cfg, metric="accuracy",
                 higher_is_better=True, seed=0)
    train_wall = result.history[-1].wall_s - result.eval_s  # batching + compute, no evaluation
    return result.items / train_wall


def bare_tokens_per_s(cell, data, cfg, hidden, bucketed: bool) -> float:
    model = make(cell, data.info, hidden)
    optimizer = make_optimizer(model, cfg)
    loss_fn = nn.CrossEntropyLoss()
    split = data.train
    gen = torch.Generator().manual_seed(0)
    batcher = Batcher(split, cfg.batch_size, torch.device("cpu"))
    for batch in list(batcher.epoch(gen))[: cfg.warmup_steps]:  # same warm-up as the engine
        loss_fn(model(batch.x, batch.lengths), batch.y).backward()
    model.zero_grad(set_to_none=True)
    tokens, start = 0, time.perf_counter()
    for _ in range(cfg.max_epochs):
        if bucketed:
            batches = ((b.x, b.lengths, b.y) for b in batcher.epoch(gen))
        else:
            perm = torch.randperm(len(split), generator=gen)
            batches = ((split.x[i], split.lengths[i], split.y[i])
                       for i in perm.split(cfg.batch_size))
        for x, lengths, y in batches:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x, lengths), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_norm)
            optimizer.step()
            tokens += int(lengths.sum())
    return tokens / (time.perf_counter() - start)


def measure_cell(cell, data, cfg, hidden, rounds) -> dict[str, list[float]]:
    """Per round: engine and bare loop back to back (order alternating), then naive padding."""
    # one untimed epoch first: every shape built once, as a warm worker process has them, so
    # the first variant timed does not pay oneDNN's primitive creation for the others
    bare_tokens_per_s(cell, data, cfg, hidden, True)
    rows: dict[str, list[float]] = {"engine": [], "bare": [], "bare-padded": []}
    for r in range(rounds):
        runs = {"engine": lambda: engine_tokens_per_s(cell, data, cfg, hidden),
                "bare": lambda: bare_tokens_per_s(cell, data, cfg, hidden, True)}
        for name in (("engine", "bare") if r % 2 == 0 else ("bare", "engine")):
            rows[name].append(runs[name]())
        rows["bare-padded"].append(bare_tokens_per_s(cell, data, cfg, hidden, False))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--fraction", type=float, default=1.0,
                        help="share of the training texts per epoch (shorter runs)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_task(TaskSpec.make("rotten-tomatoes"))
    if args.fraction < 1:
        data = data.with_train_fraction(args.fraction, 0)
    cfg = TrainConfig(max_epochs=args.epochs, patience=args.epochs + 1)
    print(f"rotten-tomatoes: {len(data.train)} training texts, "
          f"{int(data.train.lengths.sum()):,} real tokens per epoch; H={args.hidden}, "
          f"batch {cfg.batch_size}, {args.threads} threads, torch {torch.__version__}")
    for cell in ("gru", "lstm"):
        rows = measure_cell(cell, data, cfg, args.hidden, args.rounds)
        ratios = [e / b for e, b in zip(rows["engine"], rows["bare"], strict=True)]
        pad = [b / p for b, p in zip(rows["bare"], rows["bare-padded"], strict=True)]
        print(f"{cell.upper():>4}: engine {statistics.median(rows['engine']):,.0f} tok/s | "
              f"bare loop {statistics.median(rows['bare']):,.0f} tok/s | "
              f"engine/bare {statistics.median(ratios):.3f} "
              f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)}) | "
              f"bucketing speed-up over naive padding {statistics.median(pad):.2f}x")


if __name__ == "__main__":
    main()
