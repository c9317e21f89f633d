"""`gatebench advise` as a user runs it: the table, --json, exit status 2, the settle command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.cli.main import main

FULL = ["--seq-len", "40", "--train-size", "20000", "--latency-budget-ms", "50", "--device",
        "cpu", "--runtime", "eager", "--dependency-range", "short", "--time-per-run", "fast"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def _claim(cid: str, verdict: str, value, ci, evidence=(), statement: str = "") -> dict:
    unit = "ratio" if cid in ("speed", "inference", "iteration") else "points"
    return {"id": cid, "statement": statement or f"the {cid} claim", "verdict": verdict,
            "reason": "crafted", "effect": {"what": f"{cid} effect", "value": value,
                                            "ci": list(ci), "unit": unit},
            "depends_on": None, "evidence": list(evidence), "excluded": {}}


def _group(value: float, ci, verdict: str = "supported") -> dict:
    return {"label": "cpu native/params", "what": "GRU/LSTM training-step time", "value": value,
            "ci": list(ci), "n": 6, "task": None, "device": "cpu", "runtime": None,
            "detail": None, "impl": "native", "sizing": "params", "level": "group",
            "unit": "ratio", "group": "cpu native/params", "verdict": verdict}


def _suite(folder: Path, claims: list[dict]) -> Path:
    folder.mkdir(parents=True)
    (folder / "claims.json").write_text(json.dumps({"profile": "quick", "cost": "crafted",
                                                    "claims": claims}))
    return folder


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A suite folder where GRU's speed claim is supported on CPU."""
    return _suite(tmp_path / "suite", [
        _claim("speed", "supported", 0.75, (0.72, 0.78), [_group(0.75, (0.72, 0.78))],
               "GRU trains 20-30% faster than LSTM"),
        _claim("short", "inconclusive", None, (None, None)),
    ])


@pytest.fixture(autouse=True)
def _no_shipped(tmp_path: Path, monkeypatch) -> None:
    # Tests never depend on the shipped file's content (or on its presence).
    monkeypatch.setattr("gatebench.advisor.evidence.shipped_path",
                        lambda: tmp_path / "shipped" / "claims.json")


def test_prints_recommendation_then_cited_reasons(suite: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # numbers unwrapped, so they can be matched whole
    code, out, _ = run_cli(["advise", *FULL, "--evidence", str(suite)], capsys)
    assert code == 0
    assert out.index("GRU") < out.index("confidence") < out.index("Why")
    assert "speed supported" in out and "0.75\u00d7 [0.72, 0.78]" in out and "near" in out
    assert "GRU trains 20-30% faster than LSTM" in out and str(suite) in out


def test_json_prints_only_json(suite: Path, capsys) -> None:
    code, out, _ = run_cli(["advise", *FULL, "--evidence", str(suite), "--json"], capsys)
    assert code == 0
    data = json.loads(out)  # nothing but JSON on stdout
    assert data["recommendation"] == "GRU" and data["answers"]["seq_len"] == 40
    assert data["reasons"][0]["claim"] == "speed" and data["reasons"][0]["ci"] == [0.72, 0.78]


def test_far_evidence_prints_the_settle_command(suite: Path, capsys) -> None:
    code, out, _ = run_cli(["advise", "--seq-len", "5000", "--device", "gpu", "--task", "text",
                            "--evidence", str(suite)], capsys)
    assert code == 0 and "far" in out
    assert "gatebench compare YOUR_DATA.csv --task text --seeds 5 --out runs/mine --device " \
           "cuda" in out


def test_missing_answers_are_unknown_without_a_terminal(suite: Path, capsys) -> None:
    code, out, _ = run_cli(["advise", "--evidence", str(suite), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["answers"]["seq_len"] is None and data["confidence"] == "low"


@pytest.mark.parametrize("args, words", [
    (["--seq-len", "-5"], ["--seq-len", ">= 1"]),
    (["--train-size", "0"], ["--train-size"]),
    (["--latency-budget-ms", "fast"], ["--latency-budget-ms"]),
    (["--device", "tpu"], ["--device 'tpu'", "cpu, gpu"]),
    (["--runtime", "tensorrt"], ["--runtime 'tensorrt'", "eager, onnx, torchscript"]),
    (["--dependency-range", "medium"], ["--dependency-range"]),
    (["--time-per-run", "-10"], ["--time-per-run"]),
    (["--evidence", "nowhere"], ["nowhere", "not found"]),
    ([], ["no shipped evidence", "--evidence DIR"]),
])
def test_bad_input_one_line_exit_2(args: list[str], words: list[str], capsys) -> None:
    code, out, err = run_cli(["advise", *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in err


class _Terminal:
    """A stdin that says it is a terminal (the prompts themselves are faked)."""

    def isatty(self) -> bool:
        return True


def test_prompts_for_missing_answers_until_valid(suite: Path, capsys, monkeypatch) -> None:
    asked: list[str] = []
    replies = iter(["-5", "30"])  # the first seq-len answer is refused, the second kept

    def ask(text: str, **kwargs) -> str:
        asked.append(text)
        return next(replies, "unknown")

    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("gatebench.cli.advise.Prompt.ask", ask)
    code, out, err = run_cli(["advise", "--device", "cpu", "--evidence", str(suite), "--json"],
                             capsys)
    assert code == 0
    data = json.loads(out)  # prompts and their errors went to stderr
    assert data["answers"]["seq_len"] == 30 and data["answers"]["device"] == "cpu"
    assert ">= 1" in err
    assert len(asked) == 8 and not any("Device" in q for q in asked)  # flags are not re-asked
