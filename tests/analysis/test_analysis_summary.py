"""summarize / learning_curve / summary_frame on crafted records."""

from __future__ import annotations

import json

import pytest

from gatebench.analysis import (
    INCONCLUSIVE,
    learning_curve,
    pair_records,
    summarize,
    summary_frame,
)
from gatebench.errors import GatebenchError, SpecError

SUMMARY_KEYS = {
    "task",
    "failures",
    "health",
    "metric",
    "higher_is_better",
    "unit",
    "data_fraction",
    "data_fractions",
    "n_pairs",
    "skipped_pairs",
    "seeds",
    "cells",
    "difference",
    "time_ratio",
    "total_time_ratio",
    "verdict",
    "protocol",
    "pairwise",
    "ranking",
}
CELL_KEYS = {
    "cell",
    "overrides",
    "hidden_size",
    "params",
    "n_trials",
    "n_diverged",
    "kernels",
    "device",
    "threads",
    "test",
    "train_compute_s",
    "per_epoch_s",
    "time_to_best_s",
    "epochs_to_best",
    "epochs_run",
}


def _json(summary: dict) -> dict:
    return json.loads(json.dumps(summary, allow_nan=False))


def test_summary_shape_and_values(make_pairs) -> None:
    recs = make_pairs([0.85, 0.86, 0.84], [0.80, 0.81, 0.80])
    s = summarize(recs)
    assert set(s) == SUMMARY_KEYS and _json(s) == s
    assert list(s["cells"]) == ["gru", "lstm"] and set(s["cells"]["gru"]) == CELL_KEYS
    assert s["task"] == {"name": "toy", "family": "synthetic", "description": {"kind": "classify"}}
    assert s["metric"] == "accuracy" and s["unit"] == "points" and s["n_pairs"] == 3
    assert s["difference"]["values"] == pytest.approx([5.0, 5.0, 4.0])
    assert s["difference"]["what"] == "gru \u2212 lstm"
    assert s["verdict"]["label"] == "GRU better"
    gru = s["cells"]["gru"]
    assert gru["params"] == {"core": 4000, "total": 9000, "budget": 4032}
    assert gru["test"]["mean"] == pytest.approx(0.85)
    assert gru["test"]["ci"][0] <= 0.85 <= gru["test"]["ci"][1]
    assert gru["kernels"] == ["aten::gru"] and s["cells"]["lstm"]["kernels"] == ["mkldnn_rnn_layer"]
    assert gru["epochs_to_best"] == {"mean": 3.0, "values": [3, 3, 3]}
    assert s["protocol"]["sizing"]["match"] == "params" and s["protocol"]["margin"] == 1.0
    assert s["protocol"]["concurrent"] is False


def test_time_ratios(make_record) -> None:
    recs = []
    for seed, (g, lv) in enumerate([(0.8, 1.0), (0.9, 1.0), (1.0, 1.0)]):
        recs.append(make_record("gru", seed, per_epoch_s=g, train_compute_s=10 * g))
        recs.append(make_record("lstm", seed, per_epoch_s=lv, train_compute_s=20 * lv))
    s = summarize(recs)
    assert s["time_ratio"]["geomean"] == pytest.approx((0.8 * 0.9) ** (1 / 3))
    assert s["time_ratio"]["values"] == pytest.approx([0.8, 0.9, 1.0])
    assert s["time_ratio"]["what"] == "gru / lstm compute time per epoch"
    assert s["total_time_ratio"]["geomean"] == pytest.approx(0.5 * (0.8 * 0.9) ** (1 / 3))
    lo, hi = s["time_ratio"]["ci"]
    assert lo < s["time_ratio"]["geomean"] < hi


def test_equivalent_and_inconclusive_through_summary(make_pairs) -> None:
    eq = summarize(make_pairs([0.801, 0.799, 0.800, 0.802], [0.800, 0.800, 0.801, 0.800]))
    assert eq["verdict"]["label"] == "equivalent within margin"
    inc = summarize(make_pairs([0.80], [0.75]))
    assert inc["verdict"]["label"] == INCONCLUSIVE and inc["verdict"]["suggested_seeds"] == 3
    assert inc["cells"]["gru"]["test"]["ci"] == [None, None]
    assert _json(inc) == inc


def test_error_metric_sign_convention(make_pairs) -> None:
    recs = make_pairs([0.9, 0.92, 0.88], [1.0, 1.0, 1.0], metric="mae", higher_is_better=False)
    s = summarize(recs)
    assert s["unit"] == "% lower error"
    assert s["difference"]["values"] == pytest.approx([10.0, 8.0, 12.0])
    assert s["verdict"]["label"] == "GRU better"
    assert "% lower error" in s["verdict"]["text"]


def test_diverged_accuracy_trial_counts_as_a_loss(make_record, make_pairs) -> None:
    recs = make_pairs([0.85, 0.86, 0.84], [0.80, 0.81, 0.80])
    recs[0] = make_record("gru", 0, None, status="diverged", train_compute_s=2.0)
    recs[2] = make_record("gru", 1, 0.60, status="diverged")  # recorded value is used
    s = _json(summarize(recs))
    assert s["difference"]["values"] == pytest.approx([-80.0, -21.0, 4.0])
    assert s["cells"]["gru"]["n_diverged"] == 2 and s["cells"]["lstm"]["n_diverged"] == 0
    assert s["cells"]["gru"]["test"]["values"] == pytest.approx([0.0, 0.60, 0.84])
    assert len(s["time_ratio"]["values"]) == 3  # per-epoch speed still measured
    assert len(s["total_time_ratio"]["values"]) == 1  # totals of diverged runs are not comparable
    assert "diverged" in s["protocol"]["diverged_rule"]


