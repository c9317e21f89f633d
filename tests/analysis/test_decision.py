"""The pick (analysis.decision): quality first, then the cost factors in the priority's order."""

from __future__ import annotations

import json

import pytest

from gatebench.analysis.decision import EITHER, PRIORITIES, check_priority, decide
from gatebench.errors import SpecError


def summary(outcome: str = "equivalent", mean: float = 0.1, ci=(-0.8, 0.9),
            time_ratio=(1.0, 0.95, 1.05), latency=None, params=(1000, 1000),
            arms=("gru", "lstm"), **verdict) -> dict:
    """A compare summary as `gatebench compare` writes it, with only what the pick reads."""
    a, b = arms
    geo, lo, hi = time_ratio
    return {
        "cells": {a: {"cell": a, "params": {"core": params[0]}},
                  b: {"cell": b, "params": {"core": params[1]}}},
        "unit": "points",
        "difference": {"what": f"{a} \u2212 {b}"},
        "verdict": {"outcome": outcome, "mean": mean, "ci": list(ci), "margin": 1.0,
                    "unit": "points", **verdict},
        "time_ratio": {"what": f"{a} / {b} compute time per epoch", "geomean": geo,
                       "ci": [lo, hi], "concurrent": False},
        "latency": {"ratios": latency or []},
    }


def ratio(runtime: str, mode: str, value: float, lo: float, hi: float,
          top: str = "gru", bottom: str = "lstm") -> dict:
    return {"numerator": top, "denominator": bottom, "runtime": runtime, "mode": mode,
            "batch": 1, "p50_ratio": value, "p50_ratio_ci95": [lo, hi]}


def test_a_quality_winner_decides_whatever_the_costs_and_priority() -> None:
    s = summary("b_better", -1.3, (-2.0, -0.6), time_ratio=(0.7, 0.65, 0.75))
    for priority in PRIORITIES:
        pick = decide(s, priority)
        assert (pick.pick, pick.decided_by) == ("lstm", "quality")
    assert decide(s).to_dict()["headline"].startswith("Pick LSTM: LSTM better")


def test_equivalent_accuracy_then_training_time_decides_by_default() -> None:
    pick = decide(summary(time_ratio=(1.42, 1.30, 1.55)))  # GRU takes 1.42x the LSTM's time
    assert (pick.pick, pick.decided_by, pick.provisional) == ("lstm", "training", False)
    text = pick.to_dict()["headline"]
    assert text.startswith("Pick LSTM: training 1.42\u00d7 faster [1.30, 1.55]")
    assert "equivalent within \u00b11" in text


def test_latency_priority_reads_latency_before_training() -> None:
    s = summary(time_ratio=(1.42, 1.30, 1.55),
                latency=[ratio("onnx", "full", 0.80, 0.75, 0.85),
                         ratio("onnx", "step", 0.84, 0.80, 0.88)])
    assert decide(s, "quality").pick == "lstm"
    pick = decide(s, "latency")
    assert (pick.pick, pick.decided_by) == ("gru", "latency")
    assert [p["mode"] for p in pick.factor("latency").parts] == ["full", "step"]


def test_latency_rows_are_oriented_as_the_arms_and_mixed_runtimes_decide_nothing() -> None:
    flipped = [ratio("eager", "full", 1.25, 1.2, 1.3, top="lstm", bottom="gru")]
    latency = decide(summary(latency=flipped), "latency").factor("latency")
    assert latency.favours == "gru" and latency.parts[0]["ratio"] == pytest.approx(0.8)
    mixed = [ratio("eager", "full", 0.7, 0.6, 0.8), ratio("onnx", "full", 1.3, 1.2, 1.4)]
    pick = decide(summary(latency=mixed), "latency")
    assert pick.factor("latency").status == "depends on the runtime"
    assert decide(summary(latency=mixed), "latency", runtime="onnx").pick == "lstm"


def test_small_or_unclear_cost_differences_give_either() -> None:
    # significant but under 5%, and a wide interval: neither is a reason to prefer an arm
    for time_ratio in ((0.98, 0.97, 0.99), (0.6, 0.3, 1.2)):
        pick = decide(summary(time_ratio=time_ratio))
        assert pick.pick == EITHER and pick.decided_by is None
    assert decide(summary()).to_dict()["headline"].startswith("Either GRU or LSTM")


def test_undecided_quality_states_its_bound_and_the_pick_rests_on_cost() -> None:
    s = summary("inconclusive", 0.4, (-2.7, 3.6), time_ratio=(1.7, 1.6, 1.8))
    pick = decide(s)
    assert pick.pick == "lstm" and pick.provisional
    assert "within \u00b13.6 points" in pick.to_dict()["reasons"][0]
    s["seeding"] = {"bound": 3.1}  # the sequential rule's certified bound, from its last look
    assert "within \u00b13.1 points" in decide(s).to_dict()["reasons"][0]
    s["verdict"]["bound"] = 2.5  # ... or the verdict's own, when it carries one
    assert "within \u00b12.5 points" in decide(s).to_dict()["reasons"][0]


def test_timings_from_shared_machines_are_not_speed_evidence() -> None:
    s = summary(time_ratio=(1.5, 1.4, 1.6))
    s["time_ratio"]["concurrent"] = True
    assert decide(s).pick == EITHER and decide(s).factor("training").status == "not evidence"
    s["time_ratio"]["source"] = "interleaved timing pass"
    assert decide(s).pick == "lstm"


