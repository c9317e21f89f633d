"""Interval estimates against known values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from gatebench.analysis import bootstrap_ci, geometric_mean_ratio, t_ci


def test_t_ci_known_values() -> None:
    lo, hi = t_ci([1.0, 2.0, 3.0])
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2) * sd 1 / sqrt 3
    assert lo == pytest.approx(2 - half) and hi == pytest.approx(2 + half)


@pytest.mark.parametrize("values", [[], [1.5]])
def test_t_ci_needs_two_values(values: list[float]) -> None:
    assert all(math.isnan(x) for x in t_ci(values))


def test_bootstrap_ci_is_deterministic_and_brackets_the_mean() -> None:
    values = np.random.default_rng(1).normal(5.0, 1.0, size=40)
    lo, hi = bootstrap_ci(values)
    assert lo < values.mean() < hi
    assert bootstrap_ci(values) == (lo, hi)
    assert bootstrap_ci(values, seed=1) != (lo, hi)


def test_bootstrap_ci_agrees_with_normal_theory_for_large_n() -> None:
    values = np.random.default_rng(2).normal(0.0, 2.0, size=400)
    lo, hi = bootstrap_ci(values, n_boot=4000)
    t_lo, t_hi = t_ci(values)
    assert (hi - lo) == pytest.approx(t_hi - t_lo, rel=0.1)


def test_bootstrap_ci_other_stats_and_blocks() -> None:
    assert bootstrap_ci([1.0, 1.0, 1.0], stat=np.median) == (1.0, 1.0)
    big = np.arange(5000, dtype=float)  # several resample blocks
    lo, hi = bootstrap_ci(big, n_boot=2000)
    assert lo < big.mean() < hi
    assert all(math.isnan(x) for x in bootstrap_ci([3.0]))


def test_geometric_mean_ratio_known_values() -> None:
    r = [0.8, 0.9, 1.0]
    logs = np.log(r)
    half = sps.t.ppf(0.975, 2) * logs.std(ddof=1) / math.sqrt(3)
    got = geometric_mean_ratio(r)
    assert got["geomean"] == pytest.approx((0.8 * 0.9 * 1.0) ** (1 / 3))
    assert got["ci"] == pytest.approx([math.exp(logs.mean() - half), math.exp(logs.mean() + half)])
    assert geometric_mean_ratio([2.0, 0.5])["geomean"] == pytest.approx(1.0)
    assert geometric_mean_ratio([0.75] * 4) == {"geomean": pytest.approx(0.75), "ci": [0.75, 0.75]}


def test_geometric_mean_ratio_is_symmetric_under_inversion() -> None:
    r = np.array([0.7, 0.95, 0.8, 1.1])
    fwd, inv = geometric_mean_ratio(r), geometric_mean_ratio(1 / r)
    assert fwd["geomean"] * inv["geomean"] == pytest.approx(1.0)
    assert fwd["ci"][0] * inv["ci"][1] == pytest.approx(1.0)


def test_geometric_mean_ratio_ignores_invalid_and_handles_few() -> None:
    got = geometric_mean_ratio([0.8, 0.0, -1.0, float("nan"), float("inf")])
    assert got["geomean"] == pytest.approx(0.8) and all(math.isnan(x) for x in got["ci"])
    assert math.isnan(geometric_mean_ratio([])["geomean"])
