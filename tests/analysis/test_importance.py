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


def test_planted_factor_dominates_with_its_effect_in_metric_units() -> None:
    result = decompose(design_rows({"lr": 1.0, "cell": 0.1}, noise=0.05), FACTORS, "y",
                       resamples=60)
    top = ranked(result)[0]
    assert top["name"] == "lr" and top["share"] > 0.9
    assert {p["name"] for p in result["parts"]} == {*FACTORS, INTERACTIONS, SEED}
    lr = share_of(result, "lr")
    assert lr["ci"][0] <= lr["share"] <= lr["ci"][1]
    assert share_of(result, "hidden")["share"] < 0.01
    # the effect is high − low in the metric's units, its interval from the seeds' pure error
    lo, hi = lr["effect"]["ci"]
    assert lo < 1.0 < hi and hi - lo < 0.2
    cell = share_of(result, "cell")["effect"]
    assert cell["ci"][0] < 0.1 < cell["ci"][1]
    assert result["ranges"] == {"cell": ["a", "b"], "lr": ["a", "b"], "hidden": ["a", "b"]}


def test_net_shares_of_null_factors_are_near_zero_not_df_over_n() -> None:
    # pure noise: a raw share gives each 1-df factor about 1/23 of the total; net, about 0
    nets, gross = [], []
    for s in range(20):
        result = decompose(design_rows({}, noise=1.0, seed=s), FACTORS, "y", resamples=0)
        nets += [share_of(result, f)["share"] for f in FACTORS]
        gross += [share_of(result, f)["gross_share"] for f in FACTORS]
    assert np.mean(gross) == pytest.approx(1 / 23, rel=0.5)
    assert np.mean(nets) < np.mean(gross) / 2


def test_pure_noise_lands_on_seed_and_interactions_on_lack_of_fit() -> None:
    noisy = decompose(design_rows({}, noise=1.0), FACTORS, "y", resamples=0)
    assert share_of(noisy, SEED)["share"] > 0.5
    crossed = decompose(design_rows({}, noise=0.01, interaction=1.0), FACTORS, "y", resamples=0)
    assert share_of(crossed, INTERACTIONS)["share"] > 0.9
    assert share_of(crossed, "lr")["share"] < 0.01  # a pure interaction has no main effect


def test_the_cell_is_credited_with_its_interactions() -> None:
    rows = design_rows({}, noise=0.01)
    for r in rows:  # the cell flips the learning rate's effect: no main effect, all interaction
        r["y"] += 1.0 * ((r["levels"]["cell"] == "b") == (r["levels"]["lr"] == "b"))
    result = decompose(rows, FACTORS, "y", resamples=40, contrast="cell")
    assert share_of(result, "cell")["share"] < 0.01
    assert result["credited"]["share"] > 0.9
    assert result["contrast"]["lead_of_largest_other"] < -0.5
    assert result["contrast"]["p_below"] < 0.05 and result["contrast"]["p_above"] == 1.0


def test_missing_responses_are_scored_as_the_worst_value() -> None:
    rows = design_rows({"cell": 1.0}, noise=0.1)
    rows[0]["y"] = None
    rows[1]["y"] = float("nan")
    result = decompose(rows, FACTORS, "y", resamples=0, higher_is_better=True)
    assert result["n_worst"] == 2 and result["n"] == len(rows)
    assert ranked(result)[0]["name"] == "cell"
    dropped = decompose(rows, FACTORS, "y", resamples=0)  # no direction: left out, counted
    assert dropped["n_dropped"] == 2 and dropped["n"] == len(rows) - 2


def test_intervals_resample_seeds_within_points_or_are_none() -> None:
    one_seed = decompose(design_rows({"lr": 1.0}, noise=0.1, seeds=1), FACTORS, "y",
                         resamples=40)
    assert share_of(one_seed, "lr")["ci"] == [None, None]
    assert share_of(one_seed, "lr")["effect"]["ci"] == [None, None]


def test_a_factor_with_one_level_gets_no_share() -> None:
    rows = design_rows({"lr": 1.0}, noise=0.1)
    for r in rows:
        r["levels"] = {**r["levels"], "hidden": "a"}
    assert share_of(decompose(rows, FACTORS, "y", resamples=0), "hidden")["share"] == 0.0


def test_two_seed_resamples_do_not_shrink_the_noise() -> None:
    # a plain resample of two seeds keeps or halves each point's spread, never widens it, so
    # the seed share could only fall; inflated deviations put the observed share inside
    result = decompose(design_rows({"lr": 0.5}, noise=1.0, seeds=2), FACTORS, "y",
                       resamples=200)
    seed = share_of(result, SEED)
    assert seed["ci"][0] < seed["share"] < seed["ci"][1]
