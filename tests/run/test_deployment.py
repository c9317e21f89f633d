"""Deployment numbers for a trained study: best checkpoint, export files, study latency."""

from __future__ import annotations

import json

import onnxruntime as ort
import pytest
import torch

from gatebench.analysis.decision import latency_factor
from gatebench.errors import SpecError, StoreError, UnknownNameError
from gatebench.run.deployment import (
    LATENCY_FILE,
    best_record,
    export_study,
    export_target,
    measure_study_latency,
    study_latency,
)
from gatebench.run.trial import load_checkpoint
from gatebench.store import open_store


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


@pytest.mark.parametrize("label, hidden", [("wide", 12), ("narrow", 8)])
def test_export_study_by_arm_exports_that_arm(two_lstm_study, tmp_path, label, hidden) -> None:
    done = export_study(two_lstm_study, None, "onnx", arm=label, out=tmp_path / "m.onnx")
    assert done["arm"] == label and done["cell"] == "lstm" and done["hidden_size"] == hidden
    with open_store(two_lstm_study, create=False) as store:
        record = best_record(two_lstm_study, store.records(), "lstm", arm=label)
    assert done["spec_id"] == record.spec_id
    model = load_checkpoint(two_lstm_study / record.checkpoint)
    x = torch.randint(1, model.embedding.num_embeddings, (3, 7))
    got = ort.InferenceSession(str(tmp_path / "m.onnx")).run(None, {"x": x.numpy()})[0]
    with torch.inference_mode():
        assert torch.allclose(torch.from_numpy(got), model(x), atol=1e-4)


def test_export_by_arm_default_path_is_named_by_the_label(two_lstm_study) -> None:
    done = export_study(two_lstm_study, None, "torchscript", arm="NARROW")  # as shown on screen
    assert done["files"][0].endswith("export/narrow-seed0.pt") and done["arm"] == "narrow"
    scripted = torch.jit.load(done["files"][0])
    model = load_checkpoint(two_lstm_study / done["checkpoint"])
    assert model.hidden_size == 8
    x = torch.randint(1, model.embedding.num_embeddings, (2, 9))
    with torch.inference_mode():
        assert torch.allclose(scripted(x), model(x), atol=1e-5)


@pytest.mark.parametrize("cell, arm, error, words", [
    ("lstm", None, SpecError, r"2 lstm arms \(narrow, wide\): choose one with --arm"),
    (None, "medium", UnknownNameError, "no arm 'medium'; known: narrow, wide"),
    (None, None, SpecError, "one of --cell CELL or --arm LABEL"),
    ("lstm", "wide", SpecError, "one of --cell CELL or --arm LABEL"),
])
def test_export_target_refuses_what_does_not_name_one_arm(two_lstm_study, cell, arm, error,
                                                          words) -> None:
    with open_store(two_lstm_study, create=False) as store:
        records = store.records()
    with pytest.raises(error, match=words):
        export_target(records, cell, arm)


def test_export_target_by_cell_is_its_one_arm(trained_study) -> None:
    assert export_target(trained_study[1], "gru", None) == ("gru", "gru")
    assert export_target(trained_study[1], "mingru", None) == ("mingru", None)


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


def test_two_arms_of_one_cell_are_timed_apart_and_weighed_in_the_pick(two_lstm_study) -> None:
    with open_store(two_lstm_study, create=False) as store:
        records = store.records()
    result = measure_study_latency(two_lstm_study, records, runtimes=("eager",), repeats=4,
                                   quantize=False)
    assert set(result["checkpoints"]) == {"narrow", "wide"}  # one per arm, not one per cell
    assert {name: m["hidden_size"] for name, m in result["models"].items()} == {
        "narrow": 8, "wide": 12}
    assert {(r["numerator"], r["denominator"]) for r in result["ratios"]} == {("narrow", "wide")}
    summary = {"cells": {"wide": {"cell": "lstm"}, "narrow": {"cell": "lstm"}},
               "latency": {"ratios": result["ratios"]}}
    factor = latency_factor(summary, ["wide", "narrow"])
    assert factor.status != "not measured" and factor.what == "wide/narrow p50 latency, batch 1"
    full = next(p for p in factor.parts if p["mode"] == "full")
    ratio = next(r for r in result["ratios"] if r["mode"] == "full")
    assert full["ratio"] == pytest.approx(1 / ratio["p50_ratio"])  # oriented wide/narrow


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
    again = study_latency(out, records[:1], runtimes=("eager",), repeats=4, fresh=True)
    assert again["rows"] != fewer["rows"]  # --fresh measures anew: new clocks, new samples
