"""The kernel-neutral layer computes exactly what torch's fused cells compute."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gatebench.cells.neutral import NeutralRecurrent, neutral_cells
from gatebench.errors import UnknownNameError


@pytest.mark.parametrize("cell, torch_cls", [("gru", nn.GRU), ("lstm", nn.LSTM)])
def test_matches_torch_fused_layer(cell: str, torch_cls: type[nn.RNNBase]) -> None:
    neutral = NeutralRecurrent(cell, 5, 7)
    fused = torch_cls(5, 7, batch_first=True)
    with torch.no_grad():  # share weights, then both must agree
        neutral.input_proj.weight.copy_(fused.weight_ih_l0)
        neutral.input_proj.bias.copy_(fused.bias_ih_l0)
        neutral.recurrent.weight.copy_(fused.weight_hh_l0)
        neutral.recurrent.bias.copy_(fused.bias_hh_l0)
    x = torch.randn(3, 11, 5)
    out, _ = fused(x)
    torch.testing.assert_close(neutral(x), out[:, -1], atol=1e-5, rtol=1e-5)


def test_gate_count_is_the_only_size_difference() -> None:
    sizes = {c: sum(p.numel() for p in NeutralRecurrent(c, 4, 8).parameters())
             for c in neutral_cells()}
    assert sizes == {"gru": 3 * 8 * (4 + 8 + 2), "lstm": 4 * 8 * (4 + 8 + 2)}


def test_unknown_cell() -> None:
    with pytest.raises(UnknownNameError, match="known: gru, lstm"):
        NeutralRecurrent("rnn", 1, 1)
