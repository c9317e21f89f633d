"""Dynamic int8: smaller models whose outputs stay close, and an honest list of what changed."""

from __future__ import annotations

import pytest

from gatebench.deploy.export import max_differences, to_onnx
from gatebench.deploy.quantize import quantize_eager, quantize_onnx
from gatebench.deploy.runners import TorchRunner
from gatebench.deploy.runtimes import state_dict_bytes
from gatebench.deploy.views import FullView, StepView
from tests.deploy.conftest import tiny_model


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_eager_int8_is_smaller_and_close(cell) -> None:
    model = tiny_model(cell)
    quantized = quantize_eager(model)
    assert state_dict_bytes(quantized) < state_dict_bytes(model)
    diffs = max_differences(model, TorchRunner("eager-int8", FullView(quantized),
                                               StepView(quantized)))
    assert set(diffs) == {"full", "step"} and max(diffs.values()) < 0.1


def test_onnx_int8_quantises_the_lstm_op_but_not_the_gru_op() -> None:
    _, lstm_ops = quantize_onnx(to_onnx(tiny_model("lstm")))
    _, gru_ops = quantize_onnx(to_onnx(tiny_model("gru")))
    assert "DynamicQuantizeLSTM" in lstm_ops
    assert not any("GRU" in op for op in gru_ops)
