"""`advise --study`: the pick from the user's own compare study, scored as compare scores it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.advisor import Answers
from gatebench.advisor.study import priority_from, study_pick
from gatebench.analysis.decision import decide
from gatebench.cli.main import main
from gatebench.errors import DataError


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_the_study_answers_with_the_same_scoring_as_compare(crafted, tmp_path: Path,
                                                           capsys) -> None:
    folder = crafted.study(tmp_path / "mine", "equivalent within margin", 0.1, (-0.6, 0.8),
                           ratio=1.42, ratio_ci=(1.30, 1.55))
    summary = json.loads((folder / "summary.json").read_text())
    pick = study_pick(folder)
    assert pick == decide(summary) and pick.pick == "lstm"
    code, out, err = _run(["advise", "--study", str(folder), "--json"], capsys)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["pick"] == "lstm" and shown["decided_by"] == "training"
    assert shown["headline"].startswith("Pick LSTM: training 1.42\u00d7 faster")
    code, out, _ = _run(["advise", "--study", str(folder), "--no-input"], capsys)
    assert code == 0 and "Pick LSTM" in out and "The pick" in out


def test_a_winner_in_the_study_is_the_answer(crafted, tmp_path: Path) -> None:
    folder = crafted.study(tmp_path / "win", "GRU better", 1.3, (0.6, 2.0), ratio=1.42,
                           ratio_ci=(1.30, 1.55))
    pick = study_pick(folder, priority="training")
    assert (pick.pick, pick.decided_by) == ("gru", "quality")


def test_answers_set_the_priority_unless_it_is_given() -> None:
    assert priority_from(Answers(latency_budget_ms=5.0)) == "latency"
    assert priority_from(Answers(time_budget="fast")) == "training"
    assert priority_from(Answers()) == "quality"
    assert priority_from(Answers(latency_budget_ms=5.0), "training") == "training"


def test_bad_study_and_priority_fail_in_one_line(crafted, tmp_path: Path, capsys) -> None:
    folder = crafted.study(tmp_path / "s", "inconclusive", 0.1, (-3.0, 3.2))
    suite = crafted.suite(tmp_path / "suite", crafted.all_inconclusive())
    for args, message in ((["--study", str(tmp_path / "none")], "not found"),
                          (["--study", str(suite)], "--study takes a compare folder"),
                          (["--study", str(folder), "--priority", "speed"], "--priority")):
        code, out, err = _run(["advise", *args, "--no-input"], capsys)
        assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
    with pytest.raises(DataError):
        study_pick(suite)
