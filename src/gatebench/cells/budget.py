"""Parameter counting and the hidden-size solver: pure arithmetic, no model is built."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from gatebench.cells.registry import cell_names, get_cell
from gatebench.errors import SpecError
from gatebench.protocol.specs import SizingConfig


class CellSize(TypedDict):
    """One cell's size under a sizing rule (`resolve_hidden_sizes`)."""

    hidden_size: int
    core_params: int
    budget: int | None  # None: match="hidden", no parameter budget
    reference_hidden: int  # the reference size the budget was taken at (it may have moved)


class Shape(TypedDict):
    """The layer shape every cell of a study shares (keywords of `core_param_count`)."""

    num_layers: int
    bidirectional: bool


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise SpecError(f"{name} must be a positive integer, got {value!r}")


def rnn_param_count(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
) -> int:
    """Parameters of the recurrent layers, each layer-direction counted by the cell itself
    (`CellDef.layer_params`; fused GRU/LSTM: gates*H*(I+H+2)); layers after the first see
    I = H*D. A cell that stacks layers (`CellDef.depth`) is counted with all of them."""
    _check_positive(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
    definition, h = get_cell(cell), hidden_size
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(definition.depth(num_layers)):
        layer_input = input_size if layer == 0 else h * directions
        total += directions * definition.layer_params(layer_input, h)
    return total


def core_param_count(
    cell: str,
    input_size: int,
    hidden_size: int,
    output_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
) -> int:
    """Parameters that differ between cells: recurrent layers plus the Linear head."""
    _check_positive(output_size=output_size)
    features = hidden_size * (2 if bidirectional else 1)
    head = features * output_size + output_size
    return rnn_param_count(cell, input_size, hidden_size, num_layers, bidirectional) + head


def hidden_size_for_budget(
    cell: str,
    budget: int,
    input_size: int,
    output_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    tolerance: float = 0.01,
) -> int:
    """The hidden size whose core parameter count is closest to `budget`; SpecError if even
    the closest is off by more than `tolerance` (relative)."""
    _check_positive(budget=budget)
    if tolerance < 0:
        raise SpecError(f"budget tolerance must be non-negative, got {tolerance}")
    get_cell(cell)  # an unknown cell fails here, naming the known ones

    def count(h: int) -> int:
        return core_param_count(cell, input_size, h, output_size, num_layers, bidirectional)

    smallest = count(1)
    if smallest > budget * (1 + tolerance):
        raise SpecError(
            f"a parameter budget of {budget:,} is too small for cell {cell!r}: even hidden size 1 "
            f"needs {smallest:,} parameters; raise the budget or use --match hidden"
        )
    # count(h) is strictly increasing in h: double to bracket the budget, then bisect for the
    # smallest h with count(h) >= budget; the answer is that h or the one below it.
    hi = 1
    while count(hi) < budget:
        hi *= 2
    lo = max(1, hi // 2)
    while lo < hi:
        mid = (lo + hi) // 2
        if count(mid) >= budget:
            hi = mid
        else:
            lo = mid + 1
    above = lo
    candidates = [above - 1, above] if above > 1 else [above]
    # Ties go to the smaller model, so a budget is never exceeded without need.
    best = min(candidates, key=lambda h: (abs(count(h) - budget), h))
    if abs(count(best) - budget) > tolerance * budget:
        near = ", ".join(f"{count(h):,} (hidden {h})" for h in candidates)
        raise SpecError(
            f"cannot match a parameter budget of {budget:,} for cell {cell!r} within "
            f"{tolerance:.0%}: nearest achievable counts are {near}; "
            "raise the budget or use --match hidden"
        )
    return best


def resolve_hidden_sizes(
    cells: Iterable[str],
    sizing: SizingConfig,
    input_size: int,
    output_size: int,
    num_layers: int,
    bidirectional: bool,
    tolerance: float = 0.01,
) -> dict[str, CellSize]:
    """Hidden size per cell under a sizing rule: {cell: {"hidden_size", "core_params", "budget"}}.

    `input_size` is what the encoder sees: the embedding dimension for token inputs.
    With match="hidden" every cell gets `reference_hidden` and "budget" is None. With
    match="params" and an explicit `sizing.budget`, each cell is solved to it (SpecError if one
    cannot get within `tolerance`). Without one, the budget is the reference cell's count at
    `reference_hidden`; small models often have no other-cell size within 1% of that, so the
    reference size moves to the nearest one where every fused cell (GRU, LSTM) fits, and each
    entry records it as "reference_hidden". The minimal cells are solved to that budget (their
    counts grow in finer steps; where one cannot get within 1%, SpecError names the fix).
    The answer depends on the spec alone, not on `cells`.
    """
    sizing.validate()
    shape: Shape = {"num_layers": num_layers, "bidirectional": bidirectional}
    budget: int | None = None
    reference_hidden = sizing.reference_hidden
    if sizing.match == "params":
        if sizing.budget is not None:
            budget = sizing.budget
        else:
            reference_hidden, budget = _matchable_reference(
                sizing, input_size, output_size, shape, tolerance
            )
    sizes: dict[str, CellSize] = {}
    for cell in cells:
        if budget is None:
            hidden = sizing.reference_hidden
        else:
            hidden = hidden_size_for_budget(
                cell, budget, input_size, output_size, **shape, tolerance=tolerance
            )
        sizes[cell] = {
            "hidden_size": hidden,
            "core_params": core_param_count(cell, input_size, hidden, output_size, **shape),
            "budget": budget,
            "reference_hidden": reference_hidden,
        }
    return sizes


def _matchable_reference(
    sizing: SizingConfig, input_size: int, output_size: int, shape: Shape,
    tolerance: float,
) -> tuple[int, int]:
    # Try the requested size first, then its neighbours, alternating up and down.
    requested = sizing.reference_hidden
    reach = max(8, requested // 4)
    first_error: SpecError | None = None
    for step in range(2 * reach + 1):
        hidden = requested + (step + 1) // 2 * (1 if step % 2 else -1)
        if hidden < 1:
            continue
        budget = core_param_count(sizing.reference_cell, input_size, hidden, output_size, **shape)
        try:
            for cell in (c for c in cell_names() if get_cell(c).fused):
                hidden_size_for_budget(cell, budget, input_size, output_size, **shape,
                                       tolerance=tolerance)
        except SpecError as exc:
            first_error = first_error or exc
            continue
        return hidden, budget
    raise first_error or SpecError(f"no hidden size near {requested} can be matched")
