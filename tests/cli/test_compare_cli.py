"""`gatebench compare` as a user runs it: output, --json, exit status 2, kill and resume."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gatebench.cli.main import main

BASE = ["--text-col", "review", "--label-col", "sentiment", "--seeds", "2", "--max-epochs",
        "2", "--hidden", "16", "--embed-dim", "16", "--threads", "1"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_compare_prints_table_and_verdict(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(["compare", str(reviews_csv), *BASE, "--out", str(tmp_path / "s")],
                           capsys)
    assert code == 0
    assert "Verdict:" in out and "GRU" in out and "LSTM" in out and "kernel" in out
    # stderr is no terminal here, so each finished trial is logged as a line
    assert re.search(r"^\[4/4\] (GRU|LSTM) seed \d: test accuracy [\d.]+", err, re.M), err
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["n_pairs"] == 2
    assert (tmp_path / "s" / "report.html").is_file() and "report.html" in out
    assert "Inference latency GRU/LSTM (p50, batch 1, one streaming step): eager" in out
    assert {r["runtime"] for r in summary["latency"]["ratios"]} == {"eager", "torchscript",
                                                                   "onnx"}
    assert "Inference latency" in (tmp_path / "s" / "report.md").read_text()
    # the pick ends the output, the same as summary.json's `decision` and the report's top
    decision = summary["decision"]
    assert decision["pick"] in ("gru", "lstm", "either") and decision["priority"] == "quality"
    assert {f["name"] for f in decision["factors"]} == {"quality", "training", "latency",
                                                       "size"}
    assert "The pick, for this data on this hardware" in out
    assert out.index("Verdict:") < out.index("The pick")
    assert decision["headline"] in (tmp_path / "s" / "report.md").read_text()
    assert "Seeds: 2 fixed pairs; pick priority: quality." in err


def test_json_flag_prints_only_json(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["compare", str(reviews_csv), *BASE, "--executor", "local", "--out",
                            str(tmp_path / "s"), "--json"], capsys)
    assert code == 0
    summary = json.loads(out)  # nothing but JSON on stdout
    assert summary == json.loads((tmp_path / "s" / "summary.json").read_text())
    assert set(summary["cells"]) == {"gru", "lstm"}


def test_no_latency_leaves_it_out(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["compare", str(reviews_csv), *BASE, "--seeds", "1", "--no-latency",
                            "--executor", "local", "--out", str(tmp_path / "s")], capsys)
    assert code == 0 and "Inference latency" not in out
    assert "latency" not in json.loads((tmp_path / "s" / "summary.json").read_text())
    assert not (tmp_path / "s" / "latency.json").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["compare", "missing.csv", *BASE], ["not found"]),
        (["compare", "{csv}", *BASE[:2], "--label-col", "stars"], ["no column 'stars'"]),
        (["compare", "{csv}", *BASE, "--seeds", "0"], ["--seeds"]),
        (["compare", "{csv}", *BASE, "--param-budget", "-1"], ["budget"]),
        (["compare", "{csv}", *BASE, "--cells", "gru,gru2"], ["no cell 'gru2'", "gru, lstm"]),
        (["compare", "--dataset", "imdb"], ["no task 'imdb'", "rotten-tomatoes"]),
        (["compare"], ["data file or --dataset"]),
        (["compare", "{csv}", "--seeds", "many"], ["--seeds takes a number", "'auto'"]),
        (["compare", "{csv}", *BASE, "--executor", "slurm"],
         ["no executor 'slurm'", "local, process, ray"]),
        (["compare", "{csv}", *BASE, "--address", "127.0.0.1:1"], ["--address needs"]),
        (["compare", "{csv}", *BASE, "--executor", "process", "--workers", "0"], ["--workers"]),
        (["compare", "{csv}", *BASE, "--executor", "local", "--cpus-per-trial", "2"],
         ["--cpus-per-trial needs"]),
        (["compare", "{csv}", *BASE, "--executor", "process", "--gpus-per-trial", "1"],
         ["--gpus-per-trial needs --executor ray"]),
    ],
)
def test_bad_input_one_line_exit_2(reviews_csv, tmp_path, capsys, args, words) -> None:
    args = [a.replace("{csv}", str(reviews_csv)) for a in args] + ["--out", str(tmp_path / "o")]
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ")
    assert "Traceback" not in err and out == ""
    for word in words:
        assert word in err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_process_executor_runs_trials_side_by_side(reviews_csv: Path, tmp_path: Path,
                                                   capsys) -> None:
    out = tmp_path / "parallel"
    code, stdout, _ = run_cli(["compare", str(reviews_csv), *BASE, "--executor", "process",
                               "--workers", "2", "--out", str(out)], capsys)
    assert code == 0 and "Verdict:" in stdout and "side by side" in stdout
    with sqlite3.connect(out / "results.sqlite") as conn:
        ids = [r[0] for r in conn.execute("SELECT spec_id FROM trials")]
    assert len(ids) == len(set(ids)) == 4
    assert json.loads((out / "summary.json").read_text())["protocol"]["concurrent"] is True


# A study that dies like kill -9 right after its k-th trial is stored: os._exit runs no
# cleanup, no atexit, no finally; deterministic where a timed kill from outside is not.
DIE_AFTER = """
import os, sys
import gatebench.run.study_timing
from gatebench.api import compare
from gatebench.run.progress import StudyProgress

gatebench.run.study_timing.MIN_ROUND_S = 0.0  # one pass a round, as in-process tests (conftest)

class DiesAfter(StudyProgress):
    stored = 0

    def trial_end(self, record):
        super().trial_end(record)
        DiesAfter.stored += 1
        if DiesAfter.stored == int(sys.argv[3]):
            os._exit(137)

compare(sys.argv[1], out=sys.argv[2], progress=DiesAfter(), latency=False, seeds=3,
        max_epochs=4, hidden=16, embed_dim=16, threads=1,
        task_options={"text_col": "review", "label_col": "sentiment"})
"""


def test_killed_run_resumes_with_one_row_per_trial(reviews_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    died = subprocess.run([sys.executable, "-c", DIE_AFTER, str(reviews_csv), str(out), "2"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert died.returncode == 137, died.stderr
    db = out / "results.sqlite"
    assert _rows(db) == 2  # both stored trials survive the kill, nothing half-written
    args = [sys.executable, "-m", "gatebench.cli", "compare", str(reviews_csv), *BASE,
            "--seeds", "3", "--max-epochs", "4", "--no-latency", "--executor", "local",
            "--out", str(out)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _rows(db) == 6
    with sqlite3.connect(db) as conn:
        ids = [r[0] for r in conn.execute("SELECT spec_id FROM trials")]
    assert len(ids) == len(set(ids)) == 6


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
    except sqlite3.Error:
        return 0

