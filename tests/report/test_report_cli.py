"""`gatebench report STUDY_DIR`: writes the report; no study is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatebench.cli.main import main


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_report_command_writes_both_files(study, capsys) -> None:
    folder = study("cli")
    code, out, err = _run(["report", str(folder)], capsys)
    assert code == 0, err
    assert out.strip() == f"Report: {folder / 'report.html'} (and report.md)"
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()


@pytest.mark.parametrize("name, words", [("missing", "no study folder"),
                                         ("", "holds no results")])
def test_missing_or_empty_study_is_one_line_exit_2(tmp_path: Path, capsys, name,
                                                   words) -> None:
    code, out, err = _run(["report", str(tmp_path / name)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ") and words in err


def test_report_needs_a_folder_argument(capsys) -> None:
    code, _, err = _run(["report"], capsys)
    assert code == 2 and "study_dir" in err.lower()
