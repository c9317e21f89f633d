"""Cells: the only place that knows a GRU from an LSTM (registry, encoder, heads, sizing)."""

from gatebench.cells.budget import (
    core_param_count,
    hidden_size_for_budget,
    resolve_hidden_sizes,
    rnn_param_count,
)
from gatebench.cells.encoder import EncoderOutput, RecurrentEncoder
from gatebench.cells.model import SequenceModel, build_model
from gatebench.cells.registry import CellDef, State, cell_names, get_cell

__all__ = [
    "CellDef",
    "EncoderOutput",
    "RecurrentEncoder",
    "SequenceModel",
    "State",
    "build_model",
    "cell_names",
    "core_param_count",
    "get_cell",
    "hidden_size_for_budget",
    "resolve_hidden_sizes",
    "rnn_param_count",
]
