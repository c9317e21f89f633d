"""Deployment numbers for a trained study: best checkpoint, export files, study latency."""

from __future__ import annotations

import json

import onnxruntime as ort
import pytest
import torch

from gatebench.errors import SpecError, StoreError, UnknownNameError
from gatebench.run.deployment import (
    LATENCY_FILE,
    best_record,
    export_study,
    measure_study_latency,
    study_latency,
)
from gatebench.run.trial import load_checkpoint


def test_best_record_and_seed_choice(trained_study) -> None:
    out, records = trained_study
    best = best_record(out, records, "gru")
    assert best["cell"] == "gru" and best["seed"] == 0
    with pytest.raises(SpecError, match="seeds with one: 0"):
        best_record(out, records, "gru", seed=7)
    with pytest.raises(SpecError, match="no trained 'lstm'.*it has: gru"):
        best_record(out, [r for r in records if r["cell"] == "gru"], "lstm")
    with pytest.raises(UnknownNameError, match="no cell 'gru2'; known: gru, lstm"):
        best_record(out, records, "gru2")


def test_export_study_onnx_files_run_and_match(trained_study, tmp_path) -> None:
    out, records = trained_study
    done = export_study(out, "lstm", "onnx", out=tmp_path / "lstm.onnx")
    assert [p.rsplit("/", 1)[-1] for p in done["files"]] == ["lstm.onnx", "lstm-step.onnx"]
    manifest = json.loads((tmp_path / "lstm.json").read_text())
    assert manifest["cell"] == "lstm" and manifest["max_abs_diff"]["full"] <= 1e-4
    model = load_checkpoint(out / best_record(out, records, "lstm")["checkpoint"])
    x = torch.randint(1, model.embedding.num_embeddings, (3, 11))
    session = ort.InferenceSession(str(tmp_path / "lstm.onnx"))
    got = session.run(None, {"x": x.numpy()})[0]
    with torch.inference_mode():
        assert torch.allclose(torch.from_numpy(got), model(x), atol=1e-4)


def test_export_study_default_path_torchscript(trained_study) -> None:
    out, records = trained_study
    done = export_study(out, "gru", "torchscript")
    assert done["files"][0].endswith("export/gru-seed0.pt")
    scripted = torch.jit.load(done["files"][0])  # the file itself runs, not only its name
    model = load_checkpoint(out / best_record(out, records, "gru")["checkpoint"])
    x = torch.randint(1, model.embedding.num_embeddings, (2, 9))
    with torch.inference_mode():
        assert torch.allclose(scripted(x), model(x), atol=1e-5)


@pytest.mark.parametrize("args, error, words", [
    (("missing", "gru", "onnx"), StoreError, "no results store"),
    ((None, "gru", "tflite"), SpecError, "onnx, torchscript"),
])
def test_export_study_errors(trained_study, tmp_path, args, error, words) -> None:
    folder = tmp_path / args[0] if args[0] else trained_study[0]
    with pytest.raises(error, match=words):
        export_study(folder, *args[1:])


def test_measure_study_latency(trained_study) -> None:
    out, records = trained_study
    result = measure_study_latency(out, records, runtimes=("eager", "onnx"), repeats=5)
    assert result["seq_len_source"] == "median test-split length"
    assert result["plan"]["batch_sizes"] == (1,) and len(result["plan"]["seq_lens"]) == 1
    assert {(r["runtime"], r["mode"]) for r in result["ratios"]} == {
        ("eager", "full"), ("eager", "step"), ("onnx", "full"), ("onnx", "step")}
    assert set(result["checkpoints"]) == {"gru", "lstm"}
    cost = result["quantization"]["gru"]
    assert cost["metric"] == "accuracy" and cost["change"] == pytest.approx(
        cost["int8"] - cost["fp32"])
    json.dumps(result, allow_nan=False)


def test_study_latency_is_kept_and_reused_until_the_trials_change(trained_study) -> None:
    out, records = trained_study
    first = study_latency(out, records, runtimes=("eager",), repeats=4)
    stored = json.loads((out / LATENCY_FILE).read_text())
    assert all("samples_ms" in r for r in stored["results"])  # raw samples kept on disk
    assert all("samples_ms" not in r for r in first["rows"])  # the summary stays compact
    assert {(r["cell"], r["mode"]) for r in first["rows"]} == {
        (c, m) for c in ("gru", "lstm") for m in ("full", "step")}
    assert study_latency(out, records, runtimes=("eager",), repeats=4) == first  # reused
    fewer = study_latency(out, records[:1], runtimes=("eager",), repeats=4)
    assert set(fewer["checkpoints"]) == {records[0]["cell"]}  # re-measured