def test_diverged_error_metric_trial(make_record, make_pairs) -> None:
    recs = make_pairs([0.9, 0.9, 0.9], [1.0, 1.0, 1.0], metric="rmse", higher_is_better=False)
    recs[1] = make_record(
        "lstm", 0, float("nan"), metric="rmse", higher_is_better=False, status="diverged"
    )
    recs[2] = make_record("gru", 1, None, metric="rmse", higher_is_better=False, status="diverged")
    s = summarize(recs)
    assert s["difference"]["values"] == pytest.approx([100.0, -100.0, 10.0])
    assert s["cells"]["gru"]["test"]["values"] == [0.9, None, 0.9]  # infinite error -> None
    assert s["cells"]["gru"]["test"]["mean"] == pytest.approx(0.9)
    assert _json(s) == s


def test_incomplete_pairs_are_skipped(make_record, make_pairs) -> None:
    recs = make_pairs([0.85, 0.86], [0.80, 0.81]) + [make_record("gru", 7, 0.9)]
    pairs = pair_records(recs)
    assert len(pairs) == 2 and pairs.skipped == 1
    assert set(pairs[0]) == {"pair_key", "seed", "data_fraction", "gru", "lstm"}
    assert [p["seed"] for p in pairs] == [0, 1]
    s = summarize(recs)
    assert s["n_pairs"] == 2 and s["skipped_pairs"] == 1 and s["cells"]["gru"]["n_trials"] == 2


def test_pairing_ignores_other_cells_and_duplicates(make_record, make_pairs) -> None:
    recs = make_pairs([0.8], [0.7]) + [make_record("rnn", 0, 0.5), make_record("gru", 0, 0.1)]
    pairs = pair_records(recs)
    assert len(pairs) == 1 and pairs.skipped == 0 and pairs[0]["gru"]["test"]["accuracy"] == 0.8


def test_data_fractions_and_learning_curve(make_pairs) -> None:
    full = make_pairs([0.85, 0.86], [0.80, 0.81])
    half = make_pairs([0.70, 0.72], [0.71, 0.69], data_fraction=0.5, train_loss=0.2, val_loss=0.5)
    s = summarize(full + half)
    assert s["data_fraction"] == 1.0 and s["data_fractions"] == [0.5, 1.0]
    assert s["cells"]["gru"]["test"]["mean"] == pytest.approx(0.855)
    s_half = summarize(full + half, fraction=0.5)
    assert s_half["cells"]["gru"]["test"]["mean"] == pytest.approx(0.71)
    curve = learning_curve(full + half)
    assert [row["data_fraction"] for row in curve] == [0.5, 1.0]
    assert curve[0]["gru"]["mean"] == pytest.approx(0.71)
    assert curve[0]["gru"]["gap"]["mean"] == pytest.approx(0.5 - 0.2)  # val - train
    assert curve[1]["lstm"]["gap"]["values"] == pytest.approx([0.1, 0.1])
    assert curve[1]["difference"]["mean"] == pytest.approx(5.0)
    json.dumps(curve, allow_nan=False)


def test_concurrent_trials_are_flagged(make_pairs) -> None:
    recs = make_pairs([0.85, 0.86], [0.80, 0.81])
    recs[3] = recs[3].tagged(concurrent=True)
    s = summarize(recs)
    assert s["protocol"]["concurrent"] is True and s["time_ratio"]["concurrent"] is True


def test_summary_errors(make_record, make_pairs) -> None:
    with pytest.raises(GatebenchError, match="run gatebench compare first"):
        summarize([])
    with pytest.raises(GatebenchError, match="no complete gru/lstm pair.*1 incomplete"):
        summarize([make_record("gru", 0)], arms=("gru", "lstm"))
    mixed = make_pairs([0.8], [0.7]) + make_pairs([0.8], [0.7], metric="mae", task="other")
    with pytest.raises(GatebenchError, match="one study at a time"):
        summarize(mixed)
    with pytest.raises(GatebenchError, match="no complete gru/lstm pair"):
        summarize(make_pairs([0.8], [0.7]), arms=("gru", "lstm", "rnn"))
    with pytest.raises(SpecError, match="two arms or more, got gru"):
        summarize([make_record("gru", 0)])


def test_summary_frame_columns(make_pairs) -> None:
    df = summary_frame(summarize(make_pairs([0.85, 0.86, 0.84], [0.80, 0.81, 0.80])))
    assert list(df.columns) == [
        "arm",
        "cell",
        "hidden_size",
        "params",
        "params_total",
        "metric",
        "mean",
        "ci_lo",
        "ci_hi",
        "train_s",
        "per_epoch_s",
        "epochs_to_best",
        "n_trials",
        "n_diverged",
    ]
    assert list(df["cell"]) == ["gru", "lstm"] and df.loc[0, "hidden_size"] == 37
    assert df.loc[1, "mean"] == pytest.approx(0.8033333)


def test_identical_values_give_no_zero_width_interval(make_pairs) -> None:
    # both arms saturate at 1.0 in every pair: no spread, so no interval is shown as a finding
    s = summarize(make_pairs([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]))
    assert s["difference"]["ci"] == [None, None]
    assert s["cells"]["gru"]["test"]["ci"] == [None, None]
    assert s["verdict"]["label"] == "uninformative" and s["verdict"]["ci"] == [None, None]
