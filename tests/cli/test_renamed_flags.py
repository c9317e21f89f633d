"""Renamed flags (README: Glossary): the old name works for one release, says so in one line,
and reaches the same check as the new one; both at once is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatebench.cli.main import main
from tests.conftest import make_reviews

NOTE = "note: {old} is now {new}; the old name works in this release only"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture()
def reviews_csv(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.csv"
    make_reviews(60).to_csv(path, index=False)
    return path


# each old name with a value its command refuses: the refusal, naming the new flag, shows the
# old name's value reached the same check
RENAMED = [
    (["latency", "--repeats", "1"], "--repeats", "--calls", "--calls must be at least 2"),
    (["importance", "{csv}", "--text-col", "review", "--label-col", "sentiment", "--budget",
      "0"], "--budget", "--trials", "--trials must be positive, got 0"),
    (["calibrate", "--reps", "0"], "--reps", "--studies",
     "--studies must be a positive whole number, got 0"),
    (["calibrate", "--dataset", "italy-power", "--runs", "0"], "--runs", "--aa-studies",
     "--aa-studies must be at least 1"),
    (["calibrate", "--dataset", "italy-power", "--pairs", "1"], "--pairs", "--seeds",
     "--seeds must be at least 2"),
    (["advise", "--no-input", "--time-budget", "soon"], "--time-budget", "--time-per-run",
     "--time-per-run must be fast, normal, none"),
    (["compare", "{csv}", "--text-col", "review", "--label-col", "sentiment", "--budget",
      "-1"], "--budget", "--param-budget", "parameter budget must be positive"),
]


@pytest.mark.parametrize("args, old, new, refusal", RENAMED,
                         ids=[f"{r[0][0]} {r[1]}" for r in RENAMED])
def test_an_old_name_still_works_and_says_its_new_one(args, old, new, refusal, reviews_csv,
                                                      tmp_path, capsys) -> None:
    args = [a.replace("{csv}", str(reviews_csv)) for a in args]
    if args[0] in ("compare", "importance"):
        args += ["--out", str(tmp_path / "study")]
    code, out, err = run_cli(args, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0] == NOTE.format(old=old, new=new)
    assert len(lines) == 2 and refusal in lines[1]


def test_old_and_new_name_together_is_one_clear_error(capsys) -> None:
    code, out, err = run_cli(["latency", "--calls", "10", "--repeats", "5"], capsys)
    assert code == 2 and out == ""
    assert err.strip() == ("gatebench: error: --repeats and --calls are the same option "
                           "(renamed); give --calls only")


@pytest.mark.parametrize("command, old, new", [
    ("latency", "--repeats", "--calls"), ("importance", "--budget", "--trials"),
    ("calibrate", "--reps", "--studies"), ("calibrate", "--pairs", "--seeds"),
    ("advise", "--time-budget", "--time-per-run"), ("compare", "--budget", "--param-budget"),
])
def test_help_shows_the_new_name_only(command, old, new, capsys) -> None:
    code, out, _ = run_cli([command, "--help"], capsys)
    flags = {w.strip(",") for w in out.replace("│", " ").split() if w.startswith("--")}
    assert code == 0 and new in flags and old not in flags