def test_arms_come_from_the_summary_not_a_literal_pair() -> None:
    s = summary(arms=("fast", "slow"), time_ratio=(0.5, 0.45, 0.55), params=(500, 1000))
    pick = decide(s)
    assert (pick.pick, pick.arms) == ("fast", ("fast", "slow"))
    assert decide(s).factor("size").favours == "fast"
    json.dumps(pick.to_dict(), allow_nan=False)  # summary.json takes it as is


@pytest.mark.parametrize("bad", ["speed", "", "QUALITYX"])
def test_bad_priority_is_one_clear_error(bad: str) -> None:
    with pytest.raises(SpecError, match="--priority takes one of: quality, training, latency"):
        check_priority(bad)
    assert check_priority(" Training ") == "training"


def k_arm_summary(outcomes: dict[tuple[str, str], str], ranking: list[tuple[str, int, list]],
                  time_ratios: dict[str, tuple[float, float, float]]) -> dict:
    """A four-arm summary: pairwise rows (Holm verdicts), the ranking, pairwise time ratios."""
    arms = ("gru", "lstm", "mingru", "minlstm")
    s = summary()
    s["cells"] = {a: {"cell": a, "params": {"core": 1000}} for a in arms}
    s["pairwise"] = [{"a": a, "b": b, "what": f"{a} \u2212 {b}", "mean": 0.0, "ci": [-1, 1],
                      "verdict": {"outcome": outcomes.get((a, b), "inconclusive"), "mean": 0.0,
                                  "ci": [-1.0, 1.0], "margin": 1.0, "unit": "points"}}
                     for i, a in enumerate(arms) for b in arms[i + 1:]]
    s["ranking"] = {"order": [{"arm": a, "rank": r, "beats": beats, "mean": 0.9}
                              for a, r, beats in ranking]}
    s["time_ratios"] = {k: {"what": k, "geomean": g, "ci": [lo, hi], "concurrent": False}
                        for k, (g, lo, hi) in time_ratios.items()}
    return s


def test_k_arms_tied_first_pick_the_fastest_of_them_and_say_which_tied() -> None:
    # GRU and MINGRU tie first (equivalent); the minimal cells' LSTM rival is worse; MINGRU
    # trains 1.6x faster than GRU: the pick is MINGRU, though it is the third arm.
    s = k_arm_summary(
        {("gru", "lstm"): "a_better", ("gru", "mingru"): "equivalent",
         ("gru", "minlstm"): "a_better", ("lstm", "mingru"): "b_better",
         ("mingru", "minlstm"): "a_better"},
        [("gru", 1, ["lstm", "minlstm"]), ("mingru", 1, ["lstm", "minlstm"]),
         ("lstm", 3, []), ("minlstm", 3, [])],
        {"gru/lstm": (0.8, 0.75, 0.85), "gru/mingru": (1.6, 1.5, 1.7),
         "lstm/mingru": (2.0, 1.9, 2.1)})
    pick = decide(s)
    assert (pick.pick, pick.decided_by) == ("mingru", "training")
    assert set(pick.arms) == {"gru", "mingru"}
    text = pick.to_dict()
    assert text["headline"].startswith("Pick MINGRU: training 1.60\u00d7 faster")
    assert "MINGRU, GRU tied first on accuracy" in " ".join(pick.notes)
    # the stored ratio runs the other way: read inverted, same pick
    s["time_ratios"] = {"mingru/gru": {"geomean": 1 / 1.6, "ci": [1 / 1.7, 1 / 1.5]}}
    assert decide(s).pick == "mingru"
    # no clear difference in time between the tied arms: either of them
    s["time_ratios"] = {"gru/mingru": {"geomean": 1.01, "ci": [0.97, 1.05]}}
    assert decide(s).pick == EITHER


def test_k_arms_ranked_first_alone_is_picked_on_quality() -> None:
    s = k_arm_summary(
        {("gru", "lstm"): "inconclusive", ("lstm", "mingru"): "a_better",
         ("lstm", "minlstm"): "a_better", ("gru", "minlstm"): "a_better",
         ("gru", "mingru"): "inconclusive", ("mingru", "minlstm"): "inconclusive"},
        [("lstm", 1, ["mingru", "minlstm"]), ("gru", 2, ["minlstm"]),
         ("mingru", 2, []), ("minlstm", 3, [])],
        {"gru/lstm": (0.5, 0.45, 0.55)})
    s["ranking"]["order"][1]["rank"] = 1  # gru not beaten either: tied with lstm
    pick = decide(s)
    assert pick.pick == "gru" and pick.decided_by == "training"  # tied: the faster, GRU
    s["pairwise"][0]["verdict"]["outcome"] = "b_better"  # LSTM beats GRU: LSTM alone first
    s["ranking"]["order"][0]["beats"] = ["gru", "mingru", "minlstm"]
    s["ranking"]["order"][1]["rank"] = 2
    pick = decide(s)
    assert (pick.pick, pick.decided_by) == ("lstm", "quality")
    assert pick.to_dict()["headline"].startswith("Pick LSTM: LSTM better")
    assert "LSTM is ranked first alone" in pick.notes[-1]
