"""`gatebench calibrate --dataset`: real A/A studies, their observed winners, and bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.cli.main import main


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_real_aa_studies_count_the_winners_they_name(tmp_path: Path, capsys,
                                                   efficiency_once) -> None:
    out = tmp_path / "aa"
    args = ["calibrate", "--studies", "100", "--dataset", "italy-power", "--aa-studies", "2",
            "--seeds", "2", "--threads", "1", "--out", str(out), "--json"]
    code, stdout, err = _run(args, capsys)
    assert code == 0, err
    observed = json.loads(stdout)["observed"]
    assert observed["runs"] == 2 and observed["seeds"] == 2 and observed["cell"] == "lstm"
    assert sum(observed["outcomes"].values()) == 2
    assert 0 <= observed["winners"] <= observed["runs"]
    lo, hi = observed["ci"]
    assert 0.0 <= lo <= observed["rate"] <= hi <= 1.0 and hi > lo
    from gatebench.store import open_store
    with open_store(out) as store:
        studies = {s["study_id"]: s for s in store.studies()}
        assert set(studies) == {"aa-0", "aa-1"}
        seeds = sorted({r["seed"] for r in store.records()})
        assert seeds == [0, 1, 2, 3] and store.count() == 8  # independent seeds per run
    code, again, _ = _run(args, capsys)  # resumes: nothing retrained, the same answer
    assert code == 0 and json.loads(again)["observed"] == observed


@pytest.mark.parametrize("extra, message", [
    (["--aa-studies", "0"], "--aa-studies must be at least 1"),
    (["--seeds", "1"], "--seeds must be at least 2"),
    (["--cell", "gru2"], "no cell 'gru2'"),
])
def test_bad_aa_values_are_one_line(tmp_path: Path, capsys, extra, message) -> None:
    out = tmp_path / "bad"
    code, stdout, err = _run(["calibrate", "--dataset", "italy-power", *extra, "--out",
                              str(out)], capsys)
    assert code == 2 and stdout == "" and message in err and err.count("\n") == 1
    assert not out.exists()


def test_unknown_dataset_lists_the_known_ones(tmp_path: Path, capsys) -> None:
    code, _, err = _run(["calibrate", "--dataset", "imdb", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "no task 'imdb'" in err and "italy-power" in err
