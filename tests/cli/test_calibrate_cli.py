"""`gatebench calibrate` as a user runs it: table, --json, --markdown, exit status 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gatebench.analysis.calibration import (
    DEFAULT_REPS,
    calibration_report,
    markdown_table,
    simulated_table,
)
from gatebench.cli.main import main

README = Path(__file__).resolve().parents[2] / "README.md"


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_json_is_deterministic_and_lists_every_rule(capsys) -> None:
    code, out, err = run_cli(["calibrate", "--studies", "200", "--json"], capsys)
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["reps"] == 200 and report["seed"] == 0
    assert {r["rule"] for r in report["rows"]} == {"paired", "sequential", "success", "holm",
                                                   "ratio"}
    rerun = next(r for r in report["rows"] if r["design"].startswith("rerun"))
    assert rerun["rule"] == "sequential" and rerun["estimand"].startswith("median")
    fw = report["rows"][0]["false_winner_normal"]
    assert 0 <= fw["mc"][0] <= fw["rate"] <= fw["mc"][1] <= 1
    assert run_cli(["calibrate", "--studies", "200", "--json"], capsys)[1] == out
    assert json.loads(json.dumps(simulated_table(200, seed=1))) != report["rows"]


def test_table_and_markdown(capsys, efficiency_once) -> None:
    code, out, _ = run_cli(["calibrate", "--studies", "100"], capsys)
    assert code == 0 and "how often the verdicts are wrong" in out and "sequential" in out
    code, out, _ = run_cli(["calibrate", "--studies", "100", "--markdown"], capsys)
    assert code == 0 and out.startswith("| rule | estimand | design | false winners, normal "
                                        "null | false winners, heavy-tailed null |")
    for words in ("skewed null, 10% fail", "skewed null, 20% fail", "rerun: max 20, then "
                  "--max-seeds 40", "batches of 4 pairs", "pairs added after any stop",
                  "The price of anytime validity"):
        assert words in out


@pytest.mark.parametrize(("args", "words"), [
    (["--studies", "0"], "--studies must be a positive whole number, got 0"),
    (["--studies", "-3"], "--studies must be a positive whole number"),
    (["--seed", "-1"], "seed must be a non-negative whole number"),
    (["--studies", "many"], "Invalid value for '--studies'"),
])
def test_bad_values_one_line_exit_2(args: list[str], words: str, capsys) -> None:
    code, out, err = run_cli(["calibrate", *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ") and words in err


def test_readme_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- calibration:start -->\n(.*)\n<!-- calibration:end -->", text,
                      re.DOTALL)
    assert found, "README lacks the calibration markers"
    want = markdown_table(calibration_report(DEFAULT_REPS, 0))
    assert found.group(1) == want, "regenerate: gatebench calibrate --markdown"
