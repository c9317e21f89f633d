"""k-arm bake-offs: Holm's step-down over pairwise verdicts, the ranking and its ties."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from gatebench.analysis import summarize
from gatebench.analysis.karm import comparisons, holm_pairwise, rank_arms, ranking_text
from gatebench.analysis.rules import paired_rule
from gatebench.errors import SpecError

ARMS = ("gru", "lstm", "mingru", "minlstm")


def _records(make_record, means: dict[str, float], n: int = 8, sd: float = 0.004,
             seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [make_record(arm, k, float(mean + sd * rng.standard_normal()))
            for k in range(n) for arm, mean in means.items()]


def test_comparisons_all_pairs_or_against_a_reference() -> None:
    assert len(comparisons(ARMS)) == 6 and comparisons(ARMS)[0] == ("gru", "lstm")
    assert comparisons(ARMS, "lstm") == [("gru", "lstm"), ("mingru", "lstm"),
                                         ("minlstm", "lstm")]
    with pytest.raises(SpecError, match="--reference 'rnn' is not one of the arms"):
        comparisons(ARMS, "rnn")


def test_holm_step_down_matches_holm_on_p_values() -> None:
    # With the fixed rule, the step-down by decisions rejects what Holm's adjusted p-values do.
    rng = np.random.default_rng(3)
    for _ in range(30):
        diffs = {(f"a{i}", "ref"): list(rng.normal(rng.uniform(0, 1.5), 1.0, 8))
                 for i in range(4)}
        rows = holm_pairwise(diffs, margin=0.01, unit="points")
        p = np.array([paired_rule(np.array(d), 0.01, 0.05).p_value for d in diffs.values()])
        order = np.argsort(p)
        adjusted = np.minimum(np.maximum.accumulate(p[order] * (4 - np.arange(4))), 1)
        holm = np.empty(4)
        holm[order] = adjusted
        winners = [r["verdict"]["outcome"] in ("a_better", "b_better") for r in rows]
        assert winners == list(holm < 0.05)


def test_four_arms_rank_with_ties_where_the_data_cannot_separate(make_record) -> None:
    means = {"gru": 0.90, "lstm": 0.90, "mingru": 0.80, "minlstm": 0.70}
    s = summarize(_records(make_record, means), arms=ARMS)
    assert json.loads(json.dumps(s, allow_nan=False)) == s
    assert list(s["cells"]) == list(ARMS) and len(s["pairwise"]) == 6
    ranking = s["ranking"]
    ranks = {row["arm"]: row["rank"] for row in ranking["order"]}
    assert ranks["gru"] == ranks["lstm"] == 1 and ranks["mingru"] == 3
    assert ranks["minlstm"] == 4
    # equal means 0.4 points apart in spread: equivalent within the 1-point margin, so decided
    gru_lstm = s["pairwise"][0]
    assert gru_lstm["verdict"]["label"] == "equivalent within margin" and ranking["decided"]
    assert re.fullmatch(r"1\. (GRU, LSTM|LSTM, GRU) \(tied\) \u00b7 3\. MINGRU \u00b7 4\. MINLSTM",
                        ranking_text(ranking))
    # the two-arm keys describe the first comparison, gru − lstm, with its Holm verdict
    assert s["difference"]["what"] == "gru \u2212 lstm"
    assert s["verdict"] == s["pairwise"][0]["verdict"]
    big = [r for r in s["pairwise"] if (r["a"], r["b"]) == ("gru", "minlstm")][0]
    assert big["verdict"]["label"] == "GRU better" and big["holm"]["alpha"] == pytest.approx(
        0.05 / 6)


def test_reference_limits_the_comparisons(make_record) -> None:
    means = {"gru": 0.90, "lstm": 0.80, "mingru": 0.80, "minlstm": 0.70}
    s = summarize(_records(make_record, means), arms=ARMS, reference="lstm")
    assert [(r["a"], r["b"]) for r in s["pairwise"]] == [("gru", "lstm"), ("mingru", "lstm"),
                                                          ("minlstm", "lstm")]
    assert s["verdict"]["label"] == "GRU better" and s["ranking"]["reference"] == "lstm"
    ranks = {row["arm"]: row["rank"] for row in s["ranking"]["order"]}
    # better than the reference, not separated from it (with it), worse than it
    assert ranks == {"gru": 1, "lstm": 2, "mingru": 2, "minlstm": 4}


def test_two_arms_keep_their_verdict_and_gain_a_one_row_pairwise(make_pairs) -> None:
    s = summarize(make_pairs([0.85, 0.86, 0.84], [0.80, 0.81, 0.80]))
    assert len(s["pairwise"]) == 1 and s["pairwise"][0]["verdict"] == s["verdict"]
    assert s["ranking"]["order"][0]["arm"] == "gru" and s["ranking"]["decided"]


def test_an_a_a_family_names_no_winner_under_holm() -> None:
    # k identical arms: the family-wise rate of any winner stays near alpha (here 0 of 200
    # at 6 pairs is expected to be rare; the bound checked is the nominal rate plus MC error).
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(200):
        diffs = {c: list(rng.normal(0, 1, 6)) for c in comparisons(ARMS)}
        rows = holm_pairwise(diffs, margin=0.1, unit="points")
        hits += any(r["verdict"]["outcome"] in ("a_better", "b_better") for r in rows)
    assert hits / 200 <= 0.05 + 3 * (0.05 * 0.95 / 200) ** 0.5


def test_rank_orders_by_mean_within_a_rank_and_lower_is_better() -> None:
    pairwise = [{"a": "x", "b": "y", "verdict": {"outcome": "inconclusive"}}]
    ranking = rank_arms(("x", "y"), pairwise, {"x": 0.3, "y": 0.2}, higher_is_better=False)
    assert [r["arm"] for r in ranking["order"]] == ["y", "x"] and not ranking["decided"]
