"""Tests for gatebench.cells.budget: parameter counts and the hidden-size solver."""

import re

import pytest
from torch import nn

from gatebench.cells import (
    core_param_count,
    get_cell,
    hidden_size_for_budget,
    resolve_hidden_sizes,
    rnn_param_count,
)
from gatebench.errors import SpecError, UnknownNameError
from gatebench.protocol.specs import SizingConfig


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# the minimal cells run forward only (a bidirectional one is refused; see test_cell_min)
@pytest.mark.parametrize("cell, bidirectional", [
    ("gru", False), ("gru", True), ("lstm", False), ("lstm", True),
    ("mingru", False), ("minlstm", False)])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("input_size, hidden_size", [(3, 5), (16, 8), (7, 7)])
def test_rnn_count_equals_torch(
    cell: str, num_layers: int, bidirectional: bool, input_size: int, hidden_size: int
) -> None:
    definition = get_cell(cell)  # a stacking cell builds depth(num_layers) layers
    rnn = definition.build(input_size, hidden_size, definition.depth(num_layers), 0.0,
                           bidirectional)
    assert rnn_param_count(cell, input_size, hidden_size, num_layers, bidirectional) == _numel(rnn)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_core_count_adds_the_head(bidirectional: bool) -> None:
    d = 2 if bidirectional else 1
    rnn = rnn_param_count("lstm", 10, 6, 2, bidirectional)
    assert core_param_count("lstm", 10, 6, 3, 2, bidirectional) == rnn + 6 * d * 3 + 3


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("budget", [1_000_000, 3_000_000, 10_000_000])
@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, True)])
def test_solver_is_within_one_percent(
    cell: str, budget: int, num_layers: int, bidirectional: bool
) -> None:
    # Budgets large enough that one hidden unit is well under 1% of the count (see below).
    hidden = hidden_size_for_budget(cell, budget, 32, 5, num_layers, bidirectional)
    count = core_param_count(cell, 32, hidden, 5, num_layers, bidirectional)
    assert abs(count - budget) <= 0.01 * budget
    # Closest integer: neither neighbour is nearer.
    for other in (hidden - 1, hidden + 1):
        if other >= 1:
            near = core_param_count(cell, 32, other, 5, num_layers, bidirectional)
            assert abs(near - budget) >= abs(count - budget)


def _closest(cell: str, budget: int, input_size: int, output_size: int) -> tuple[int, list[int]]:
    """By exhaustive search: the hidden size nearest the budget (ties to the smaller) and the
    counts of the sizes either side of it."""
    counts = {1: core_param_count(cell, input_size, 1, output_size)}
    h = 1
    while counts[h] < budget:
        h += 1
        counts[h] = core_param_count(cell, input_size, h, output_size)
    best = min(counts, key=lambda k: (abs(counts[k] - budget), k))
    return best, [counts[k] for k in (h - 1, h) if k in counts]


SMALL_BUDGETS = range(1_000, 40_000, 1_300)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("budget", SMALL_BUDGETS)
def test_small_budgets_get_the_closest_size_or_the_nearest_counts(cell: str, budget: int) -> None:
    # One integer knob moves the count in steps of ~gates*(I+2H): small models can miss 1%.
    best, near = _closest(cell, budget, 16, 2)
    if abs(core_param_count(cell, 16, best, 2) - budget) <= 0.01 * budget:
        assert hidden_size_for_budget(cell, budget, 16, 2) == best
    else:
        with pytest.raises(SpecError) as info:
            hidden_size_for_budget(cell, budget, 16, 2)
        message = str(info.value)
        assert message.startswith(f"cannot match a parameter budget of {budget:,} for cell "
                                  f"{cell!r} within 1%: nearest achievable counts are ")
        for count in near:
            assert f"{count:,} (hidden " in message


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_small_budgets_cover_both_outcomes(cell: str) -> None:
    # The range above exercises the solver's answer and its refusal, not only one of them.
    met = [abs(core_param_count(cell, 16, _closest(cell, b, 16, 2)[0], 2) - b) <= 0.01 * b
           for b in SMALL_BUDGETS]
    assert any(met) and not all(met)


@pytest.mark.parametrize("lstm_hidden", [64, 128, 256, 512])
def test_gru_hidden_is_about_1_2x_lstm_at_equal_params(lstm_hidden: int) -> None:
    # The I = H region (e.g. embedding dim = hidden size) quoted in DESIGN.md.
    budget = core_param_count("lstm", lstm_hidden, lstm_hidden, 2)
    gru_hidden = hidden_size_for_budget("gru", budget, lstm_hidden, 2)
    assert 1.16 <= gru_hidden / lstm_hidden <= 1.24


def test_reference_size_comes_back_exactly() -> None:
    budget = core_param_count("lstm", 40, 77, 3, 2, True)
    assert hidden_size_for_budget("lstm", budget, 40, 3, 2, True) == 77


def test_tiny_budget_raises() -> None:
    with pytest.raises(SpecError, match=r"budget of 50 .*'gru'.*hidden size 1"):
        hidden_size_for_budget("gru", 50, 32, 2)


