"""Deployment numbers: checked ONNX/TorchScript exports, latency percentiles, size, memory."""

from gatebench.deploy.export import (
    DEFAULT_ATOL,
    Export,
    check_equivalent,
    export_model,
    load_runner,
    to_onnx,
    to_torchscript,
)
from gatebench.deploy.latency import LatencyPlan, measure_latency
from gatebench.deploy.quantize import quantize_eager, quantize_onnx
from gatebench.deploy.runtimes import get_runtime, runtime_names

__all__ = [
    "DEFAULT_ATOL",
    "Export",
    "LatencyPlan",
    "check_equivalent",
    "export_model",
    "get_runtime",
    "load_runner",
    "measure_latency",
    "quantize_eager",
    "quantize_onnx",
    "runtime_names",
    "to_onnx",
    "to_torchscript",
]
