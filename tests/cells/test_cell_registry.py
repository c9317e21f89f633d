"""Tests for gatebench.cells.registry: lookup, unknown names and the per-cell state form."""

import dataclasses

import pytest
import torch
from torch import nn

from gatebench.cells import CellDef, cell_names, get_cell
from gatebench.errors import UnknownNameError


def test_known_cells_and_their_facts() -> None:
    assert cell_names() == ("gru", "lstm", "mingru", "minlstm")
    gru, lstm = get_cell("gru"), get_cell("lstm")
    # GRU and LSTM stay torch's own fused kernels.
    assert (gru.gates, type(gru.build(3, 4, 1, 0.0, False))) == (3, nn.GRU)
    assert (lstm.gates, type(lstm.build(3, 4, 1, 0.0, False))) == (4, nn.LSTM)
    assert gru.fused and lstm.fused
    assert not get_cell("mingru").fused and not get_cell("minlstm").fused
    assert all(get_cell(c).description for c in cell_names())


def test_cell_def_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_cell("gru").gates = 5  # type: ignore[misc]
    assert isinstance(get_cell("lstm"), CellDef)


def test_unknown_cell_lists_known_ones() -> None:
    with pytest.raises(UnknownNameError) as info:
        get_cell("gru2")
    assert str(info.value) == "no cell 'gru2'; known: gru, lstm, mingru, minlstm"
    assert info.value.known == ("gru", "lstm", "mingru", "minlstm")


@pytest.mark.parametrize("name, parts", [("gru", 1), ("lstm", 2), ("mingru", 1),
                                         ("minlstm", 1)])
def test_zero_state_form_matches_torch(name: str, parts: int) -> None:
    cell = get_cell(name)
    state = cell.zero_state(2, 3, 4)
    tensors = (state,) if isinstance(state, torch.Tensor) else state
    assert len(tensors) == parts
    assert all(t.shape == (2, 3, 4) and not t.any() for t in tensors)
    # Torch accepts the state as-is, which is the whole point of keeping its form here.
    rnn = cell.build(5, 4, 2, 0.0, False)
    _, new_state = rnn(torch.randn(3, 6, 5), state)
    assert cell.hidden_of(new_state).shape == (2, 3, 4)
    moved = cell.map_state(lambda t: t[:, :1], new_state)
    assert cell.hidden_of(moved).shape == (2, 1, 4)
    assert type(moved) is type(new_state)
