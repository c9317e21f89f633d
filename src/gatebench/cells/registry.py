"""Cell registry: everything that differs between GRU and LSTM, as data, in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import torch
from torch import Tensor, nn

from gatebench.errors import UnknownNameError

# A recurrent state: one tensor (GRU: h) or a tuple of them (LSTM: (h, c)), each (L*D, B, H).
State: TypeAlias = Tensor | tuple[Tensor, ...]


@dataclass(frozen=True)
class CellDef:
    """A registered recurrent cell: its torch module, gate count and state form."""

    name: str
    gates: int  # gate blocks per weight matrix: params per layer-direction = gates*H*(I+H+2)
    rnn_class: type[nn.RNNBase]
    description: str
    state_parts: int = 1  # 1: the state is h (a tensor); 2: the state is (h, c) (a tuple)
    forget_gate: int | None = None  # index of the forget-gate block in torch's gate order

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

    def set_forget_bias(self, rnn: nn.RNNBase, value: float) -> None:
        """Make the effective forget-gate bias `value` (bias_ih = value, bias_hh = 0); no-op
        for cells without a forget gate."""
        if self.forget_gate is None or not rnn.bias:
            return
        h, k = rnn.hidden_size, self.forget_gate
        # Torch adds bias_ih and bias_hh, so zeroing one makes the other the effective bias.
        with torch.no_grad():
            for name, param in rnn.named_parameters():
                if name.startswith("bias_ih"):
                    param[k * h : (k + 1) * h].fill_(value)
                elif name.startswith("bias_hh"):
                    param[k * h : (k + 1) * h].zero_()


# Adding a cell is one entry here; nothing outside gatebench.cells branches on a cell name.
_CELLS: dict[str, CellDef] = {
    cell.name: cell
    for cell in (
        CellDef(
            name="gru",
            gates=3,  # torch order r, z, n
            rnn_class=nn.GRU,
            description="gated recurrent unit (Cho 2014): 3 gate blocks, state h",
        ),
        CellDef(
            name="lstm",
            gates=4,  # torch order i, f, g, o
            rnn_class=nn.LSTM,
            description="long short-term memory (Hochreiter 1997): 4 gate blocks, state (h, c)",
            state_parts=2,
            forget_gate=1,
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
