"""Group trial records into seed pairs: the GRU and LSTM trials that saw the same data and seed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class Pairs(list):
    """A list of pairs that also says how many incomplete pairs were left out (`skipped`)."""

    def __init__(self, pairs: Iterable[dict[str, Any]] = (), skipped: int = 0) -> None:
        super().__init__(pairs)
        self.skipped = skipped


def pair_records(
    records: Iterable[dict[str, Any]], cells: Sequence[str] = ("gru", "lstm")
) -> Pairs:
    """Pairs {"pair_key", "seed", "data_fraction", <cell>: record, ...} ordered by fraction, seed.

    Records are grouped by (pair_key, data_fraction). A group missing any of `cells` (a study
    still running, or a crashed trial) is skipped and counted in the result's `.skipped`.
    Records of other cells are ignored; a duplicate of one cell in a group keeps the first.
    """
    wanted = tuple(cells)
    groups: dict[tuple[str, float], dict[str, dict[str, Any]]] = {}
    for r in records:
        cell = r.get("cell")
        if cell not in wanted:
            continue
        key = (str(r.get("pair_key")), float(r.get("data_fraction", 1.0)))
        groups.setdefault(key, {}).setdefault(cell, r)
    pairs, skipped = [], 0
    for (pair_key, fraction), by_cell in groups.items():
        if len(by_cell) < len(wanted):
            skipped += 1
            continue
        first = by_cell[wanted[0]]
        pair: dict[str, Any] = {
            "pair_key": pair_key,
            "seed": first.get("seed"),
            "data_fraction": fraction,
        }
        pair.update({c: by_cell[c] for c in wanted})
        pairs.append(pair)
    pairs.sort(key=lambda p: (p["data_fraction"], _seed_order(p["seed"]), p["pair_key"]))
    return Pairs(pairs, skipped)


def _seed_order(seed: Any) -> tuple[int, Any]:
    # Unknown seeds sort last instead of failing to compare with ints.
    return (0, seed) if isinstance(seed, (int, float)) else (1, str(seed))
