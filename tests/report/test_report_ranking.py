"""The report of a bake-off of four arms: a ranking section, Holm's pairwise table, one
colour per arm."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gatebench.analysis import summarize
from gatebench.report.blocks import FigureBlock, Paragraph, Table
from gatebench.report.build import render_report
from gatebench.report.figures import CELL_COLORS
from gatebench.report.load import StudyData
from gatebench.report.ranking import ranking_section
from tests.analysis.conftest import _make_record

ARMS = ("gru", "lstm", "mingru", "minlstm")


def _summary(arms=ARMS) -> dict:
    rng = np.random.default_rng(0)
    means = dict(zip(ARMS, (0.9, 0.9, 0.8, 0.7), strict=True))
    records = [_make_record(a, k, float(means[a] + 0.004 * rng.standard_normal()))
               for k in range(8) for a in arms]
    return summarize(records, arms=arms)


def test_four_arms_get_a_ranking_section_with_every_comparison(tmp_path: Path) -> None:
    section = ranking_section(StudyData(tmp_path, _summary()))
    assert section is not None and section.id == "ranking"
    text, table, figure = section.blocks
    assert isinstance(text, Paragraph) and "3. MINGRU" in text.text
    assert isinstance(table, Table) and len(table.rows) == 6
    assert [r[0] for r in table.rows][:3] == ["GRU \u2212 LSTM", "GRU \u2212 MINGRU",
                                              "GRU \u2212 MINLSTM"]
    assert isinstance(figure, FigureBlock) and figure.image is not None
    # every arm has its own colour
    assert len({CELL_COLORS[a] for a in ARMS}) == 4


def test_two_arms_have_no_ranking_section_and_four_arms_render(tmp_path: Path) -> None:
    assert ranking_section(StudyData(tmp_path, _summary(("gru", "lstm")))) is None
    report = render_report(StudyData(tmp_path, _summary()), draw=False)
    assert "ranking" in [s.id for s in report.sections]
    assert report.title.startswith("GRU vs LSTM vs MINGRU vs MINLSTM")
