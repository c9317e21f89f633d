"""Synthetic long-range probes, generated from a seed: adding, copy memory, a^n b^n counting."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from gatebench.errors import SpecError
from gatebench.protocol import TaskSpec, derive_seed
from gatebench.tasks.base import Split, TaskData, TaskInfo
from gatebench.tasks.readers import int_option
from gatebench.tasks.registry import TaskEntry, register
from gatebench.tasks.splits import SPLITS, length_stats

IGNORE = -100  # tagging targets at this value are not scored
N_SYMBOLS, N_RECALL = 8, 10  # copy memory defaults: 10 symbols drawn from 8 categories
BLANK = 0  # copy-memory tokens: 0 blank, 1..S symbols, S+1 delimiter

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]  # x, lengths, y


def _sizes(spec: TaskSpec) -> dict[str, int]:
    return {"train": int_option(spec, "n_train", 4000),
            "val": int_option(spec, "n_val", 1000),
            "test": int_option(spec, "n_test", 1000)}


def _rng(task: str, split: str, seed: int) -> np.random.Generator:
    # One stream per (task, split, seed): test data stays the same when n_train changes.
    return np.random.default_rng([derive_seed("synthetic", task, split), seed])


def _generate(
    task: str, spec: TaskSpec, make: Callable[[np.random.Generator, int, str], Arrays]
) -> tuple[list[Split], dict[str, np.ndarray], dict[str, Any]]:
    """The three splits, their raw targets, and the description facts they share."""
    seed = int_option(spec, "seed", 0, minimum=0)
    splits, raw = [], {}
    for split, n in _sizes(spec).items():
        x, lengths, y = make(_rng(task, split, seed), n, split)
        splits.append(Split(torch.from_numpy(x), torch.from_numpy(lengths), torch.from_numpy(y)))
        raw[split] = y
    facts = {
        **{f"n_{name}": len(s) for name, s in zip(SPLITS, splits, strict=True)},
        "seq_len": length_stats(np.concatenate([s.lengths.numpy() for s in splits])),
        "n_features": int(splits[0].x.shape[2]),
        "split": f"generated: an independent random stream per split from seed {seed}",
        "data_fixes": [],
    }
    return splits, raw, facts


def adding_arrays(rng: np.random.Generator, n: int, seq_len: int) -> Arrays:
    """Adding problem: channel 0 uniform values, channel 1 marks one step in each half."""
    values = rng.random((n, seq_len), dtype=np.float32)
    rows = np.arange(n)
    first = rng.integers(0, seq_len // 2, n)
    second = rng.integers(seq_len // 2, seq_len, n)
    markers = np.zeros((n, seq_len), dtype=np.float32)
    markers[rows, first] = markers[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]  # (N, 1)
    x = np.stack([values, markers], axis=2)  # (N, T, 2)
    return x, np.full(n, seq_len, dtype=np.int64), y.astype(np.float32)


def load_adding(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Adding problem (Hochreiter 1997): regress the sum of the two marked values."""
    seq_len = int_option(spec, "seq_len", 100, minimum=2)
    splits, y, facts = _generate("adding", spec,
                                 lambda rng, n, _: adding_arrays(rng, n, seq_len))
    mean, std = float(y["train"].mean()), float(y["train"].std())
    for split in splits:  # standardised like every regression target; metrics undo it
        split.y = (split.y - mean) / std
    mean_mse = float(((y["test"] - mean) ** 2).mean())
    info = TaskInfo(
        name="adding", family="synthetic", objective="regression", input_kind="features",
        input_size=2, output_size=1, metric="mse", higher_is_better=False,
        target_scale=(mean, std),
        description={
            "source": f"generated adding problem, T = {seq_len}: values U(0,1), one marker in "
            "each half; target the sum of the two marked values",
            **facts,
            "scaling": {"rule": "target standardised", "fitted_on": "train", "mean": [mean],
                        "std": [std]},
            "units": "errors in the target's original units",
            "success_line": "MSE well below 0.167 (the mean predictor's 1/6)",
            "baseline": {"metric": "mse", "value": mean_mse,
                         "what": "always predict the training mean (expected 1/6 = 0.167)"},
        },
    )
    return TaskData(info, *splits)


