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


def test_vocabulary() -> None:
    assert VERDICTS == ("GRU better", "LSTM better", EQUIVALENT, INCONCLUSIVE)
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
    v = decide([0.1, -0.1, 0.2, 0.0, 0.1], margin=1.0)
    assert v["label"] == EQUIVALENT
    assert -1.0 <= v["ci"][0] and v["ci"][1] <= 1.0
    pattern = (
        r"GRU and LSTM are equivalent within \u00b11\.0 points: GRU \u2212 LSTM = \+0\.1 points "
        r"\(95% CI \u22120\.\d to \+0\.\d, 5 seeds\)\.$"
    )
    assert re.match(pattern, v["text"]), v["text"]


def test_significant_but_small_difference_says_so() -> None:
    v = decide([0.30, 0.31, 0.29, 0.30], margin=1.0)
    assert v["label"] == "GRU better" and "within \u00b11.0 points" in v["text"]


def test_inconclusive_suggests_seeds_that_would_settle_it() -> None:
    diffs = np.array([-1.0, 2.0, 0.5])
    v = decide(diffs, margin=1.0)
    assert v["label"] == INCONCLUSIVE
    k = v["suggested_seeds"]
    assert isinstance(k, int) and 1 <= k <= 50
    assert f"about {k} more seed" in v["text"]
    # with the observed mean and sd, n + k pairs settle it and n + k - 1 do not
    mean, sd, n = diffs.mean(), diffs.std(ddof=1), diffs.size

    def settles(m: int) -> bool:
        half = sps.t.ppf(0.975, m - 1) * sd / math.sqrt(m)
        return half < abs(mean) or abs(mean) + half <= 1.0

    assert settles(n + k) and (k == 1 or not settles(n + k - 1))


def test_inconclusive_caps_suggestion() -> None:
    assert decide([-50.0, 50.0, 1.0], margin=1.0)["suggested_seeds"] == 50


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
