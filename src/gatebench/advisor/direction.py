"""Which cell a claim's verdict favours, read from the verdict and the sign of its effect.

Every claim but "long" is a GRU claim: supported means GRU (for "short", supported means
parity: accuracy is no reason to pick either). "long" supported means LSTM. A refuted claim
favours the other cell only when its effect's CI says so (a GRU/LSTM ratio wholly above 1, a
difference wholly on the other side of 0); otherwise it means "no advantage".
Inconclusive, or mixed with nothing matching the user's situation, decides nothing.
"""

from __future__ import annotations

from typing import Any

from gatebench.advisor.advice import GRU, LSTM, NEITHER, UNCLEAR
from gatebench.claims.base import REFUTED, SUPPORTED
from gatebench.numbers import finite

RATIO_CLAIMS = ("speed", "inference", "iteration", "convergence")  # GRU/LSTM ratios


def _ci(effect: dict[str, Any]) -> tuple[float | None, float | None]:
    ci = effect.get("ci") or [None, None]
    return finite(ci[0]), finite(ci[1])


def favours(claim_id: str, verdict: str, effect: dict[str, Any]) -> str:
    """GRU, LSTM, neither or unclear for one claim verdict with its headline effect."""
    if verdict not in (SUPPORTED, REFUTED):
        return UNCLEAR
    lo, hi = _ci(effect)
    if verdict == SUPPORTED:
        return {"short": NEITHER, "long": LSTM}.get(claim_id, GRU)
    if claim_id in RATIO_CLAIMS:  # GRU/LSTM time: above 1 means GRU is slower
        return LSTM if lo is not None and lo > 1.0 else NEITHER
    if claim_id == "small-data":  # LSTM - GRU gap: below 0 means GRU overfits more
        return LSTM if hi is not None and hi < 0 else NEITHER
    if claim_id == "short":  # GRU - LSTM metric beyond the margin, either way
        if lo is not None and lo > 0:
            return GRU
        return LSTM if hi is not None and hi < 0 else UNCLEAR
    if claim_id == "long":  # LSTM/GRU error ratio above 1, or LSTM - GRU below 0: GRU ahead
        if effect.get("unit") == "ratio":
            return GRU if lo is not None and lo > 1.0 else NEITHER
        return GRU if hi is not None and hi < 0 else NEITHER
    return UNCLEAR
