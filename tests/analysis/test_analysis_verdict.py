"""Every verdict is reachable, and the point conventions hold."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from scipy import stats as sps

from gatebench.analysis import (
    EQUIVALENT,
    INCONCLUSIVE,
    VERDICTS,
    decide,
    improvement_points,
    point_unit,
)
from gatebench.analysis.sequential import required_pairs
from gatebench.analysis.verdict import UNINFORMATIVE


def test_vocabulary() -> None:
    assert VERDICTS == ("GRU better", "LSTM better", EQUIVALENT, INCONCLUSIVE, UNINFORMATIVE)
    assert EQUIVALENT == "equivalent within margin" and INCONCLUSIVE == "inconclusive"


def test_gru_better() -> None:
    v = decide([2.0, 2.5, 3.0], margin=1.0)
    assert v["label"] == "GRU better" and v["ci"][0] > 0 and v["suggested_seeds"] is None
    assert v["text"].startswith("GRU is better than LSTM: GRU \u2212 LSTM = +2.5 points")
    assert "3 seeds" in v["text"]


def test_lstm_better_and_cell_names() -> None:
    assert decide([-2.0, -2.5, -3.0], margin=1.0)["label"] == "LSTM better"
    assert decide([2.0, 2.5, 3.0], 1.0, cell_a="rnn", cell_b="gru")["label"] == "RNN better"


def test_equivalent_within_margin_text() -> None:
    # TOST at alpha = 0.05 is the 90% interval inside the margin (it used to be 95%, which
    # made equivalence a 2.5% test and needlessly hard to reach)
    v = decide([0.1, -0.1, 0.2, 0.0, 0.1], margin=1.0)
    assert v["label"] == EQUIVALENT and v["level"] == pytest.approx(0.90)
    assert -1.0 <= v["ci"][0] and v["ci"][1] <= 1.0
    pattern = (
        r"GRU and LSTM are equivalent within \u00b11\.0 points: GRU \u2212 LSTM = \+0\.1 points "
        r"\(90% CI \u22120\.\d to \+0\.\d, 5 seeds\)\.$"
    )
    assert re.match(pattern, v["text"]), v["text"]


def test_significant_but_small_difference_says_so() -> None:
    v = decide([0.30, 0.31, 0.29, 0.30], margin=1.0)
    assert v["label"] == "GRU better" and "within \u00b11.0 points" in v["text"]
    assert "CI +0.29 to +0.31" in v["text"]  # more digits rather than a zero-width "+0.3 to +0.3"


def test_inconclusive_suggests_power_based_seeds() -> None:
    # no longer "n more seeds would likely settle it" from the observed mean and SD (that
    # assumed the noisy estimates were the truth): the count comes from required_pairs, which
    # plans for an upper confidence bound of the SD
    diffs = np.array([-1.0, 2.0, 0.5, 0.3, 1.1, -0.4])
    v = decide(diffs, margin=1.0)
    assert v["label"] == INCONCLUSIVE and v["outcome"] == "inconclusive"
    k = v["suggested_seeds"]
    assert k == required_pairs(diffs, 1.0) - diffs.size and k >= 1
    assert (f"about {k} more seeds would give 80% power to settle it against \u00b11.0 points"
            in v["text"])
    assert v["text"].endswith(", or use --seeds auto.")


def test_suggestion_can_be_left_out() -> None:
    # the health checks turn it off when the runs are under-trained: more seeds would not help
    diffs = [-1.0, 2.0, 0.5, 0.3, 1.1, -0.4]
    v = decide(diffs, margin=1.0, suggest_seeds=False)
    assert v["suggested_seeds"] is None and "more seed" not in v["text"]
    assert v["text"].endswith("6 seeds).")
    kept = [1.0, 2.0, 0.5, -0.3, 1.1, -0.4]  # no sequential decision from these six
    seq = decide(kept, 1.0, design="sequential", max_pairs=6, suggest_seeds=False)
    assert "; reached max seeds (6) undecided" in seq["text"] and seq["suggested_seeds"] is None


def test_no_futility_stop_an_undecided_study_goes_on_and_states_its_bound() -> None:
    """A study stops when decided or at max seeds, never because a difference looks unlikely."""
    v = decide([-1.0, 2.0, 0.5, 0.3, 1.1, -0.4], 1.0, design="sequential", max_pairs=20)
    assert v["outcome"] == "inconclusive" and v["final"] is False and v["n"] == 6
    assert "futility" not in v["text"] and "add a pair (up to 20)" in v["text"]
    assert v["estimand"].startswith("median") and v["bound"] == pytest.approx(2.0)
    assert "within \u00b12 at 95%" in v["text"]


def test_inconclusive_out_of_reach_suggests_nothing() -> None:
    v = decide([-50.0, 50.0, 1.0], margin=1.0)
    assert v["label"] == INCONCLUSIVE and v["suggested_seeds"] is None
    assert "would likely not settle it" in v["text"]


@pytest.mark.parametrize("value", [0.0, 2.0])
def test_identical_pairs_are_uninformative_without_an_interval(value: float) -> None:
    v = decide([value] * 4, margin=1.0)
    assert v["label"] == UNINFORMATIVE and v["outcome"] == "uninformative"
    assert v["ci"] == [None, None] and v["suggested_seeds"] is None and v["p_value"] is None
    assert "no spread" in v["text"]
    json.dumps(v, allow_nan=False)


def test_p_value_and_rule_keys() -> None:
    diffs = [0.5, 1.5, 0.2]
    v = decide(diffs, margin=1.0)
    assert v["p_value"] == pytest.approx(sps.ttest_1samp(diffs, 0.0).pvalue)
    assert v["rule"] == "paired" and "t-test" in v["method"]


def test_sequential_design_stops_or_continues() -> None:
    # the median rule needs 7 pairs that agree before it can name a winner
    clear = decide([2.0, 2.5, 3.0, 2.2, 2.6, 1.9, 2.4], 1.0, design="sequential", max_pairs=10)
    assert clear["label"] == "GRU better" and clear["final"] is True
    assert clear["rule"] == "sequential" and "decided at 7 pairs" in clear["reason"]
    assert "median GRU \u2212 LSTM = +2.4 points" in clear["text"]
    assert decide([2.0, 2.5, 3.0, 2.2, 2.6], 1.0, design="sequential",
                  max_pairs=10)["final"] is False
    unsure = decide([1.0, 2.0, 0.5], 1.0, design="sequential", max_pairs=10)
    assert unsure["label"] == INCONCLUSIVE and unsure["final"] is False
    assert unsure["suggested_seeds"] is None and "add a pair" in unsure["text"]
    done = decide([1.0, 2.0, 0.5], 1.0, design="sequential", max_pairs=3)
    assert done["final"] is True and "reached max seeds (3)" in done["text"]
    with pytest.raises(ValueError, match="design"):
        decide([1.0, 2.0], 1.0, design="bayes")


def test_every_verdict_names_its_estimand() -> None:
    assert decide([0.5, 1.5, 0.2], 1.0)["estimand"].startswith("mean paired difference")
    assert "symmetric" in decide([0.5, 1.5, 0.2], 1.0)["estimand"]
    assert decide([0.5, 1.5, 0.2], 1.0, design="sequential")["estimand"].startswith("median")


@pytest.mark.parametrize("diffs", [[], [4.0], [float("nan"), 4.0]])
def test_fewer_than_two_pairs_is_inconclusive(diffs: list[float]) -> None:
    v = decide(diffs, margin=1.0)
    assert v["label"] == INCONCLUSIVE and v["suggested_seeds"] == 3
    assert v["ci"] == [None, None]
    json.dumps(v, allow_nan=False)


def test_verdict_is_json_and_has_the_keys() -> None:
    v = decide([0.5, 1.5, 0.2], margin=1.0)
    json.dumps(v, allow_nan=False)
    assert {"label", "text", "mean", "ci", "n", "margin", "suggested_seeds"} <= set(v)


def test_improvement_points_for_scores() -> None:
    assert improvement_points("accuracy", True, 0.82, 0.80) == pytest.approx(2.0)
    assert improvement_points("macro_f1", True, 0.70, 0.75) == pytest.approx(-5.0)
    assert point_unit("accuracy", True) == "points"


def test_improvement_points_for_errors_positive_means_lower_error() -> None:
    assert improvement_points("mae", False, 0.9, 1.0) == pytest.approx(10.0)
    assert improvement_points("rmse", False, 1.1, 1.0) == pytest.approx(-100 * 0.1 / 1.1)
    # symmetric: swapping the cells flips the sign only, and the scale stays in [-100, 100]
    assert improvement_points("mse", False, 3.0, 1.0) == -improvement_points("mse", False, 1, 3)
    assert improvement_points("mse", False, 3.0, 1.0) == pytest.approx(-200 / 3)
    assert improvement_points("mae", False, math.inf, 1.0) == -100.0  # A diverged
    assert improvement_points("mae", False, 1.0, math.inf) == 100.0  # B diverged
    assert improvement_points("mae", False, math.inf, math.inf) == 0.0
    assert improvement_points("mae", False, 0.0, 0.0) == 0.0
    assert point_unit("mae", False) == "% lower error"


def test_error_unit_text() -> None:
    v = decide([10.0, 12.0, 11.0], margin=1.0, unit=point_unit("mae", False))
    assert v["label"] == "GRU better"
    assert "GRU has +11.0% lower error than LSTM (95% CI +" in v["text"]
