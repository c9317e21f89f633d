"""Every claim describes itself: topic, favoured cell, measure, the facts it reads, its timing."""

from __future__ import annotations

import pytest

from gatebench.claims import catalogue as cat
from gatebench.claims.catalogue import Claim
from gatebench.claims.registry import CLAIMS

ALL = [e.claim for e in CLAIMS.values()]


@pytest.mark.parametrize("claim", ALL, ids=[c.id for c in ALL])
def test_every_claim_declares_topic_favoured_cell_and_measure(claim: Claim) -> None:
    assert claim.topic in (cat.ACCURACY, cat.COST)
    assert claim.favours in (*cat.FOLKLORE_CELLS, cat.NEITHER)
    assert claim.measure in (cat.RATIO, cat.DIFFERENCE, cat.BY_UNIT)
    assert set(claim.reads) <= set(cat.ANSWERS)
    assert claim.cost_share > 0
    if claim.timed:  # a wall-clock number holds only on the machine measured
        assert "device" in claim.reads


def test_the_folklore_directions_are_the_statements_own() -> None:
    favoured = {c.id: c.favours for c in cat.CATALOGUE}
    assert favoured["long"] == cat.LSTM and favoured["short"] == cat.NEITHER
    assert all(favoured[c.id] == cat.GRU for c in cat.CATALOGUE
               if c.statement.startswith("GRU") and "matches" not in c.statement)
    cited = {c.id for c in ALL if c.question is not None}
    assert cited == {"speed", "inference", "short", "small-data", "convergence", "long",
                     "iteration"}
    assert {c.id for c in ALL if c.timed and c.question} == {"speed", "inference", "iteration"}


@pytest.mark.parametrize("field, value", [("topic", "speed"), ("favours", "mingru"),
                                          ("measure", "share"), ("reads", ("batch",))])
def test_an_undeclared_value_is_refused(field: str, value: object) -> None:
    fields = {"topic": cat.COST, "favours": cat.GRU, field: value}
    with pytest.raises(ValueError, match=field):
        Claim("x", "GRU does x", **fields)
