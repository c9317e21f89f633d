"""`gatebench suite` as a user runs it: the claims table, --json, exit status 2 on bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.claims.registry import claim_ids
from gatebench.cli.main import main
from tests.conftest import make_reviews
from tests.run.test_suite import tiny_plan


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def toy_profile(tmp_path: Path, monkeypatch) -> None:
    """The quick profile's shape at toy sizes, so the command runs in seconds."""
    make_reviews().to_csv(tmp_path / "reviews.csv", index=False)
    plan = tiny_plan(tmp_path / "reviews.csv")
    monkeypatch.setattr("gatebench.cli.suite.plan_suite", lambda profile, claims: plan)
    # No shipped measurements either: the cost line must come from this test's own runs.
    monkeypatch.setattr("gatebench.run.suite.shipped_path", lambda: tmp_path / "none.json")


def test_suite_json_prints_only_json_and_a_rerun_prints_the_table(toy_profile, tmp_path: Path,
                                                                   capsys) -> None:
    # One fresh run (the toy suite is the slowest part of this file): --json first, where
    # stray progress on stdout would show, then the table from the stored run.
    code, out, err = run_cli(["suite", "--out", str(tmp_path / "s"), "--json"], capsys)
    assert code == 0
    assert "no measured run to estimate the cost from yet" in err  # a fresh folder
    assert json.loads(out) == json.loads((tmp_path / "s" / "claims.json").read_text())
    code, out, err = run_cli(["suite", "--out", str(tmp_path / "s")], capsys)
    assert code == 0
    assert "estimated from the measurements of the run in" in err  # its own stored run
    assert "gatebench suite: GRU vs LSTM rules of thumb" in out
    assert all(claim in out for claim in claim_ids())
    assert "report.html" in out and (tmp_path / "s" / "claims.json").is_file()


@pytest.mark.parametrize("args, words", [
    (["--profile", "huge"], ["no profile 'huge'", "full, quick"]),
    (["--claims", "speed,magic"], ["no claim 'magic'", "speed"]),
    (["--executor", "slurm"], ["no executor 'slurm'"]),
])
def test_bad_options_one_line_exit_2(tmp_path: Path, capsys, args, words) -> None:
    code, out, err = run_cli(["suite", "--out", str(tmp_path / "s"), *args], capsys)
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert all(w in line for w in words), line
    assert not (tmp_path / "s").exists()


def test_plan_prints_the_studies_and_cost_and_runs_nothing(tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["suite", "--plan", "--out", str(tmp_path / "s")], capsys)
    assert code == 0 and not (tmp_path / "s").exists()
    assert out.startswith("Profile quick: ") and "min on 2 CPU cores" in out
    assert "short/italy-power: 16 trials, 8 seeds, up to 120 epochs (patience 30)" in out
    assert "small/rotten-tomatoes/f=0.1" in out and "no early stopping" in out
    assert "note: adding left out of quick" in out
