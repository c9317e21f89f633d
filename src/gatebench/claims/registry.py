"""The claims registry: each catalogued claim with its decider, and `evaluate_claims`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from gatebench.claims import (
    cell_vs_rest,
    contenders,
    convergence,
    inference,
    iteration,
    long,
    short,
    small_data,
    speed,
)
from gatebench.claims.base import ClaimJSON, ClaimResult
from gatebench.claims.catalogue import (
    CONVERGENCE,
    INFERENCE,
    ITERATION,
    LONG,
    SHORT,
    SMALL_DATA,
    SPEED,
    SPEED_ARCHITECTURE,
    Claim,
)
from gatebench.claims.evidence import Evidence, Record
from gatebench.errors import UnknownNameError


@dataclass(frozen=True)
class ClaimEntry:
    """A catalogued claim and the function that decides it from evidence."""

    claim: Claim
    decide: Callable[..., ClaimResult]


CLAIMS: dict[str, ClaimEntry] = {
    e.claim.id: e for e in (
        ClaimEntry(SPEED, speed.decide),
        ClaimEntry(SPEED_ARCHITECTURE, speed.decide_architecture),
        ClaimEntry(INFERENCE, inference.decide),
        ClaimEntry(SHORT, short.decide),
        ClaimEntry(SMALL_DATA, small_data.decide),
        ClaimEntry(CONVERGENCE, convergence.decide),
        ClaimEntry(LONG, long.decide),
        ClaimEntry(ITERATION, iteration.decide),
        ClaimEntry(cell_vs_rest.CELL_VS_REST, cell_vs_rest.decide),
        ClaimEntry(contenders.CONTENDERS, contenders.decide),
    )
}


def claim_ids() -> list[str]:
    """Registered claim ids, in catalogue order."""
    return list(CLAIMS)


def get_claim(claim_id: str) -> ClaimEntry:
    """The registry entry of `claim_id`; UnknownNameError listing the known ids otherwise."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise UnknownNameError("claim", claim_id, claim_ids()) from None


def evaluate_claims(
    records: Iterable[Record] | Evidence,
    claim_ids: Sequence[str] | None = None,
    thresholds: dict[str, dict[str, float | None]] | None = None,
) -> list[ClaimJSON]:
    """Decide each claim (all by default) from stored records; JSON-able result dicts.

    `thresholds` maps a claim id to keyword arguments of its decider (numbers; inference's
    batch may be None), e.g. {"speed": {"support": 0.8}}. Unknown ids raise UnknownNameError
    before anything runs.
    """
    chosen = [get_claim(c) for c in (claim_ids if claim_ids is not None else list(CLAIMS))]
    overrides = thresholds or {}
    for claim_id in overrides:
        get_claim(claim_id)
    evidence = records if isinstance(records, Evidence) else Evidence.from_records(records)
    return [e.decide(evidence, **overrides.get(e.claim.id, {})).to_dict() for e in chosen]