def copy_memory_arrays(rng: np.random.Generator, n: int, seq_len: int,
                       n_recall: int = N_RECALL, n_symbols: int = N_SYMBOLS) -> Arrays:
    """Copy memory (Arjovsky 2016): K symbols, T-1 blanks, a delimiter, then recall all K.

    With the defaults K = 10 symbols from 8 categories: total length T + 20; targets are -100
    except the last K steps, which hold the symbols (as classes 0..7), so the gap between
    seeing a symbol and recalling it is T + K steps. Tokens: 0 blank, 1..S symbols, S+1 the
    delimiter (S = n_symbols), one-hot over S + 2.
    """
    delimiter = n_symbols + 1
    symbols = rng.integers(1, n_symbols + 1, (n, n_recall))
    tokens = np.full((n, seq_len + 2 * n_recall), BLANK, dtype=np.int64)
    tokens[:, :n_recall] = symbols
    tokens[:, seq_len + n_recall - 1] = delimiter
    x = np.eye(delimiter + 1, dtype=np.float32)[tokens]  # one-hot: (N, T + 2K, S + 2)
    y = np.full(tokens.shape, IGNORE, dtype=np.int64)
    y[:, -n_recall:] = symbols - 1
    return x, np.full(n, tokens.shape[1], dtype=np.int64), y


