"""Cell registry: everything that differs between cells, as data, in one place.

A cell builds a module with torch's RNN call convention (batch-first `forward(x, state) ->
(outputs, state)`), says how to advance it one streaming step, declares its state form and
its parameter count (for the budget solver). GRU and LSTM are torch's fused kernels; minGRU
and minLSTM are the small parallel-scan cells of gatebench.cells.scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import torch
from torch import Tensor, nn

from gatebench.cells.mingru import MinGRU
from gatebench.cells.minlstm import MinLSTM
from gatebench.errors import UnknownNameError

# A recurrent state: one tensor (GRU, minGRU, minLSTM: h) or a tuple (LSTM: (h, c)), each
# (L*D, B, H).
State: TypeAlias = Tensor | tuple[Tensor, ...]


# (input_size, hidden_size, num_layers, dropout, bidirectional) -> the recurrent layers
Builder: TypeAlias = Callable[[int, int, int, float, bool], nn.Module]
# (layers, x_t (B, I), state or None) -> (output (B, H), new state)
Stepper: TypeAlias = Callable[[nn.Module, Tensor, State | None], tuple[Tensor, State]]


def _fused(rnn_class: type[nn.RNNBase]) -> Builder:
    def build(input_size: int, hidden_size: int, num_layers: int, dropout: float,
              bidirectional: bool) -> nn.Module:
        # Torch applies RNN dropout only between layers and warns if asked for it with one.
        return rnn_class(input_size, hidden_size, num_layers=num_layers,
                         dropout=dropout if num_layers > 1 else 0.0,
                         bidirectional=bidirectional, batch_first=True)

    return build


def _fused_step(rnn: nn.Module, x_t: Tensor, state: State | None) -> tuple[Tensor, State]:
    out, state = rnn(x_t.unsqueeze(1), state)  # (B, 1, I) -> (B, 1, H)
    return out.squeeze(1), state


def _own_step(rnn: nn.Module, x_t: Tensor, state: State | None) -> tuple[Tensor, State]:
    return rnn.step(x_t, state)  # the cell's own sequential step


@dataclass(frozen=True)
class CellDef:
    """A registered recurrent cell: how to build and step it, its state form and its size."""

    name: str
    gates: int  # gate blocks per layer-direction
    build: Builder
    description: str
    state_parts: int = 1  # 1: the state is h (a tensor); 2: the state is (h, c) (a tuple)
    forget_gate: int | None = None  # index of the forget-gate block in torch's gate order
    recurrent: bool = True  # whether each gate block also reads h_{t-1} (an H x H weight)
    biases: int = 2  # bias vectors per gate block (torch's fused RNNs have bias_ih and bias_hh)
    stream: Stepper = _fused_step
    fused: bool = True  # torch's own fused kernel (nn.GRU, nn.LSTM)
    stack: int = 1  # recurrent layers built for each layer a spec asks for

    def depth(self, num_layers: int) -> int:
        """Recurrent layers built for `num_layers` requested: the minimal cells stack
        MIN_STACK per requested layer (their gates read x_t only, so depth is what lets a
        gate see the past: Feng et al. 2024 stack them)."""
        return num_layers * self.stack

    def layer_params(self, input_size: int, hidden_size: int) -> int:
        """Parameters of one layer-direction: gates*H*(I + H [if recurrent] + biases)."""
        recurrent = hidden_size if self.recurrent else 0
        return self.gates * hidden_size * (input_size + recurrent + self.biases)

    def zero_state(
        self,
        num_stacks: int,
        batch_size: int,
        hidden_size: int,
        *,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> State:
        """The all-zero state in this cell's own form; each part is (L*D, B, H)."""
        parts = tuple(
            torch.zeros(num_stacks, batch_size, hidden_size, device=device, dtype=dtype)
            for _ in range(self.state_parts)
        )
        return parts[0] if self.state_parts == 1 else parts

    def hidden_of(self, state: State) -> Tensor:
        """The hidden part h of a state, (L*D, B, H), whatever the cell's state form."""
        return state if isinstance(state, Tensor) else state[0]

    def map_state(self, fn: Callable[[Tensor], Tensor], state: State) -> State:
        """Apply `fn` to every tensor of a state (detach, move, index) keeping its form."""
        return fn(state) if isinstance(state, Tensor) else tuple(fn(s) for s in state)

    def state_tensors(self, state: State) -> tuple[Tensor, ...]:
        """A state as a flat tuple of its parts (h; or h, c), for runtimes that take tensors."""
        return (state,) if isinstance(state, Tensor) else tuple(state)

    def state_from(self, parts: tuple[Tensor, ...] | list[Tensor]) -> State:
        """Rebuild this cell's state form from `state_tensors` output."""
        if len(parts) != self.state_parts:
            raise ValueError(f"cell {self.name!r} has {self.state_parts} state tensors, "
                             f"got {len(parts)}")
        return parts[0] if self.state_parts == 1 else tuple(parts)

    def set_forget_bias(self, rnn: nn.Module, value: float) -> None:
        """Make the effective forget-gate bias `value` (bias_ih = value, bias_hh = 0); no-op
        for cells without a forget gate."""
        if self.forget_gate is None or not getattr(rnn, "bias", False):
            return
        h, k = rnn.hidden_size, self.forget_gate
        # Torch adds bias_ih and bias_hh, so zeroing one makes the other the effective bias.
        with torch.no_grad():
            for name, param in rnn.named_parameters():
                if name.startswith("bias_ih"):
                    param[k * h : (k + 1) * h].fill_(value)
                elif name.startswith("bias_hh"):
                    param[k * h : (k + 1) * h].zero_()