def test_unreachable_tolerance_names_nearest_counts() -> None:
    # Steps between neighbouring hidden sizes exceed 0 tolerance almost everywhere.
    low = core_param_count("lstm", 8, 10, 2)
    high = core_param_count("lstm", 8, 11, 2)
    budget = (low + high) // 2
    with pytest.raises(SpecError) as info:
        hidden_size_for_budget("lstm", budget, 8, 2, tolerance=0.0)
    message = str(info.value)
    assert f"{budget:,}" in message and "'lstm'" in message
    assert f"{low:,}" in message and f"{high:,}" in message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"budget": 0}, "budget must be a positive integer, got 0"),
        ({"budget": 1000, "input_size": 0}, "input_size must be a positive integer, got 0"),
        ({"budget": 1000, "output_size": 0}, "output_size must be a positive integer, got 0"),
        ({"budget": 1000, "num_layers": 0}, "num_layers must be a positive integer, got 0"),
        ({"budget": 1000, "tolerance": -0.1}, "budget tolerance must be non-negative, got -0.1"),
    ],
)
def test_bad_arguments_raise_spec_error(kwargs: dict, message: str) -> None:
    args = {"cell": "gru", "input_size": 4, "output_size": 2} | kwargs
    with pytest.raises(SpecError, match=f"^{re.escape(message)}$"):
        hidden_size_for_budget(**args)


UNKNOWN_RNN = "^no cell 'rnn'; known: gru, lstm, mingru, minlstm$"


def test_unknown_cell_in_counts() -> None:
    with pytest.raises(UnknownNameError, match=UNKNOWN_RNN):
        rnn_param_count("rnn", 4, 4)
    with pytest.raises(UnknownNameError, match=UNKNOWN_RNN):
        hidden_size_for_budget("rnn", 10_000, 4, 2)


def test_resolve_match_hidden() -> None:
    sizes = resolve_hidden_sizes(
        ["gru", "lstm"], SizingConfig(match="hidden", reference_hidden=48), 16, 3, 1, False
    )
    for cell in ("gru", "lstm"):
        assert sizes[cell] == {
            "hidden_size": 48,
            "core_params": core_param_count(cell, 16, 48, 3),
            "budget": None,
            "reference_hidden": 48,
        }


@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, True)])
def test_resolve_match_params_from_reference(num_layers: int, bidirectional: bool) -> None:
    sizing = SizingConfig(match="params", reference_cell="lstm", reference_hidden=64)
    sizes = resolve_hidden_sizes(["gru", "lstm"], sizing, 64, 4, num_layers, bidirectional)
    budget = core_param_count("lstm", 64, 64, 4, num_layers, bidirectional)
    assert sizes["lstm"] == {"hidden_size": 64, "core_params": budget, "budget": budget,
                             "reference_hidden": 64}
    assert sizes["gru"]["budget"] == budget
    assert abs(sizes["gru"]["core_params"] - budget) <= 0.01 * budget
    assert sizes["gru"]["hidden_size"] > 64


def test_resolve_match_params_explicit_budget() -> None:
    sizing = SizingConfig(match="params", budget=100_000)
    sizes = resolve_hidden_sizes(("gru", "lstm"), sizing, 32, 2, 1, False)
    for entry in sizes.values():
        assert entry["budget"] == 100_000
        assert abs(entry["core_params"] - 100_000) <= 1_000


def test_resolve_validates_sizing() -> None:
    with pytest.raises(SpecError, match="--match must be 'params' or 'hidden', not 'flops'"):
        resolve_hidden_sizes(["gru"], SizingConfig(match="flops"), 8, 2, 1, False)
    with pytest.raises(SpecError, match="budget of 10 is too small for cell 'gru': even "
                       "hidden size 1 needs 37 parameters"):
        resolve_hidden_sizes(["gru"], SizingConfig(budget=10), 8, 2, 1, False)


def test_counts_need_no_model() -> None:
    # Pure arithmetic: a huge model is sized instantly and without allocating it.
    assert rnn_param_count("lstm", 10_000, 10_000, 8, True) > 10**9


@pytest.mark.parametrize("requested", [16, 24, 32, 48])
def test_small_reference_moves_to_a_size_every_cell_can_match(requested: int) -> None:
    sizing = SizingConfig(match="params", reference_cell="lstm", reference_hidden=requested)
    sizes = resolve_hidden_sizes(("gru", "lstm"), sizing, 128, 2, 1, False)
    ref = sizes["lstm"]["reference_hidden"]
    assert abs(ref - requested) <= max(8, requested // 4)
    assert sizes["lstm"]["hidden_size"] == ref
    for cell in ("gru", "lstm"):
        assert abs(sizes[cell]["core_params"] / sizes[cell]["budget"] - 1) <= 0.01
    # the answer depends on the spec alone, not on which cells were asked for
    assert resolve_hidden_sizes(("gru",), sizing, 128, 2, 1, False)["gru"] == sizes["gru"]
