"""The whole model: optional embedding -> recurrent encoder -> Linear head."""

from __future__ import annotations

from typing import TypedDict

import torch
from torch import Tensor, nn

from gatebench.cells.encoder import RecurrentEncoder
from gatebench.cells.registry import State
from gatebench.errors import SpecError, UnknownNameError

# Objective -> whether the head reads one vector per sequence (True) or every step (False).
_PER_SEQUENCE: dict[str, bool] = {
    "classification": True,
    "regression": True,
    "tagging": False,
}
# Input kind -> whether x holds token ids to embed (True) or float features (False).
_EMBEDS: dict[str, bool] = {"tokens": True, "features": False}


def _count(*modules: nn.Module | None) -> int:
    return sum(p.numel() for m in modules if m is not None for p in m.parameters())


class SequenceModel(nn.Module):
    """Embedding (token inputs only), encoder and head; `forward(x, lengths)` for every cell."""

    def __init__(
        self,
        encoder: RecurrentEncoder,
        head: nn.Linear,
        *,
        objective: str,
        embedding: nn.Embedding | None = None,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if objective not in _PER_SEQUENCE:
            raise UnknownNameError("objective", objective, tuple(_PER_SEQUENCE))
        self.objective = objective
        self.per_sequence = _PER_SEQUENCE[objective]
        self.embedding = embedding
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.head = head

    @property
    def cell_name(self) -> str:
        """The registered name of the recurrent cell."""
        return self.encoder.cell_name

    @property
    def hidden_size(self) -> int:
        """Hidden units per direction of the recurrent layers."""
        return self.encoder.hidden_size

    def _embed(self, x: Tensor) -> Tensor:
        return x if self.embedding is None else self.embedding(x)  # (B, T) -> (B, T, E)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """x (B, T) token ids or (B, T, F) floats -> (B, O), or (B, T, O) for tagging."""
        encoded = self.encoder(self._embed(x), lengths)
        features = encoded.last_hidden if self.per_sequence else encoded.outputs
        return self.head(self.dropout(features))  # (B, H*D) -> (B, O) or (B, T, H*D) -> (B, T, O)

    def step(self, x_t: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """One streaming step: x_t (B,) ids or (B, F) floats -> head output (B, O), new state."""
        out, state = self.encoder.step(self._embed(x_t), state)  # (B, I) -> (B, H)
        return self.head(self.dropout(out)), state

    def init_state(self, batch_size: int, device: torch.device | str | None = None) -> State:
        """The encoder's zero state in the cell's own form."""
        return self.encoder.init_state(batch_size, device)

    def core_parameters(self) -> int:
        """Parameters that differ between cells: recurrent layers plus head (no embedding)."""
        return _count(self.encoder, self.head)

    def total_parameters(self) -> int:
        """Every parameter, the shared embedding included."""
        return _count(self)


class ModelConfig(TypedDict):
    """Everything `build_model` needs, as a checkpoint stores it ("model_config")."""

    cell: str
    input_kind: str
    input_size: int
    output_size: int
    objective: str
    hidden_size: int
    num_layers: int
    dropout: float
    bidirectional: bool
    embed_dim: int
    forget_bias: float | None  # None: torch's default init


def build_model(
    cell: str,
    *,
    input_kind: str,
    input_size: int,
    output_size: int,
    objective: str,
    hidden_size: int,
    num_layers: int = 1,
    dropout: float = 0.0,
    bidirectional: bool = False,
    embed_dim: int = 128,
    forget_bias: float | None = 1.0,
) -> SequenceModel:
    """Build a model; `input_size` is the vocabulary size for "tokens" (id 0 = padding) and
    the feature count for "features"."""
    if input_kind not in _EMBEDS:
        raise UnknownNameError("input kind", input_kind, tuple(_EMBEDS))
    if objective not in _PER_SEQUENCE:
        raise UnknownNameError("objective", objective, tuple(_PER_SEQUENCE))
    if output_size < 1 or input_size < 1:
        raise SpecError(
            f"input and output sizes must be positive, got {input_size} and {output_size}"
        )
    embedding = None
    encoder_input = input_size
    if _EMBEDS[input_kind]:
        if embed_dim < 1:
            raise SpecError(f"--embed-dim must be positive, got {embed_dim}")
        embedding = nn.Embedding(input_size, embed_dim, padding_idx=0)
        encoder_input = embed_dim
    encoder = RecurrentEncoder(
        cell,
        encoder_input,
        hidden_size,
        num_layers=num_layers,
        dropout=dropout,
        bidirectional=bidirectional,
        forget_bias=forget_bias,
    )
    head = nn.Linear(encoder.output_size, output_size)
    return SequenceModel(encoder, head, objective=objective, embedding=embedding, dropout=dropout)
