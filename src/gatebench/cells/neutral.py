"""A kernel-neutral recurrent layer: one implementation shared by every cell.

Library kernels differ per cell (on CPU, PyTorch runs LSTM on oneDNN but GRU on a generic
path), so a speed ratio from `nn.GRU`/`nn.LSTM` mixes the architecture's cost with the quality
of each kernel. Here both cells run the same machinery: one input-projection GEMM over all
steps, then a time loop with one recurrent GEMM per step and the cell's gate arithmetic. Only
the gate count (3 vs 4 blocks) and the gate math differ, which is the architectural effect.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from gatebench.cells.registry import State, get_cell
from gatebench.errors import UnknownNameError


def _gru_update(gx: Tensor, gh: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
    # PyTorch's GRU form: the reset gate scales the recurrent projection (linear_before_reset).
    xr, xz, xn = gx.chunk(3, dim=-1)
    hr, hz, hn = gh.chunk(3, dim=-1)
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    h = (1 - z) * n + z * h
    return h, h


def _lstm_update(gx: Tensor, gh: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, State]:
    i, f, g, o = (gx + gh).chunk(4, dim=-1)  # PyTorch's gate order
    c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)
    return h, (h, c)


_UPDATES: dict[str, Callable[..., tuple[Tensor, State]]] = {
    "gru": _gru_update,
    "lstm": _lstm_update,
}


class NeutralRecurrent(nn.Module):
    """One layer, batch-first; `forward(x) -> (B, H)` the last hidden state."""

    def __init__(self, cell: str, input_size: int, hidden_size: int) -> None:
        super().__init__()
        if cell not in _UPDATES:
            raise UnknownNameError("kernel-neutral cell", cell, list(_UPDATES))
        self.cell = get_cell(cell)
        self.hidden_size = hidden_size
        gates = self.cell.gates
        self.input_proj = nn.Linear(input_size, gates * hidden_size)
        self.recurrent = nn.Linear(hidden_size, gates * hidden_size)
        self._update = _UPDATES[cell]

    def forward(self, x: Tensor) -> Tensor:
        gx = self.input_proj(x)  # (B, T, I) -> (B, T, G*H): one GEMM for every step
        state = self.cell.zero_state(1, x.shape[0], self.hidden_size, device=x.device,
                                     dtype=x.dtype)
        state = self.cell.map_state(lambda t: t[0], state)  # (1, B, H) -> (B, H)
        h = self.cell.hidden_of(state)
        for t in range(x.shape[1]):  # the sequential critical path: one GEMM per step
            h, state = self._update(gx[:, t], self.recurrent(h), state)
        return h


def neutral_cells() -> tuple[str, ...]:
    """Cells with a kernel-neutral implementation."""
    return tuple(_UPDATES)
