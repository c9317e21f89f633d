"""Variance shares from a designed experiment: the decomposition finds what was planted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gatebench.analysis.importance import INTERACTIONS, SEED, decompose, ranked, share_of

FACTORS = ("cell", "lr", "hidden")


def design_rows(effects: dict[str, float], noise: float, seeds: int = 3, interaction: float = 0.0,
                seed: int = 0) -> list[dict]:
    """A full 2^3 factorial with `seeds` replicates; y = sum of planted effects + noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for point, levels in enumerate(itertools.product("ab", repeat=len(FACTORS))):
        named = dict(zip(FACTORS, levels, strict=True))
        base = sum(effects.get(f, 0.0) * (lv == "b") for f, lv in named.items())
        base += interaction * ((named["lr"] == "b") == (named["hidden"] == "b"))
        for _ in range(seeds):
            rows.append({"point": point, "levels": named, "y": base + noise * rng.normal()})
    return rows


def test_planted_factor_dominates_and_shares_sum_to_one() -> None:
    result = decompose(design_rows({"lr": 1.0, "cell": 0.1}, noise=0.05), FACTORS, "y",
                       resamples=60)
    top = ranked(result)[0]
    assert top["name"] == "lr" and top["share"] > 0.9
    assert sum(p["share"] for p in result["parts"]) == pytest.approx(1.0)
    assert {p["name"] for p in result["parts"]} == {*FACTORS, INTERACTIONS, SEED}
    lr = share_of(result, "lr")
    assert lr["ci"][0] <= lr["share"] <= lr["ci"][1]
    assert share_of(result, "hidden")["share"] < 0.01
    assert lr["level_means"]["b"] - lr["level_means"]["a"] == pytest.approx(1.0, abs=0.05)


def test_pure_noise_lands_on_seed_and_interactions_on_lack_of_fit() -> None:
    noisy = decompose(design_rows({}, noise=1.0), FACTORS, "y", resamples=0)
    assert share_of(noisy, SEED)["share"] > 0.5
    crossed = decompose(design_rows({}, noise=0.01, interaction=1.0), FACTORS, "y", resamples=0)
    assert share_of(crossed, INTERACTIONS)["share"] > 0.9
    assert share_of(crossed, "lr")["share"] < 0.01  # a pure interaction has no main effect


def test_missing_responses_are_dropped_and_counted() -> None:
    rows = design_rows({"cell": 1.0}, noise=0.1)
    rows[0]["y"] = None
    rows[1]["y"] = float("nan")
    result = decompose(rows, FACTORS, "y", resamples=0)
    assert result["n_dropped"] == 2 and result["n"] == len(rows) - 2
    assert ranked(result)[0]["name"] == "cell"


def test_a_factor_with_one_level_gets_no_share() -> None:
    rows = design_rows({"lr": 1.0}, noise=0.1)
    for r in rows:
        r["levels"] = {**r["levels"], "hidden": "a"}
    assert share_of(decompose(rows, FACTORS, "y", resamples=0), "hidden")["share"] == 0.0
