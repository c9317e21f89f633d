"""Tensor-only views of a SequenceModel (what exporters trace) and inputs to feed them."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from gatebench.cells import SequenceModel
from gatebench.errors import SpecError


class FullView(nn.Module):
    """The whole sequence at once, every sequence full length: x (B, T[, F]) -> y."""

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)  # (B, T[, F]) -> (B, O), or (B, T, O) for tagging


class StepView(nn.Module):
    """One streaming step with the state as plain tensors: (x_t, *state) -> (y_t, *new state).

    The state's form (GRU: h; LSTM: h, c) is flattened and rebuilt by the cell's own helpers,
    so a runtime sees 1 + state_parts inputs and outputs whatever the cell.
    """

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        if model.encoder.bidirectional:
            raise SpecError(
                "a bidirectional model cannot stream one step at a time; "
                "measure it with full sequences only"
            )
        self.model = model
        self.cell = model.encoder.cell

    def forward(self, x_t: Tensor, *state: Tensor) -> tuple[Tensor, ...]:
        y_t, new = self.model.step(x_t, self.cell.state_from(state))  # (B[, F]) -> (B, O)
        return (y_t, *self.cell.state_tensors(new))


def can_stream(model: SequenceModel) -> bool:
    """Whether the model can run one step at a time (only unidirectional encoders can)."""
    return not model.encoder.bidirectional


def example_input(model: SequenceModel, batch: int, length: int | None,
                  generator: torch.Generator | None = None) -> Tensor:
    """A random input the model accepts: token ids or features, (B, T[, F]); (B[, F]) if
    `length` is None (one streaming step)."""
    shape = (batch,) if length is None else (batch, length)
    if model.embedding is not None:
        # Id 0 is padding; real inputs use 1..vocab-1.
        return torch.randint(1, model.embedding.num_embeddings, shape, generator=generator)
    return torch.randn(*shape, model.encoder.rnn.input_size, generator=generator)


def example_state(model: SequenceModel, batch: int,
                  generator: torch.Generator | None = None) -> tuple[Tensor, ...]:
    """A random non-zero state as plain tensors, so a check exercises the state inputs."""
    zero = model.encoder.cell.state_tensors(model.init_state(batch))
    return tuple(0.5 * torch.randn(p.shape, generator=generator) for p in zero)


def zero_state(model: SequenceModel, batch: int) -> tuple[Tensor, ...]:
    """The zero state as plain tensors, where a stream starts."""
    return model.encoder.cell.state_tensors(model.init_state(batch))
