"""Report sections for tuned studies and importance studies, from crafted results (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

from gatebench.report.importance import build_importance_report, importance_section
from gatebench.report.load import StudyData
from gatebench.report.tuning import tuning_section

TUNING = {
    "space": {"lr": {"low": 2e-4, "high": 2e-2, "log": True, "integer": False}},
    "trials_per_arm": 3, "sampler": "Optuna TPE", "selection": "validation", "storage":
    "tuning.sqlite3",
    "arms": {label: {"cell": label, "best": {"lr": lr}, "best_value": 0.9, "default":
                     {"lr": 2e-3}, "default_value": 0.8, "gain_over_default": 0.1,
                     "trials": [{"number": i, "params": {"lr": 2e-3 * (i + 1)},
                                 "value": 0.8 + 0.05 * i, "state": "complete"}
                                for i in range(3)]}
             for label, lr in (("gru", 4e-3), ("lstm", 6e-3))},
}


def test_tuning_section_shows_each_arm_choice_and_gap() -> None:
    data = StudyData(Path("."), {"metric": "accuracy", "higher_is_better": True,
                                 "tuning": TUNING})
    section = tuning_section(data, draw=True)
    summary = section.blocks[1]
    assert [r[0] for r in summary.rows] == ["gru", "lstm"]
    assert summary.rows[0][2] == "lr 0.004" and summary.rows[0][6] == "+0.100"
    assert section.blocks[2].image is not None  # the search figure
    assert len(section.blocks[3].rows) == 6
    assert tuning_section(StudyData(Path("."), {"metric": "accuracy"})) is None


RESULT = {
    "task": {"name": "italy-power", "metric": "accuracy"},
    "design": {"kind": "2^(2-0) x 2 cells", "points": 8, "replicates": 2, "trials": 16},
    "factors": [{"name": "cell", "what": "the recurrent cell", "levels": ["gru", "lstm"]}],
    "method": "ANOVA", "cost": {"trial_s": 12.0, "executor": "local"},
    **{key: {"parts": [
        {"name": "lr", "share": 0.6, "ci": [0.4, 0.8], "level_means": {"0.0005": 0.6},
         "effect": {"value": 0.21, "ci": [0.18, 0.24], "what": "0.008 \u2212 0.0005"}},
        {"name": "cell", "share": 0.1, "ci": [0.0, 0.2], "level_means": {}},
        {"name": "seed", "share": 0.3, "ci": [None, None], "level_means": {}}]}
       for key in ("metric", "time")},
}


def test_importance_report_has_the_table_chart_and_method(tmp_path: Path) -> None:
    section = importance_section(RESULT)
    table = section.blocks[1]
    assert [r[0] for r in table.rows] == ["lr", "cell", "seed noise"]
    assert table.rows[0][2] == "60.0%" and table.rows[0][3] == "[40.0, 80.0]"
    assert table.rows[0][1] == "+0.21 [+0.18, +0.24] (0.008 \u2212 0.0005)"  # metric units
    assert section.blocks[2].image is not None
    html = build_importance_report(tmp_path, json.loads(json.dumps(RESULT)))
    text = html.read_text()
    assert "What matters more than the cell" in text and "data:image/png" in text
    assert "Method: ANOVA" in (tmp_path / "report.md").read_text()
    assert "hold for these ranges only" in text
