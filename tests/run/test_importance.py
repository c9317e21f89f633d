"""The importance design (fractions, factors, budget) and a tiny real study that resumes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from gatebench.api import importance
from gatebench.errors import SpecError, UnknownNameError
from gatebench.protocol import TaskSpec
from gatebench.protocol.design import build_design
from gatebench.run.importance import (
    IMPORTANCE_FILE,
    check_factors,
    default_factors,
    fraction_columns,
    min_budget,
    resolution,
)
from gatebench.store import open_store


@pytest.mark.parametrize(("m", "base"), [(3, 3), (4, 3), (5, 4), (6, 4), (4, 4)])
def test_fractions_are_balanced_and_resolution_four(m: int, base: int) -> None:
    rows, generators = fraction_columns(m, base)
    x = np.array(rows) * 2 - 1  # +-1 coding
    assert x.shape == (2 ** base, m) and len(generators) == m - base
    assert (x.sum(axis=0) == 0).all()  # each level equally often
    for i, j in itertools.combinations(range(m), 2):
        assert x[:, i] @ x[:, j] == 0  # main effects unconfounded with one another
    for i in range(m):  # ... and with every two-factor interaction (resolution IV)
        for j, k in itertools.combinations([c for c in range(m) if c != i], 2):
            assert x[:, i] @ (x[:, j] * x[:, k]) == 0
    assert len({tuple(r) for r in rows}) == len(rows)
    assert resolution(generators) in (None, 4, 5)


def test_five_factors_on_three_base_columns_are_refused() -> None:
    # E = AB would alias a main effect with an interaction (resolution III)
    with pytest.raises(ValueError, match="resolution IV"):
        fraction_columns(5, 3)


def test_budget_floor_and_factor_checks() -> None:
    assert min_budget(2, 4) == 32 and min_budget(2, 3) == 32 and min_budget(2, 5) == 64
    seq = TaskSpec.make("italy-power")
    assert default_factors("sequence") == ("cell", "lr", "hidden", "dropout", "normalise")
    with pytest.raises(UnknownNameError, match="known: cell, dropout, features"):
        check_factors(("cell", "lr", "momentum"), seq, "sequence")
    with pytest.raises(SpecError, match="'lookback' does not apply to italy-power"):
        check_factors(("cell", "lookback"), seq, "sequence")
    with pytest.raises(SpecError, match="'features' does not apply"):
        check_factors(("features",), TaskSpec.make("spoken-digits"), "audio")


TINY = {"max_epochs": 2, "hidden": 16, "threads": 1, "batch_size": 16}


def test_italy_power_study_runs_stores_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "imp"
    result = importance(dataset="italy-power", out=out, factors=("cell", "lr", "dropout"),
                        budget=16, resamples=30, **TINY)
    assert result["design"]["trials"] == 16 and result["design"]["replicates"] == 2
    names = {p["name"] for p in result["metric"]["parts"]}
    assert names == {"cell", "lr", "dropout", "interactions", "seed"}
    assert all(0.0 <= p["share"] <= 1.0 and len(p["ci"]) == 2
               for p in result["metric"]["parts"])
    lr = next(p for p in result["metric"]["parts"] if p["name"] == "lr")
    assert lr["effect"]["what"].count("\u2212") == 1 and len(lr["effect"]["ci"]) == 2
    assert set(result["ranges"]) == {"cell", "lr", "dropout"}
    assert "credited" in result["metric"] and "contrast" in result["metric"]
    assert json.loads((out / IMPORTANCE_FILE).read_text())["shares"].keys() == names
    assert "What matters more than the cell" in (out / "report.html").read_text()
    with open_store(out, create=False) as store:
        assert store.count() == 16
        assert {r["arm"] for r in store.records()} == {r["cell"] for r in store.records()}
        assert [s["kind"] for s in store.studies()] == ["importance"]
    again = importance(dataset="italy-power", out=out, factors=("cell", "lr", "dropout"),
                       budget=16, resamples=30, **TINY)
    assert again["cost"]["resumed"] == 16
    assert again["shares"] == result["shares"]


def test_bad_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    with pytest.raises(SpecError, match="needs 32 trials"):
        importance(dataset="italy-power", out=out, budget=20, **TINY)
    with pytest.raises(SpecError, match="--lr must be positive"):
        importance(dataset="italy-power", out=out, lr=0.0, **TINY)
    assert not (out / "results.sqlite").exists()


def test_importance_is_the_package_level_function() -> None:
    import gatebench

    assert gatebench.importance is importance and "importance" in gatebench.__all__
    assert callable(gatebench.importance)


def test_design_is_pure_protocol_maths() -> None:
    # no task data: the levels come from the spec and the loader's description alone
    from gatebench.api import study_spec, task_spec

    base = study_spec(task_spec(dataset="italy-power"), hidden=16).trials()[0]
    design = build_design(base, {}, ("gru", "lstm"), ("cell", "lr", "hidden", "dropout"), 32)
    assert design.to_dict()["points"] * design.replicates <= 32 and design.replicates >= 2
    assert {dict(p.levels)["cell"] for p in design.points} == {"gru", "lstm"}
