"""`gatebench latency` and `gatebench export` as a user runs them: output, JSON, exit status 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

from gatebench.api import study_spec, task_spec
from gatebench.cli.main import main
from gatebench.run import run_study
from tests.conftest import make_reviews

TINY = ["--hidden", "8", "--input-size", "4", "--seq-lens", "3,5", "--batch-sizes", "1,2",
        "--calls", "4", "--threads", "1"]


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture(scope="module")
def gru_study(tmp_path_factory) -> Path:
    """A finished one-seed study of the GRU alone."""
    root = tmp_path_factory.mktemp("gru-study")
    make_reviews().to_csv(root / "r.csv", index=False)
    spec = study_spec(task_spec(root / "r.csv", text_col="review", label_col="sentiment"),
                      cells=("gru",), seeds=1, max_epochs=1, patience=1, hidden=8,
                      embed_dim=8, threads=1)
    run_study(spec, root / "study")
    return root / "study"


def test_latency_json_prints_only_json(tmp_path: Path, capsys) -> None:
    target = tmp_path / "lat.json"
    code, out, _ = run_cli(["latency", *TINY, "--runtimes", "eager,onnx", "--json", "--out",
                            str(target)], capsys)
    assert code == 0
    result = json.loads(out)  # nothing but JSON on stdout
    assert result == json.loads(target.read_text())
    assert result["kind"] == "latency" and set(result["models"]) == {"gru", "lstm"}
    row = result["results"][0]
    assert {"cell", "runtime", "mode", "batch", "seq_len", "p50_ms", "p95_ms", "p99_ms",
            "samples_ms"} <= set(row)
    assert len(result["ratios"]) == 2 * (2 * 2 + 2)
    assert {"p50_ratio", "p50_ratio_ci95", "p95_ratio"} <= set(result["ratios"][0])
    assert result["plan"]["threads"] == 1 and result["sizing"]["match"] == "hidden"


def test_latency_table(capsys) -> None:
    code, out, _ = run_cli(["latency", *TINY, "--runtimes", "torchscript", "--no-streaming"],
                           capsys)
    assert code == 0
    assert "Inference latency" in out and "torchscript" in out and "GRU/LSTM" in out
    assert "step" not in out.split("Model size")[0]


@pytest.mark.parametrize("args, words", [
    (["--seq-lens", "0"], ["--seq-lens", "positive integers", "'0'"]),
    (["--seq-lens", "abc"], ["--seq-lens", "'abc'"]),
    (["--batch-sizes", "1,-2"], ["--batch-sizes"]),
    (["--cells", "gru,gru2"], ["no cell 'gru2'", "gru, lstm"]),
    (["--runtimes", "tvm"], ["no runtime 'tvm'", "onnx"]),
    (["--match", "flops"], ["--match"]),
    (["--calls", "1"], ["--calls"]),
])
def test_latency_bad_input_one_line_exit_2(capsys, args, words) -> None:
    code, out, err = run_cli(["latency", *TINY, *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ")
    for word in words:
        assert word in err


def test_missing_onnxruntime_says_what_to_install(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    code, _, err = run_cli(["latency", *TINY, "--runtimes", "onnx"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "onnxruntime is not installed" in err and "gatebench[deploy]" in err


def test_export_prints_where(gru_study: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(["export", str(gru_study), "--cell", "gru", "--format",
                            "torchscript", "--out", str(tmp_path / "g.pt")], capsys)
    assert code == 0 and "Exported GRU seed 0 as torchscript" in out
    assert str(tmp_path / "g.pt") in out and str(tmp_path / "g-step.pt") in out
    assert (tmp_path / "g.json").is_file()


@pytest.mark.parametrize("args, words", [
    (["{missing}", "--cell", "gru"], ["no results store"]),
    (["{study}", "--cell", "gru2"], ["no cell 'gru2'"]),
    (["{study}", "--cell", "lstm"], ["no trained 'lstm'", "it has: gru"]),
    (["{study}", "--cell", "gru", "--seed", "3"], ["seed 3", "seeds with one: 0"]),
    (["{study}", "--cell", "gru", "--format", "tflite"], ["onnx, torchscript"]),
])
def test_export_bad_input_one_line_exit_2(gru_study, tmp_path, capsys, args, words) -> None:
    args = [a.format(missing=tmp_path / "nope", study=gru_study) for a in args]
    code, out, err = run_cli(["export", *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ")
    for word in words:
        assert word in err


def test_export_arm_writes_a_model_that_runs(two_lstm_study: Path, tmp_path: Path,
                                             capsys) -> None:
    code, out, _ = run_cli(["export", str(two_lstm_study), "--arm", "wide", "--format",
                            "torchscript", "--out", str(tmp_path / "w.pt")], capsys)
    assert code == 0 and "Exported arm wide (LSTM) seed 0 as torchscript" in out
    manifest = json.loads((tmp_path / "w.json").read_text())
    assert manifest["arm"] == "wide" and manifest["hidden_size"] == 12
    x = torch.randint(1, 20, (2, 6))
    with torch.inference_mode():
        assert torch.jit.load(str(tmp_path / "w.pt"))(x).shape == (2, 2)


@pytest.mark.parametrize("args, words", [
    (["--cell", "lstm"], ["2 lstm arms (narrow, wide)", "--arm LABEL"]),
    (["--arm", "medium"], ["no arm 'medium'", "known: narrow, wide"]),
    ([], ["--cell CELL", "--arm LABEL"]),
    (["--cell", "lstm", "--arm", "wide"], ["--cell CELL", "--arm LABEL"]),
])
def test_export_arm_bad_input_one_line_exit_2(two_lstm_study, capsys, args, words) -> None:
    code, out, err = run_cli(["export", str(two_lstm_study), *args], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gatebench: error: ")
    for word in words:
        assert word in err
