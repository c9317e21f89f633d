"""Claim cell-vs-rest from importance-study records: supported, refuted, one family only."""

from __future__ import annotations

import itertools

import numpy as np

from gatebench.claims import evaluate_claims
from gatebench.claims.cell_vs_rest import CELL_VS_REST, decide
from gatebench.claims.evidence import Evidence
from gatebench.protocol.record import TaskDescription, TrialRecord


def importance_records(task: str, family: str, effects: dict[str, float], noise: float = 0.01,
                       seed: int = 0) -> list[TrialRecord]:
    """A replicated 2^3 design over cell, lr, hidden as `gatebench importance` stores it."""
    rng = np.random.default_rng(seed)
    records = []
    points = itertools.product(("gru", "lstm"), ("0.0005", "0.008"), ("32", "128"))
    for point, (cell, lr, hidden) in enumerate(points):
        levels = {"cell": cell, "lr": lr, "hidden": hidden}
        mean = 0.7 + sum(effects.get(f, 0.0) * (v == max(levels_of(f)))
                         for f, v in levels.items())
        for replicate in range(3):
            records.append(TrialRecord(
                spec_id=f"{task}-{point}-{replicate}", pair_key=f"{task}-{point}-{replicate}",
                study_id=f"importance/{task}", cell=cell, seed=replicate, metric="accuracy",
                test={"accuracy": mean + noise * rng.normal()},
                task=TaskDescription(task, family),
                importance={"point": point, "levels": levels, "replicate": replicate},
            ))
    return records


def levels_of(factor: str) -> tuple[str, str]:
    return {"cell": ("gru", "lstm"), "lr": ("0.0005", "0.008"), "hidden": ("128", "32")}[factor]


def test_lr_outweighs_cell_on_two_families_supports() -> None:
    records = (importance_records("italy-power", "sequence", {"lr": 0.2, "cell": 0.01})
               + importance_records("sunspots", "forecast", {"hidden": 0.1, "lr": 0.05}))
    result = decide(Evidence.from_records(records), resamples=200)
    assert result.verdict == "supported", result.reason
    assert {e["task"] for e in result.evidence} == {"italy-power", "sunspots"}
    assert all(e["ci"][0] > 0 for e in result.evidence)


def test_cell_dominating_refutes() -> None:
    records = (importance_records("a", "sequence", {"cell": 0.3, "lr": 0.01})
               + importance_records("b", "forecast", {"cell": 0.3}, seed=1))
    assert decide(Evidence.from_records(records), resamples=200).verdict == "refuted"


def test_one_family_is_not_enough() -> None:
    records = (importance_records("a", "sequence", {"lr": 0.2})
               + importance_records("b", "sequence", {"lr": 0.2}, seed=1))
    result = decide(Evidence.from_records(records), resamples=200)
    assert result.verdict == "inconclusive" and "needs 2 families" in result.reason


def test_no_importance_study_is_not_run() -> None:
    [result] = evaluate_claims([], [CELL_VS_REST.id])
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")


def test_rows_state_ranges_effects_and_worst_scored_trials() -> None:
    records = (importance_records("italy-power", "sequence", {"lr": 0.2, "cell": 0.01})
               + importance_records("sunspots", "forecast", {"hidden": 0.1, "lr": 0.05}))
    records[0] = records[0].tagged(status="diverged", test={})
    result = decide(Evidence.from_records(records), resamples=200).to_dict()
    italy = next(r for r in result["evidence"] if r["task"] == "italy-power")
    assert italy["ranges"]["lr"] == ["0.0005", "0.008"]
    assert "over cell gru/lstm; lr 0.0005/0.008" in italy["detail"]
    assert "1 trials scored as the worst" in italy["detail"]
    lr = next(p for p in italy["parts"] if p["name"] == "lr")
    assert 0.1 < lr["effect"]["value"] < 0.3  # in accuracy units, not a share
    assert result["reason"].startswith("2 of 2 tasks informative, 2 for, 0 against")


def test_a_cell_that_only_interacts_is_credited() -> None:
    records = []
    for task, family in (("a", "sequence"), ("b", "forecast")):
        recs = importance_records(task, family, {"lr": 0.05})
        for r in recs:  # the cell flips the learning rate's effect: cell x lr, no main effect
            lv = r["importance"]["levels"]
            r["test"]["accuracy"] += 0.2 * ((lv["cell"] == "lstm") == (lv["lr"] == "0.008"))
        records += recs
    result = decide(Evidence.from_records(records), resamples=200)
    assert result.verdict == "refuted", result.reason
