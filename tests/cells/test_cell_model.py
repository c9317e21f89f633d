"""Tests for gatebench.cells.model: shapes per objective and input kind, parameter counts."""

import pytest
import torch

from gatebench.cells import SequenceModel, build_model, core_param_count
from gatebench.errors import UnknownNameError

B, T, VOCAB, FEATS, EMBED, H = 3, 6, 20, 4, 8, 5


def _inputs(kind: str) -> torch.Tensor:
    if kind == "tokens":
        return torch.randint(1, VOCAB, (B, T))  # (B, T) ids; 0 is padding
    return torch.randn(B, T, FEATS)  # (B, T, F)


def _model(cell: str, kind: str, objective: str, out: int = 3, **kw) -> SequenceModel:
    size = VOCAB if kind == "tokens" else FEATS
    return build_model(
        cell,
        input_kind=kind,
        input_size=size,
        output_size=out,
        objective=objective,
        hidden_size=H,
        embed_dim=EMBED,
        **kw,
    )


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("kind", ["tokens", "features"])
@pytest.mark.parametrize(
    "objective, per_step", [("classification", False), ("regression", False), ("tagging", True)]
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_forward_shapes(
    cell: str, kind: str, objective: str, per_step: bool, bidirectional: bool
) -> None:
    model = _model(cell, kind, objective, bidirectional=bidirectional, num_layers=2, dropout=0.1)
    x, lengths = _inputs(kind), torch.tensor([6, 2, 4])
    expected = (B, T, 3) if per_step else (B, 3)
    assert model(x).shape == expected
    y = model(x, lengths)
    assert y.shape == expected
    y.sum().backward()


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("kind", ["tokens", "features"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_parameter_counts(cell: str, kind: str, bidirectional: bool) -> None:
    model = _model(cell, kind, "classification", bidirectional=bidirectional, num_layers=2)
    core = sum(p.numel() for m in (model.encoder, model.head) for p in m.parameters())
    assert model.core_parameters() == core
    assert model.total_parameters() == sum(p.numel() for p in model.parameters())
    encoder_input = EMBED if kind == "tokens" else FEATS
    assert core == core_param_count(cell, encoder_input, H, 3, 2, bidirectional)
    embedding = VOCAB * EMBED if kind == "tokens" else 0
    assert model.total_parameters() - model.core_parameters() == embedding


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("kind", ["tokens", "features"])
def test_streaming_step_matches_tagging_forward(cell: str, kind: str) -> None:
    model = _model(cell, kind, "tagging").eval()
    x = _inputs(kind)
    with torch.no_grad():
        full = model(x)  # (B, T, O)
        state, steps = model.init_state(B), []
        for t in range(T):
            y, state = model.step(x[:, t], state)  # (B, O)
            steps.append(y)
    torch.testing.assert_close(torch.stack(steps, dim=1), full, atol=1e-5, rtol=0)


def test_token_padding_embeds_to_zero() -> None:
    model = _model("gru", "tokens", "classification")
    assert model.embedding is not None and not model.embedding.weight[0].any()


def test_model_exposes_cell() -> None:
    model = _model("lstm", "features", "regression", out=1)
    assert (model.cell_name, model.hidden_size) == ("lstm", H)


def test_unknown_names_raise() -> None:
    with pytest.raises(UnknownNameError, match="known: classification, regression, tagging"):
        _model("gru", "features", "ranking")
    with pytest.raises(UnknownNameError, match="known: features, tokens"):
        _model("gru", "images", "classification")
    with pytest.raises(UnknownNameError, match="known: gru, lstm"):
        _model("rnn", "features", "classification")
