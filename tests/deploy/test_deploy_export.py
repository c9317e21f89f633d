"""Exports match PyTorch at other shapes, stream like the full model, and fail loudly."""

from __future__ import annotations

import pytest
import torch

from gatebench.cells import cell_names
from gatebench.deploy import export as export_module
from gatebench.deploy.export import load_runner, to_onnx, to_torchscript
from gatebench.deploy.runners import refusal, refused_operator
from gatebench.deploy.views import FullView, StepView, example_input, zero_state
from gatebench.errors import ExportError
from tests.deploy.conftest import tiny_model

EXPORTERS = {"onnx": to_onnx, "torchscript": to_torchscript}


@pytest.mark.parametrize("fmt", EXPORTERS)
@pytest.mark.parametrize("cell", cell_names())
@pytest.mark.parametrize("kind, objective", [("features", "classification"),
                                             ("tokens", "tagging")])
def test_export_matches_pytorch_at_new_shapes(fmt, cell, kind, objective) -> None:
    model = tiny_model(cell, kind, objective, num_layers=2)
    export = EXPORTERS[fmt](model)
    assert set(export.max_abs_diff) == {"full", "step"}
    assert max(export.max_abs_diff.values()) <= export.atol
    runner = load_runner(export, threads=1)
    # Exported at batch 2, length 5; run at batch 5, length 13 and at batch 1.
    for batch, length in ((5, 13), (1, 3)):
        x = example_input(model, batch, length)
        with torch.inference_mode():
            expected = model(x)
        assert torch.allclose(runner.run(x), expected, atol=1e-5)


@pytest.mark.parametrize("fmt", EXPORTERS)
@pytest.mark.parametrize("cell", cell_names())
def test_streaming_steps_reproduce_the_full_sequence(fmt, cell) -> None:
    model = tiny_model(cell)
    runner = load_runner(EXPORTERS[fmt](model), threads=1)
    x = example_input(model, 4, 9)
    state = theirs = zero_state(model, 4)
    step = StepView(model)
    with torch.inference_mode():
        full = FullView(model)(x)
        for t in range(x.shape[1]):
            y, *state = step(x[:, t], *state)
            got, theirs = runner.run_step(x[:, t], theirs)
            assert torch.allclose(got, y, atol=1e-5)
    # The last step's head output is the per-sequence output, in PyTorch and in the export.
    assert torch.allclose(y, full, atol=1e-5)
    assert torch.allclose(got, full, atol=1e-5)


def test_bidirectional_exports_full_graph_only() -> None:
    model = tiny_model("gru", bidirectional=True)
    export = to_onnx(model)
    assert export.step is None and set(export.max_abs_diff) == {"full"}


def test_a_wrong_export_raises_naming_runtime_and_difference(monkeypatch) -> None:
    model, other = tiny_model("gru"), tiny_model("gru")
    with torch.no_grad():
        for p in other.parameters():
            p.add_(0.1)
    real = export_module._onnx_bytes

    def export_other(view, *args):
        swapped = type(view)(other)  # same graph, other weights: what a broken exporter gives
        return real(swapped, *args)

    monkeypatch.setattr(export_module, "_onnx_bytes", export_other)
    with pytest.raises(ExportError, match=r"ONNX Runtime disagrees .* max \|difference\| "):
        to_onnx(model)


def test_refused_operator_is_named() -> None:
    class Unsupported(torch.nn.Module):
        def forward(self, x):
            return torch.linalg.svd(x)[0]

    with pytest.raises(ExportError, match="refused operator aten::linalg_svd") as info:
        export_module._onnx_bytes(Unsupported(), (torch.randn(3, 3),), ["x"], ["y"], {}, 17,
                                  "a test graph")
    assert "\n" not in str(info.value) and "ONNX export" in str(info.value)
    ort_message = ("[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Could not find an "
                   "implementation for GRU(22) node with name '/rnn/GRU'")
    assert refused_operator(ort_message) == "GRU"
    assert "ONNX Runtime 1.0 refused operator GRU" in str(
        refusal("ONNX Runtime 1.0", "loading", RuntimeError(ort_message)))


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
def test_save_writes_full_and_step_files(tmp_path) -> None:
    export = to_torchscript(tiny_model("lstm"))
    paths = export.save(tmp_path / "m.pt")
    assert [p.name for p in paths] == ["m.pt", "m-step.pt"]
    loaded = torch.jit.load(paths[1])
    model = tiny_model("lstm")
    y, h, c = loaded(example_input(model, 2, None), *zero_state(model, 2))
    assert y.shape == (2, 3) and h.shape == c.shape == (1, 2, 12)
