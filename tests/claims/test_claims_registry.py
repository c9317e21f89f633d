"""The claims registry, the shared rules, the table rows and the no-torch promise."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gatebench.claims import (
    CLAIM_VERDICTS,
    ClaimResult,
    claim_ids,
    claims_rows,
    evaluate_claims,
    get_claim,
    key_number,
)
from gatebench.claims.base import effect, from_readings, split_by
from gatebench.errors import UnknownNameError

IDS = ["speed", "speed-architecture", "inference", "short", "small-data", "convergence", "long",
       "iteration", "cell-vs-rest", "contenders"]


def _suite(factory) -> list[dict]:
    """A little of every experiment, as the suite's runner would store it."""
    records = factory.step_timing(0.75) + factory.step_timing(0.75, impl="neutral")
    records += factory.latency(0.6) + factory.latency(
        0.6, mode="stream")
    records += factory.study("short/reviews", [0.80, 0.81, 0.79], [0.80, 0.80, 0.80])
    records += factory.study("small/reviews", [0.7] * 3, [0.71] * 3, data_fraction=0.1)
    records += factory.study("long/adding/T=100", [0.01, 0.02, 0.015], [0.16, 0.17, 0.165],
                             metric="mse", higher_is_better=False, baseline=0.167, seq_len=100)
    records += factory.study("iteration/reviews/lr=0.001", [0.8] * 3, [0.8] * 3,
                             gru_kw={"wall_per_epoch_s": 1.0})
    records += [factory.trial("short/x", "gru", 9, 0.8).tagged(test={"accuracy": float("nan")})]
    records += [factory.trial("contenders/reviews", cell, seed, 0.8 + 0.001 * seed)
                for cell in ("gru", "mingru") for seed in range(3)]
    records += [factory.trial("importance/x", cell, seed, 0.7 + 0.1 * (lr == "hi")).tagged(
                    importance={"point": f"{cell}{lr}", "levels": {"cell": cell, "lr": lr}})
                for cell in ("gru", "lstm") for lr in ("lo", "hi") for seed in range(2)]
    return records


def test_registry_lists_every_claim_in_order() -> None:
    assert claim_ids() == IDS
    assert get_claim("long").claim.statement.startswith("LSTM wins")


def test_unknown_claim_lists_known_ids() -> None:
    with pytest.raises(UnknownNameError,
                       match="no claim 'speedy'; known: cell-vs-rest, contenders, convergence"):
        evaluate_claims([], ["speedy"])
    with pytest.raises(UnknownNameError,
                       match="no claim 'nope'; known: cell-vs-rest, contenders, convergence"):
        evaluate_claims([], thresholds={"nope": {}})


def test_no_records_gives_not_run_for_every_claim() -> None:
    results = evaluate_claims([])
    assert [r["id"] for r in results] == IDS
    assert {(r["verdict"], r["reason"]) for r in results} == {("inconclusive", "not run")}


def test_full_suite_is_json_without_nan(claim_records) -> None:
    results = evaluate_claims(_suite(claim_records))
    text = json.dumps(results, allow_nan=False)
    assert all(r["verdict"] in CLAIM_VERDICTS for r in json.loads(text))
    assert all(r["reason"] != "not run" for r in results)
    assert all(set(e) >= {"label", "what", "value", "ci", "n", "task", "device", "runtime",
                          "detail"} for r in results for e in r["evidence"])


def test_selected_claims_and_thresholds(claim_records) -> None:
    records = claim_records.step_timing(0.80)
    assert evaluate_claims(records, ["speed"])[0]["verdict"] == "supported"
    stricter = evaluate_claims(records, ["speed"], thresholds={"speed": {"support": 0.7}})
    assert [r["verdict"] for r in stricter] == ["inconclusive"]


def test_claims_rows_format_the_key_number(claim_records) -> None:
    rows = claims_rows(evaluate_claims(_suite(claim_records), ["speed", "short", "iteration"]))
    assert [r["id"] for r in rows] == ["speed", "short", "iteration"]
    assert rows[0]["key"].startswith("0.75\u00d7 [")
    assert rows[1]["key"].endswith("points")
    assert key_number(effect("x", unit="ratio")) == "\u2013"
    assert key_number(effect("x", -0.5, (-1.0, 0.25), "epochs")) == (
        "\u22120.50 [\u22121.00, +0.25] epochs")


def test_from_readings_and_split_by() -> None:
    # the one rule on already-read rows: one for and none against supports (no majority vote)
    assert from_readings(["supported", "supported", "inconclusive"]) == "supported"
    assert from_readings(["supported", "inconclusive", "inconclusive"]) == "supported"
    assert from_readings(["supported", "refuted"]) == "mixed"
    assert from_readings(["refuted", "uninformative"]) == "refuted"
    assert from_readings([]) == "inconclusive"
    groups = {("cpu", "native", "params"): "refuted", ("cpu", "neutral", "params"): "supported",
              ("cpu", "native", "hidden"): "inconclusive"}
    assert split_by(groups, ("device", "kernel", "sizing")) == "kernel"
    assert split_by({("a",): "supported"}, ("x",)) is None


def test_result_rejects_a_verdict_outside_the_vocabulary() -> None:
    with pytest.raises(ValueError, match="not one of"):
        ClaimResult("speed", "s", "GRU better", "r", effect("x"))


def test_claims_do_not_import_torch() -> None:
    code = ("import sys, gatebench.claims; "
            "bad = [m for m in ('torch', 'pandas') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
