"""Group trial records into seed pairs: each arm's trial on the same data split and seed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from gatebench.protocol.record import TrialRecord

# One seed pair: {"pair_key", "seed", "data_fraction", <arm label>: TrialRecord, ...}
Pair = dict[str, Any]


class Pairs(list):
    """A list of pairs that also says how many incomplete pairs were left out (`skipped`)."""

    def __init__(self, pairs: Iterable[Pair] = (), skipped: int = 0) -> None:
        super().__init__(pairs)
        self.skipped = skipped


def arm_of(record: TrialRecord) -> str:
    """A record's arm label (read_record labels records from before arms by their cell)."""
    return record.arm


def arms_in(records: Iterable[TrialRecord]) -> list[str]:
    """The arm labels present in these records, ordered by cell name, then label.

    A fixed order, not the order records happen to arrive in, so a default comparison always
    reads the same way round: "gru − lstm", "lstm-a − lstm-b".
    """
    arms = {r.arm: r.cell for r in records}
    return sorted(arms, key=lambda label: (arms[label], label))


def pair_records(
    records: Iterable[TrialRecord], arms: Sequence[str] | None = None
) -> Pairs:
    """Pairs {"pair_key", "seed", "data_fraction", <arm>: record, ...} ordered by fraction, seed.

    Records are grouped by (pair_key, data_fraction). A group missing any of `arms` (a study
    still running, or a crashed trial) is skipped and counted in the result's `.skipped`.
    Records of other arms are ignored; a duplicate of one arm in a group keeps the first.
    `arms` defaults to every arm in the records (in `arms_in` order); a pair needs two at least,
    so records of a single arm make no pairs.
    """
    records = list(records)
    wanted = tuple(arms) if arms is not None else tuple(arms_in(records))
    if len(wanted) < 2:
        groups_seen = {(r.pair_key, r.data_fraction) for r in records}
        return Pairs([], skipped=len(groups_seen))
    groups: dict[tuple[str, float], dict[str, TrialRecord]] = {}
    for r in records:
        if r.arm not in wanted:
            continue
        key = (r.pair_key, float(r.data_fraction))
        groups.setdefault(key, {}).setdefault(r.arm, r)
    pairs, skipped = [], 0
    for (pair_key, fraction), by_cell in groups.items():
        if len(by_cell) < len(wanted):
            skipped += 1
            continue
        pair: Pair = {
            "pair_key": pair_key,
            "seed": by_cell[wanted[0]].seed,
            "data_fraction": fraction,
        }
        pair.update({c: by_cell[c] for c in wanted})
        pairs.append(pair)
    pairs.sort(key=lambda p: (p["data_fraction"], _seed_order(p["seed"]), p["pair_key"]))
    return Pairs(pairs, skipped)


def _seed_order(seed: Any) -> tuple[int, Any]:
    # Unknown seeds sort last instead of failing to compare with ints.
    return (0, seed) if isinstance(seed, (int, float)) else (1, str(seed))