# Minimal layers per requested layer. One minGRU layer on a scalar series is a bank of
# input-gated filters of that scalar (no gate reads h_{t-1}), and with no H x H matrix the
# budget solver gave it H ~ 11k on italy-power (I = 1; minLSTM stayed at chance there); a
# stack lets the upper layer gate on the lower layer's states, as in the paper, and brings
# H to the fused cells' order (LSTM 128: minGRU 181, minLSTM 148). Two, not the paper's
# three: with a count quadratic in H, three layers leave budgets of LSTM size 48-96 on
# scalar inputs with no hidden size within 1%. Every task and spec gets the same stack, and
# the budget solver counts it.
MIN_STACK = 2

# Adding a cell is one entry here; nothing outside gatebench.cells branches on a cell name.
_CELLS: dict[str, CellDef] = {
    cell.name: cell
    for cell in (
        CellDef(
            name="gru",
            gates=3,  # torch order r, z, n
            build=_fused(nn.GRU),
            description="gated recurrent unit (Cho 2014): 3 gate blocks, state h",
        ),
        CellDef(
            name="lstm",
            gates=4,  # torch order i, f, g, o
            build=_fused(nn.LSTM),
            description="long short-term memory (Hochreiter 1997): 4 gate blocks, state (h, c)",
            state_parts=2,
            forget_gate=1,
        ),
        CellDef(
            name="mingru",
            gates=2,  # z, h~
            build=MinGRU,
            description="minGRU (Feng 2024): gates from x_t only, a parallel scan to train, "
                        "state h",
            recurrent=False, biases=1, stream=_own_step, fused=False, stack=MIN_STACK,
        ),
        CellDef(
            name="minlstm",
            gates=3,  # f, i, h~
            build=MinLSTM,
            description="minLSTM (Feng 2024): normalised forget/input gates from x_t only, "
                        "a parallel scan to train, state h",
            recurrent=False, biases=1, stream=_own_step, fused=False, stack=MIN_STACK,
        ),
    )
}


def get_cell(name: str) -> CellDef:
    """The registered cell called `name`, or UnknownNameError listing the known cells."""
    try:
        return _CELLS[name]
    except KeyError:
        raise UnknownNameError("cell", name, tuple(_CELLS)) from None


def cell_names() -> tuple[str, ...]:
    """Names of every registered cell, in registration order."""
    return tuple(_CELLS)
