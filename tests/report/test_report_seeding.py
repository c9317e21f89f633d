"""The adaptive-seeding section: one row per look, the stop reason, and a drawn figure."""

from __future__ import annotations

from pathlib import Path

from gatebench.report.blocks import FigureBlock, Paragraph, Table
from gatebench.report.load import StudyData
from gatebench.report.seeding import seeding

LOOKS = [
    {"pairs": 3, "estimate": -2.5, "ci": [-28.3, 23.2], "verdict": "inconclusive",
     "final": False},
    {"pairs": 4, "estimate": -9.5, "ci": [-20.1, -1.2], "verdict": "LSTM better", "final": True},
]


def _data(seeding_state: dict | None) -> StudyData:
    summary = {"unit": "points", "verdict": {"margin": 1.0}, "cells": {"gru": {}, "lstm": {}}}
    if seeding_state is not None:
        summary["seeding"] = seeding_state
    return StudyData(Path("."), summary)


def test_an_adaptive_study_gets_its_looks_and_stop_reason() -> None:
    section = seeding(_data({"method": "group-sequential t", "stopped": "decided at 4 pairs",
                             "looks": LOOKS}))
    assert section is not None and section.id == "seeding"
    text, table, figure = section.blocks
    assert isinstance(text, Paragraph) and "decided at 4 pairs" in text.text
    assert isinstance(table, Table) and [r[0] for r in table.rows] == ["3", "4"]
    assert table.rows[1][3:] == ["LSTM better", "stop"]
    assert isinstance(figure, FigureBlock) and figure.image is not None


def test_a_fixed_study_has_no_seeding_section() -> None:
    assert seeding(_data(None)) is None
    assert seeding(_data({"looks": []})) is None
