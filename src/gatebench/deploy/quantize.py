"""Dynamic int8 quantisation: int8 weights, activations quantised on the fly, per runtime.

What each runtime quantises differs, and the numbers report it rather than hide it: PyTorch's
`quantize_dynamic` has int8 kernels for both nn.GRU and nn.LSTM; ONNX Runtime's has an int8
LSTM (DynamicQuantizeLSTM) but none for GRU, whose recurrent weights stay float32 there.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from gatebench.cells import SequenceModel
from gatebench.deploy.export import Export
from gatebench.deploy.runners import refusal
from gatebench.errors import require


def quantize_eager(model: SequenceModel) -> SequenceModel:
    """A copy with the recurrent layers and Linear head in dynamic int8 (the input is kept)."""
    kinds = {type(model.encoder.rnn), nn.Linear}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization announces its own deprecation
        try:
            return torch.ao.quantization.quantize_dynamic(model.eval(), kinds, dtype=torch.qint8)
        except Exception as exc:  # unsupported engine or module: name what refused
            raise refusal(f"PyTorch dynamic quantisation ({torch.backends.quantized.engine})",
                          "quantising the model", exc) from None


def quantize_onnx(export: Export) -> tuple[Export, list[str]]:
    """The ONNX graphs with int8 weights (ONNX Runtime's quantize_dynamic) and the op types
    the quantiser introduced; `max_abs_diff` is left empty for the caller to measure."""
    require("onnx", extra="deploy")
    quantization = require("onnxruntime.quantization", extra="deploy")
    graphs = [export.full] + ([export.step] if export.step is not None else [])
    quantized, new_ops = [], set()
    with tempfile.TemporaryDirectory() as tmp, _quiet_root_logger():
        for i, data in enumerate(graphs):
            src, dst = Path(tmp) / f"{i}.onnx", Path(tmp) / f"{i}-int8.onnx"
            src.write_bytes(data)
            try:
                quantization.quantize_dynamic(src, dst, weight_type=quantization.QuantType.QInt8)
            except Exception as exc:  # onnxruntime's quantiser raises assorted types
                raise refusal("ONNX Runtime dynamic quantisation", "quantising the model",
                              exc) from None
            quantized.append(dst.read_bytes())
            new_ops |= _op_types(quantized[-1]) - _op_types(data)
    step = quantized[1] if export.step is not None else None
    return replace(export, full=quantized[0], step=step, max_abs_diff={}), sorted(new_ops)


def _op_types(data: bytes) -> set[str]:
    onnx = require("onnx", extra="deploy")
    return {node.op_type for node in onnx.load_from_string(data).graph.node}


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    # The quantiser logs advice ("run pre-processing") on the root logger, which the CLI prints.
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)
