"""Tests for gatebench.cells.encoder: padding, summaries, streaming and LSTM forget-bias init."""

import pytest
import torch

from gatebench.cells import RecurrentEncoder
from gatebench.errors import DataError, SpecError

CELLS = ["gru", "lstm"]
B, T, F, H = 4, 7, 5, 6  # batch, steps, input features, hidden


def _padded_batch() -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([7, 3, 1, 5])
    x = torch.randn(B, T, F)  # (B, T, F); padding is noise, so reading it would show
    return x, lengths


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_padded_batch_matches_each_sequence_alone(
    cell: str, bidirectional: bool, num_layers: int
) -> None:
    enc = RecurrentEncoder(cell, F, H, num_layers=num_layers, bidirectional=bidirectional).eval()
    x, lengths = _padded_batch()
    with torch.no_grad():
        out = enc(x, lengths)
        assert out.outputs.shape == (B, T, enc.output_size)
        assert out.last_hidden.shape == (B, enc.output_size)
        for b, n in enumerate(lengths.tolist()):
            alone = enc(x[b : b + 1, :n])  # (1, n, F), no padding at all
            torch.testing.assert_close(out.last_hidden[b], alone.last_hidden[0], atol=1e-5, rtol=0)
            torch.testing.assert_close(out.outputs[b, :n], alone.outputs[0], atol=1e-5, rtol=0)
            assert not out.outputs[b, n:].any()  # padded steps are zero for every path


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_full_lengths_equal_no_lengths(cell: str, bidirectional: bool) -> None:
    enc = RecurrentEncoder(cell, F, H, bidirectional=bidirectional).eval()
    x = torch.randn(B, T, F)
    with torch.no_grad():
        a, b = enc(x), enc(x, torch.full((B,), T))
    torch.testing.assert_close(a.outputs, b.outputs)
    torch.testing.assert_close(a.last_hidden, b.last_hidden)


@pytest.mark.parametrize("cell", CELLS)
def test_bidirectional_summary_is_forward_last_and_backward_first(cell: str) -> None:
    enc = RecurrentEncoder(cell, F, H, bidirectional=True).eval()
    x = torch.randn(B, T, F)
    with torch.no_grad():
        out = enc(x)
    torch.testing.assert_close(out.last_hidden[:, :H], out.outputs[:, -1, :H])
    torch.testing.assert_close(out.last_hidden[:, H:], out.outputs[:, 0, H:])


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("num_layers", [1, 2])
def test_step_matches_forward(cell: str, num_layers: int) -> None:
    enc = RecurrentEncoder(cell, F, H, num_layers=num_layers).eval()
    x = torch.randn(B, T, F)
    with torch.no_grad():
        full = enc(x).outputs  # (B, T, H)
        state = enc.init_state(B, "cpu")
        steps = []
        for t in range(T):
            y, state = enc.step(x[:, t], state)  # (B, F) -> (B, H)
            steps.append(y)
    torch.testing.assert_close(torch.stack(steps, dim=1), full, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell, parts", [("gru", 1), ("lstm", 2)])
def test_init_state_form_and_default(cell: str, parts: int) -> None:
    enc = RecurrentEncoder(cell, F, H, num_layers=2).eval()
    state = enc.init_state(3)
    tensors = (state,) if isinstance(state, torch.Tensor) else state
    assert len(tensors) == parts and all(t.shape == (2, 3, H) for t in tensors)
    x_t = torch.randn(3, F)
    with torch.no_grad():
        y_zero, _ = enc.step(x_t, state)
        y_none, _ = enc.step(x_t)
    torch.testing.assert_close(y_zero, y_none)


def test_bidirectional_step_raises() -> None:
    enc = RecurrentEncoder("gru", F, H, bidirectional=True)
    with pytest.raises(SpecError, match="bidirectional"):
        enc.step(torch.randn(2, F))


@pytest.mark.parametrize("value", [1.0, 0.0, 2.5])
def test_lstm_forget_bias_is_set_everywhere(value: float) -> None:
    enc = RecurrentEncoder("lstm", F, H, num_layers=2, bidirectional=True, forget_bias=value)
    biases = dict(enc.rnn.named_parameters())
    ih_names = [n for n in biases if n.startswith("bias_ih")]
    assert len(ih_names) == 4  # 2 layers x 2 directions
    for name in ih_names:
        ih, hh = biases[name], biases[name.replace("bias_ih", "bias_hh")]
        assert torch.all(ih[H : 2 * H] == value)
        assert torch.all(hh[H : 2 * H] == 0)
        # Input, cell and output gates keep torch's uniform init.
        assert ih[:H].std() > 0 and hh[2 * H :].std() > 0


def test_lstm_forget_bias_none_keeps_torch_init() -> None:
    torch.manual_seed(0)
    plain = torch.nn.LSTM(F, H, batch_first=True)
    torch.manual_seed(0)
    enc = RecurrentEncoder("lstm", F, H, forget_bias=None)
    for mine, theirs in zip(enc.rnn.parameters(), plain.parameters(), strict=True):
        assert torch.equal(mine, theirs)


def test_gru_ignores_forget_bias() -> None:
    torch.manual_seed(0)
    with_bias = RecurrentEncoder("gru", F, H, num_layers=2, forget_bias=1.0)
    torch.manual_seed(0)
    without = RecurrentEncoder("gru", F, H, num_layers=2, forget_bias=None)
    for a, b in zip(with_bias.parameters(), without.parameters(), strict=True):
        assert torch.equal(a, b)


def test_attributes() -> None:
    enc = RecurrentEncoder("lstm", F, H, bidirectional=True)
    assert (enc.cell_name, enc.hidden_size, enc.output_size) == ("lstm", H, 2 * H)


@pytest.mark.parametrize("lengths, message", [
    ([7, 0, 1, 5], r"sequence lengths must be in 1\.\.7 \(the padded length\), got 0\.\.7"),
    ([8, 3, 1, 5], r"sequence lengths must be in 1\.\.7 \(the padded length\), got 1\.\.8"),
    ([7, 3, 1], r"lengths must have shape \(4,\) to match the batch, got \(3,\)"),
])
def test_bad_lengths_raise(lengths: list[int], message: str) -> None:
    enc = RecurrentEncoder("gru", F, H)
    with pytest.raises(DataError, match=message):
        enc(torch.randn(B, T, F), torch.tensor(lengths))


@pytest.mark.parametrize("kwargs, message", [
    ({"hidden_size": 0}, "hidden size must be at least 1, got 0"),
    ({"num_layers": 0}, "number of layers must be at least 1, got 0"),
    ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1\.0"),
    ({"input_size": 0}, "input size must be at least 1, got 0"),
])
def test_bad_construction_raises(kwargs: dict, message: str) -> None:
    args = {"cell": "gru", "input_size": F, "hidden_size": H} | kwargs
    with pytest.raises(SpecError, match=message):
        RecurrentEncoder(**args)


def test_wrong_input_rank_raises() -> None:
    with pytest.raises(SpecError, match=r"\(B, T, I\)"):
        RecurrentEncoder("gru", F, H)(torch.randn(T, F))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradients_flow_through_padded_batches(cell: str, bidirectional: bool) -> None:
    enc = RecurrentEncoder(cell, F, H, num_layers=2, dropout=0.2, bidirectional=bidirectional)
    x, lengths = _padded_batch()
    x.requires_grad_(True)
    enc(x, lengths).last_hidden.sum().backward()
    assert all(p.grad is not None for p in enc.parameters())
    # Steps past a sequence's end must not influence its summary.
    assert not x.grad[2, 1:].any()
