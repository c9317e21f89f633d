"""One recurrent encoder with one call signature for every registered cell."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from gatebench.cells.registry import State, get_cell
from gatebench.errors import DataError, SpecError


class EncoderOutput(NamedTuple):
    """Per-step outputs (B, T, H*D) and each sequence's summary vector (B, H*D)."""

    outputs: Tensor  # (B, T, H*D); zero at padded steps when lengths are given
    last_hidden: Tensor  # (B, H*D); forward at the last valid step ++ backward at step 0


class RecurrentEncoder(nn.Module):
    """Any registered cell (batch_first) behind one interface: `forward`, `step`, `init_state`.

    `forget_bias` (LSTM only; other cells ignore it): if a number, every layer and direction
    starts with an effective forget-gate bias of exactly that value (bias_ih's forget block set
    to it, bias_hh's zeroed; 1.0 after Jozefowicz 2015, 0.0 gives a zero forget bias); if None,
    torch's default uniform init is left untouched.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        forget_bias: float | None = 1.0,
    ) -> None:
        super().__init__()
        for name, value in (
            ("input size", input_size),
            ("hidden size", hidden_size),
            ("number of layers", num_layers),
        ):
            if value < 1:
                raise SpecError(f"{name} must be at least 1, got {value}")
        if not 0.0 <= dropout < 1.0:
            raise SpecError(f"dropout must be in [0, 1), got {dropout}")
        self.cell = get_cell(cell)
        self.cell_name = self.cell.name
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.num_directions
        # A stacking cell builds more layers than asked for (CellDef.depth); dropout between
        # layers applies only where the spec asked for several, as torch's fused RNNs do.
        self.num_stacks = self.cell.depth(num_layers) * self.num_directions
        self.rnn = self.cell.build(input_size, hidden_size, self.cell.depth(num_layers),
                                   dropout if num_layers > 1 else 0.0, bidirectional)
        if forget_bias is not None:
            self.cell.set_forget_bias(self.rnn, float(forget_bias))

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> EncoderOutput:
        """Encode a right-padded batch x (B, T, I); `lengths` (B,) int64, None = all full."""
        if x.dim() != 3:
            raise SpecError(f"encoder input must be (B, T, I), got shape {tuple(x.shape)}")
        B, T, _ = x.shape
        if lengths is not None:
            _check_lengths(lengths, B, T)
        if lengths is None or (self.bidirectional and _all_full(lengths, T)):
            outputs, _ = self.rnn(x)  # (B, T, I) -> (B, T, H*D)
            last = torch.full((B,), T - 1, dtype=torch.long, device=x.device)
        elif not self.bidirectional:
            # A forward-only RNN never looks ahead (fused or scan), so steps before lengths[b]
            # are exact on the padded batch; this avoids PackedSequence (5-100x slower).
            outputs, _ = self.rnn(x)  # (B, T, I) -> (B, T, H)
            last = lengths.to(device=x.device, dtype=torch.long) - 1
            valid = torch.arange(T, device=x.device) < last.unsqueeze(1) + 1  # (B, T)
            outputs = outputs * valid.unsqueeze(-1).to(outputs.dtype)  # match packed output
        else:
            # The backward direction starts at the end, so it must not read padding: pack.
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            packed_out, _ = self.rnn(packed)
            outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=T)
            last = lengths.to(device=x.device, dtype=torch.long) - 1
        return EncoderOutput(outputs, self._summary(outputs, last))

    def _summary(self, outputs: Tensor, last: Tensor) -> Tensor:
        # Forward direction at each sequence's last valid step; for a bidirectional encoder the
        # backward direction has read the whole sequence by step 0.
        rows = torch.arange(outputs.shape[0], device=outputs.device)
        forward = outputs[rows, last, : self.hidden_size]  # (B, H)
        if not self.bidirectional:
            return forward
        backward = outputs[:, 0, self.hidden_size :]  # (B, H)
        return torch.cat([forward, backward], dim=-1)  # (B, 2H)

    def step(self, x_t: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """Advance one time step for streaming: x_t (B, I) -> output (B, H) and the new state."""
        if self.bidirectional:
            raise SpecError(
                "a bidirectional encoder cannot stream one step at a time (its backward "
                "direction needs the whole sequence); use a unidirectional model"
            )
        return self.cell.stream(self.rnn, x_t, state)  # (B, I) -> (B, H)

    def init_state(self, batch_size: int, device: torch.device | str | None = None) -> State:
        """The zero state in the cell's own form (a tensor or a tuple), each (L*D, B, H), L the
        layers built (`CellDef.depth`)."""
        dtype = next(self.rnn.parameters()).dtype
        return self.cell.zero_state(
            self.num_stacks,
            batch_size,
            self.hidden_size,
            device=device,
            dtype=dtype,
        )


def _check_lengths(lengths: Tensor, batch_size: int, max_len: int) -> None:
    if lengths.shape != (batch_size,):
        raise DataError(
            f"lengths must have shape ({batch_size},) to match the batch, "
            f"got {tuple(lengths.shape)}"
        )
    # Range checks read values, which would stall an accelerator queue; lengths usually live
    # on the CPU (pack_padded_sequence needs them there), so check only there.
    if lengths.device.type == "cpu" and batch_size > 0:
        low, high = int(lengths.min()), int(lengths.max())
        if low < 1 or high > max_len:
            raise DataError(
                f"sequence lengths must be in 1..{max_len} (the padded length), got "
                f"{low}..{high}; drop empty sequences before batching"
            )


def _all_full(lengths: Tensor, max_len: int) -> bool:
    # Only asked for bidirectional batches, which need CPU lengths for packing anyway.
    return bool((lengths == max_len).all())
