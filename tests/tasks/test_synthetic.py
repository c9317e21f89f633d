"""Synthetic probes: structure of each generated task, seeding, baselines and option checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gatebench.errors import SpecError
from gatebench.tasks.registry import get_task

SMALL = {"n_train": 400, "n_val": 100, "n_test": 200}


def test_adding_structure_and_baseline(load_gb_task, check_gb_task):
    data = load_gb_task("adding", seq_len=50, **SMALL)
    check_gb_task(data)
    info = data.info
    assert get_task("adding").family == "synthetic"
    assert (info.objective, info.metric, info.higher_is_better) == ("regression", "mse", False)
    assert data.train.x.shape == (400, 50, 2)
    values, markers = data.test.x[..., 0].numpy(), data.test.x[..., 1].numpy()
    assert (markers.sum(1) == 2).all()
    assert (markers[:, :25].sum(1) == 1).all() and (markers[:, 25:].sum(1) == 1).all()
    mean, std = info.target_scale
    train_y, test_y = (s.y[:, 0].numpy() * std + mean for s in (data.train, data.test))
    assert (mean, std) == pytest.approx((train_y.mean(), train_y.std()), rel=1e-5)  # train only
    np.testing.assert_allclose((values * markers).sum(1), test_y, rtol=1e-5)
    expected = float(((test_y - train_y.mean()) ** 2).mean())
    assert info.description["baseline"]["value"] == pytest.approx(expected, rel=1e-5)
    assert 0.12 < expected < 0.21  # about 1/6: the failure line


def test_copy_memory_structure_and_baseline(load_gb_task, check_gb_task):
    t = 30
    data = load_gb_task("copy-memory", seq_len=t, **SMALL)
    check_gb_task(data)
    info, d = data.info, data.info.description
    assert (info.objective, info.output_size, info.input_size) == ("tagging", 8, 10)
    x, y = data.train.x, data.train.y
    assert x.shape == (400, t + 20, 10) and (x.sum(-1) == 1).all()  # one-hot
    tokens = x.argmax(-1)
    assert ((tokens[:, :10] >= 1) & (tokens[:, :10] <= 8)).all()
    assert (tokens[:, t + 9] == 9).all() and (tokens[:, 10 : t + 9] == 0).all()
    assert (tokens[:, t + 10 :] == 0).all()
    assert (y[:, :-10] == -100).all() and torch.equal(y[:, -10:], tokens[:, :10] - 1)
    ce = d["memoryless_cross_entropy"]
    assert ce["over_all_steps"] == pytest.approx(10 * math.log(8) / (t + 20))
    assert ce["per_scored_step"] == pytest.approx(math.log(8))
    majority = int(torch.bincount(y[:, -10:].reshape(-1)).argmax())
    expected = float((data.test.y[:, -10:] == majority).float().mean())
    assert d["baseline"]["value"] == pytest.approx(expected)
    assert abs(expected - 1 / 8) < 0.03 and d["chance_accuracy"] == 0.125


def _strings(split) -> list[str]:
    x, lengths = split.x.numpy(), split.lengths.numpy()
    assert (x[np.arange(x.shape[1])[None, :] >= lengths[:, None]] == 0).all()  # zero padding
    return ["".join("a" if step[0] else "b" for step in row[:n]) for row, n in zip(x, lengths,
                                                                                  strict=True)]


def test_anbn_labels_lengths_and_ranges(load_gb_task, check_gb_task):
    data = load_gb_task("anbn", seq_len=40, **SMALL)
    check_gb_task(data)
    d = data.info.description
    # Validation stays in the training range; the test covers every n up to 3N.
    assert d["n_range"] == {"train": [1, 6], "val": [1, 6], "test": [1, 20]}
    assert d["score_by_length"] and d["n_train_max"] == 6
    for split, (low, high) in ((data.train, (1, 6)), (data.val, (1, 6)), (data.test, (1, 20))):
        strings, y = _strings(split), split.y.numpy()
        for s, label in zip(strings, y, strict=True):
            n = len(s) // 2
            assert low <= n <= high and len(s) == 2 * n
            assert (s == "a" * n + "b" * n) == bool(label)
        assert y.mean() == 0.5  # balanced
        assert {len(s) // 2 for s in strings} == set(range(low, high + 1))  # every n appears
        negatives = [s for s, label in zip(strings, y, strict=True) if not label]
        same_counts = [s for s in negatives if s.count("a") == s.count("b")]
        assert 0.3 < len(same_counts) / len(negatives) < 0.7  # both kinds of near miss
    assert d["baseline"]["value"] == 0.5


@pytest.mark.parametrize("name", ["adding", "copy-memory", "anbn"])
def test_same_seed_same_data(load_gb_task, name):
    a = load_gb_task(name, seq_len=20, seed=3, **SMALL)
    b = load_gb_task(name, seq_len=20, seed=3, **SMALL)
    c = load_gb_task(name, seq_len=20, seed=4, **SMALL)
    for part in ("train", "val", "test"):
        sa, sb = getattr(a, part), getattr(b, part)
        assert torch.equal(sa.x, sb.x) and torch.equal(sa.y, sb.y)
        assert torch.equal(sa.lengths, sb.lengths)
    assert not torch.equal(a.train.x, c.train.x)
    assert not torch.equal(a.train.x, a.test.x[: len(a.train)])
    # The test set is its own stream: a larger training set leaves it unchanged.
    bigger = load_gb_task(name, seq_len=20, seed=3, **{**SMALL, "n_train": 500})
    assert torch.equal(bigger.test.x, a.test.x)


def test_difficulty_scales_with_seq_len(load_gb_task):
    for t in (10, 200):
        assert load_gb_task("adding", seq_len=t, **SMALL).train.x.shape[1] == t
        assert load_gb_task("copy-memory", seq_len=t, **SMALL).train.x.shape[1] == t + 20
        assert load_gb_task("anbn", seq_len=t, **SMALL).test.lengths.max() <= t


def test_default_sizes(load_gb_task):
    data = load_gb_task("adding")
    assert (len(data.train), len(data.val), len(data.test)) == (4000, 1000, 1000)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("adding", {"seq_len": 1}, "seq_len must be an integer >= 2"),
        ("copy-memory", {"n_train": 0}, "n_train must be an integer >= 1"),
        ("anbn", {"seq_len": 20, "n_train_max": 10}, r"n_train_max \(10\) must be below"),
        ("adding", {"seed": "abc"}, "seed must be an integer"),
    ],
)
def test_bad_options(load_gb_task, name, options, message):
    with pytest.raises(SpecError, match=message):
        load_gb_task(name, **options)
