"""The step floor and the health checks as a user meets them: compare, tasks, the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from gatebench.cli.display import render_health
from gatebench.cli.main import main
from gatebench.cli.tasks import _row, training_defaults
from gatebench.tasks.registry import get_task

# --executor local: one trial at a time in this process (auto would spawn a process pool,
# seconds of imports per test, for what these tests do not look at)
BASE = ["--text-col", "review", "--label-col", "sentiment", "--seeds", "1", "--max-epochs",
        "2", "--hidden", "16", "--embed-dim", "16", "--threads", "1", "--no-latency",
        "--executor", "local"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_compare_lowers_an_unset_batch_keeps_set_epochs_and_says_so(
        reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["compare", str(reviews_csv), *BASE, "--out", str(tmp_path / "s")],
                           capsys)
    assert code == 0
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    train = summary["protocol"]["train"]
    assert train["batch_size"] == 192 // 8 and train["max_epochs"] == 2  # 192 training rows
    notes = summary["study"]["training_floor"]
    assert any("64 \u2192 24" in n for n in notes)
    assert any("--max-epochs 2" in n and "kept because you set it" in n for n in notes)
    checks = {c["check"]: c for c in summary["health"]}
    assert checks["training-budget"]["status"] == "warn"
    assert "Training floor: --max-epochs 2" in " ".join(out.split())
    assert "training-budget:" in out


def test_compare_keeps_an_explicit_batch(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, _, _ = run_cli(["compare", str(reviews_csv), *BASE, "--batch-size", "64",
                          "--out", str(tmp_path / "s")], capsys)
    assert code == 0
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["protocol"]["train"]["batch_size"] == 64
    assert any("--batch-size 64" in n for n in summary["study"]["training_floor"])


def test_tasks_rows_carry_training_size_and_the_defaults_that_apply() -> None:
    row = _row(get_task("italy-power"))
    assert row["n_train"] == 53
    assert row["defaults"]["batch_size"] == 8 and row["defaults"]["max_epochs"] == 43
    assert row["defaults"]["floor_notes"]
    assert _row(get_task("text"))["n_train"] is None  # the user's file: known at run time
    assert training_defaults(10_000) == {"batch_size": 64, "max_epochs": 20, "patience": 3,
                                         "floor_notes": []}


CHECKS = [
    {"check": "still-improving", "status": "fail", "blocks_verdict": True,
     "message": "3 of 3 GRU trials were still improving: raise --patience (now 3)",
     "details": {}},
    {"check": "validation-granularity", "status": "warn", "blocks_verdict": False,
     "message": "the validation split has 14 rows", "details": {}},
    {"check": "diverged", "status": "ok", "blocks_verdict": False,
     "message": "no trial's loss diverged", "details": {}},
]


def _render(summary: dict) -> str:
    console = Console(record=True, width=200)
    render_health(summary, console)
    return console.export_text()


def test_terminal_shows_failed_and_warned_checks_with_what_to_change() -> None:
    text = _render({"health": CHECKS, "study": {"training_floor": ["batch size 64 \u2192 8"]}})
    assert "Training health" in text
    assert "\u2717 fail still-improving: 3 of 3 GRU trials were still improving: raise " \
           "--patience (now 3)" in text
    assert "! warn validation-granularity: the validation split has 14 rows" in text
    assert "no trial's loss diverged" not in text  # passed checks are not listed one by one
    assert "Training floor: batch size 64 \u2192 8" in text


def test_terminal_says_all_checks_passed_when_they_did() -> None:
    text = _render({"health": [CHECKS[2]]})
    assert "all 1 checks passed" in text and "fail" not in text
    assert _render({}) == ""  # an old summary without health prints nothing
