"""minGRU and minLSTM: the parallel scan equals the sequential step, padding stays out of the
state, the budget solver sizes them, and they refuse what they cannot do."""

from __future__ import annotations

import pytest
import torch

from gatebench.cells import RecurrentEncoder, build_model, core_param_count, get_cell
from gatebench.cells.budget import resolve_hidden_sizes
from gatebench.cells.scan import g, log_g, parallel_scan, sequential_scan
from gatebench.errors import SpecError
from gatebench.protocol.specs import SizingConfig

MIN_CELLS = ("mingru", "minlstm")


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("num_layers", [1, 3])
def test_parallel_scan_equals_sequential_steps_with_a_carried_state(cell, num_layers) -> None:
    torch.manual_seed(0)
    layers = get_cell(cell).build(5, 16, num_layers, 0.0, False).eval()
    x = 2 * torch.randn(4, 60, 5)
    h0 = torch.randn(num_layers, 4, 16)  # a carried state of either sign, not zeros
    with torch.no_grad():
        # the whole sequence in two halves, the state carried across, against step by step
        first, h_mid = layers(x[:, :25], h0)
        second, h_n = layers(x[:, 25:], h_mid)
        h, steps = h0, []
        for t in range(x.shape[1]):
            out, h = layers.step(x[:, t], h)
            steps.append(out)
    scanned = torch.cat([first, second], dim=1)
    # to 1e-5, absolute and relative: float32 log space loses a few ulp of |cumsum log a|
    assert torch.allclose(scanned, torch.stack(steps, dim=1), atol=1e-5, rtol=1e-5)
    assert torch.allclose(h_n, h, atol=1e-5, rtol=1e-5)
    assert h_n.shape == (num_layers, 4, 16)


def test_log_space_scan_is_the_recurrence_and_stays_finite() -> None:
    torch.manual_seed(1)
    h0 = torch.randn(2, 3)
    b = torch.rand(2, 500, 3) + 0.1
    # gates as trained cells have them: the product of a underflows float32 long before t=500
    log_a = -torch.rand(2, 500, 3)
    expected = sequential_scan(log_a.exp(), b, h0)
    assert torch.allclose(parallel_scan(log_a, b.log(), h0), expected, atol=1e-5, rtol=1e-5)
    # strong forgetting: still finite and close (chunks keep |cumsum log a| small)
    log_a = -5 * torch.rand(2, 500, 3)
    got = parallel_scan(log_a, b.log(), h0)
    assert torch.isfinite(got).all()
    assert torch.allclose(got, sequential_scan(log_a.exp(), b, h0), atol=1e-4, rtol=1e-4)
    # one chunk over the whole sequence is the same recurrence, less precisely
    whole = parallel_scan(log_a[:, :64], b[:, :64].log(), h0, chunk=1_000)
    assert torch.allclose(whole, got[:, :64])


def test_g_is_positive_and_log_g_is_its_log() -> None:
    x = torch.linspace(-30, 30, 601)
    assert (g(x) > 0).all()
    assert torch.allclose(log_g(x), g(x).log(), atol=1e-6)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_padding_does_not_change_the_result(cell) -> None:
    torch.manual_seed(2)
    model = build_model(cell, input_kind="tokens", input_size=50, output_size=3,
                        objective="classification", hidden_size=12, num_layers=2,
                        embed_dim=8).eval()
    lengths = torch.tensor([7, 3, 11, 1])
    x = torch.zeros(4, 11, dtype=torch.long)
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randint(1, 50, (int(n),))
    noisy = x.clone()
    noisy[noisy == 0] = 17  # what sits in the padding must not matter either
    with torch.no_grad():
        batched = model(x, lengths)
        other_padding = model(noisy, lengths)
        alone = torch.cat([model(x[i : i + 1, :n], None) for i, n in enumerate(lengths)])
    assert torch.allclose(batched, alone, atol=1e-5)
    assert torch.allclose(other_padding, batched, atol=1e-6)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_padded_outputs_are_zero_and_training_gradients_finite(cell) -> None:
    torch.manual_seed(3)
    encoder = RecurrentEncoder(cell, 4, 8)
    x = torch.randn(3, 9, 4)
    out = encoder(x, torch.tensor([9, 4, 2]))
    assert out.outputs[1, 4:].abs().max() == 0 and out.outputs[2, 2:].abs().max() == 0
    out.last_hidden.sum().backward()
    grads = [p.grad for p in encoder.parameters()]
    assert all(g_ is not None and torch.isfinite(g_).all() for g_ in grads)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_bidirectional_is_refused_in_one_line(cell) -> None:
    with pytest.raises(SpecError, match="forward only"):
        RecurrentEncoder(cell, 4, 8, bidirectional=True)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_budget_solver_matches_the_lstm_budget(cell) -> None:
    sizing = SizingConfig(match="params", reference_cell="lstm", reference_hidden=64)
    sizes = resolve_hidden_sizes(("lstm", cell), sizing, 32, 2, 1, False)
    budget = sizes["lstm"]["core_params"]
    assert abs(sizes[cell]["core_params"] - budget) <= 0.01 * budget
    # a cell with no recurrent weights needs a wider state for the same parameters
    assert sizes[cell]["hidden_size"] > sizes["lstm"]["hidden_size"]
    model = build_model(cell, input_kind="features", input_size=32, output_size=2,
                        objective="classification", hidden_size=sizes[cell]["hidden_size"])
    assert model.core_parameters() == core_param_count(cell, 32, sizes[cell]["hidden_size"], 2)


def test_fused_sizes_do_not_move_when_minimal_cells_exist() -> None:
    # The reference size is searched over the fused cells only, so GRU/LSTM studies keep the
    # sizes they had before the minimal cells were registered.
    sizing = SizingConfig(match="params", reference_cell="lstm", reference_hidden=16)
    both = resolve_hidden_sizes(("gru", "lstm"), sizing, 1, 2, 1, False)
    four = resolve_hidden_sizes(("gru", "lstm", "mingru", "minlstm"), sizing, 1, 2, 1, False)
    assert {c: both[c] for c in both} == {c: four[c] for c in both}


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_a_minimal_layer_is_a_stack_whose_stream_equals_its_forward(cell) -> None:
    torch.manual_seed(4)
    model = build_model(cell, input_kind="features", input_size=1, output_size=2,
                        objective="classification", hidden_size=10).eval()
    depth = get_cell(cell).depth(1)
    assert depth == 2 and len(model.encoder.rnn.layers) == depth
    state = model.init_state(3)
    assert state.shape == (depth, 3, 10)
    x = torch.randn(3, 30, 1)
    with torch.no_grad():
        whole = model(x)
        for t in range(x.shape[1]):
            out, state = model.step(x[:, t], state)
    assert torch.allclose(out, whole, atol=1e-5, rtol=1e-5)


def test_on_a_scalar_series_matched_sizes_are_of_the_fused_cells_order() -> None:
    # italy-power's shape (input 1, 2 classes): one unstacked minGRU layer needed H ~ 11k
    sizing = SizingConfig(match="params", reference_cell="lstm", reference_hidden=128)
    sizes = resolve_hidden_sizes(("gru", "lstm", *MIN_CELLS), sizing, 1, 2, 1, False)
    budget = sizes["lstm"]["core_params"]
    for cell in MIN_CELLS:
        assert abs(sizes[cell]["core_params"] - budget) <= 0.01 * budget
        assert sizes[cell]["hidden_size"] <= 1.5 * sizes["gru"]["hidden_size"]