def load_copy_memory(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Copy memory: reproduce K symbols (n_recall, default 10) from n_symbols categories
    (default 8) after a delay of seq_len steps (tagging)."""
    seq_len = int_option(spec, "seq_len", 100, minimum=1)
    k = int_option(spec, "n_recall", N_RECALL, minimum=1)
    cats = int_option(spec, "n_symbols", N_SYMBOLS, minimum=2)
    splits, y, facts = _generate("copy-memory", spec,
                                 lambda rng, n, _: copy_memory_arrays(rng, n, seq_len, k, cats))
    train_targets, test_targets = y["train"][:, -k:], y["test"][:, -k:]
    majority = int(np.bincount(train_targets.ravel(), minlength=cats).argmax())
    total = seq_len + 2 * k
    info = TaskInfo(
        name="copy-memory", family="synthetic", objective="tagging", input_kind="features",
        input_size=cats + 2, output_size=cats, metric="accuracy",
        higher_is_better=True, class_names=tuple(str(s) for s in range(1, cats + 1)),
        description={
            "source": f"generated copy memory, T = {seq_len}: {k} symbols from {cats} "
            f"categories, {seq_len - 1} blanks, a delimiter, {k} blanks during which the "
            "symbols are recalled",
            **facts,
            "classes": {str(s): int(n) for s, n in enumerate(
                np.bincount(train_targets.ravel(), minlength=cats), start=1)},
            "scored_steps": f"the last {k} of each sequence (the rest are -100)",
            "chance_accuracy": 1 / cats,
            "memoryless_cross_entropy": {
                "per_scored_step": math.log(cats),
                "over_all_steps": k * math.log(cats) / total,
                "note": f"{k} ln {cats} / (T + {2 * k}) averages over all steps with blanks "
                "predicted perfectly (Arjovsky 2016); the training loss here averages over "
                f"scored steps only, where a memoryless model scores ln {cats}",
            },
            "baseline": {"metric": "accuracy", "value": float((test_targets == majority).mean()),
                         "what": "always predict the most frequent training symbol "
                         f"(chance is 1/{cats})"},
        },
    )
    return TaskData(info, *splits)


def anbn_arrays(rng: np.random.Generator, n_samples: int, n_low: int, n_high: int) -> Arrays:
    """a^n b^n recognition, n uniform in [n_low, n_high]; half positives, half near misses.

    Negatives keep the positive's length 2n, so length gives nothing away: half are
    a^(n+d) b^(n-d) with 1 <= |d| <= 3 (counts off), half are a^n b^n with one a and one b
    exchanged (counts right, order wrong). Features: one-hot (a, b); padding is all zeros.
    """
    n = rng.integers(n_low, n_high + 1, n_samples)
    kind = rng.permutation(np.arange(n_samples) % 4)  # 0, 2: positive; 1: counts; 3: swap
    positive = kind % 2 == 0
    shift = np.minimum(rng.integers(1, 4, n_samples), n) * rng.choice([-1, 1], n_samples)
    n_a = np.where(kind == 1, n + shift, n)
    lengths = 2 * n
    steps = np.arange(lengths.max())
    tokens = np.where(steps < n_a[:, None], 1, 2)  # 1 = a, 2 = b
    tokens[steps >= lengths[:, None]] = 0
    swap = np.flatnonzero(kind == 3)
    i = (rng.random(len(swap)) * n[swap]).astype(np.int64)  # an a in the first half
    j = n[swap] + (rng.random(len(swap)) * n[swap]).astype(np.int64)  # a b in the second
    tokens[swap, i], tokens[swap, j] = 2, 1
    x = np.stack([tokens == 1, tokens == 2], axis=2).astype(np.float32)  # (N, 2 n_max, 2)
    return x, lengths.astype(np.int64), positive.astype(np.int64)


def load_anbn(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """a^n b^n generalisation: train and validate on n <= N, test on every n up to seq_len/2.

    N is the option n_train_max (default seq_len/6, so the test reaches 3N). Validation stays
    inside the training range, so checkpoint selection never sees the lengths being tested;
    the test scores every length separately (`score_by_length`), and a seed's result is the
    largest n up to which it gets every test string right.
    """
    seq_len = int_option(spec, "seq_len", 48, minimum=6)
    n_test_max = seq_len // 2
    n_train_max = int_option(spec, "n_train_max", max(1, n_test_max // 3))
    if n_train_max >= n_test_max:
        raise SpecError(
            f"task option n_train_max ({n_train_max}) must be below seq_len/2 ({n_test_max}) "
            "so the test reaches longer strings than training"
        )
    ranges = {"train": (1, n_train_max), "val": (1, n_train_max), "test": (1, n_test_max)}
    splits, y, facts = _generate("anbn", spec,
                                 lambda rng, n, split: anbn_arrays(rng, n, *ranges[split]))
    majority = int(np.bincount(y["train"]).argmax())
    info = TaskInfo(
        name="anbn", family="synthetic", objective="classification", input_kind="features",
        input_size=2, output_size=2, metric="accuracy", higher_is_better=True,
        class_names=("reject", "accept"),
        description={
            "source": "generated a^n b^n strings; negatives have the same length: a^(n+d) "
            "b^(n-d), 1 <= |d| <= 3, or a^n b^n with one a and one b exchanged",
            **facts,
            "n_range": {split: list(r) for split, r in ranges.items()},
            "n_train_max": n_train_max,
            "classes": {"reject": int((y["train"] == 0).sum()),
                        "accept": int((y["train"] == 1).sum())},
            "score": f"generalisation: the largest n (up to {n_test_max}) such that every test "
            f"string with n' <= n is classified right; trained on n <= {n_train_max}",
            "score_by_length": True,
            "baseline": {"metric": "accuracy", "value": float((y["test"] == majority).mean()),
                         "what": "always predict the training majority class (balanced: 0.5)"},
        },
    )
    return TaskData(info, *splits)


register(TaskEntry("adding", "synthetic", load_adding, reference=True,
                   summary="adding problem, 4,000 x T=100 (seq_len), 2 channels; mse vs 0.167"))
register(TaskEntry("copy-memory", "synthetic", load_copy_memory, reference=True,
                   summary="copy memory, 4,000 x T+20 (T=100), tagging; accuracy vs 1/8"))
register(TaskEntry("anbn", "synthetic", load_anbn, reference=True,
                   summary="a^n b^n, train n<=8, test every n<=24 (seq_len 48); largest n right"))
