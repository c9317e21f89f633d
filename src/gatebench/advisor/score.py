"""Weighted reasons -> a recommendation and a confidence.

A reason's weight is relevance (how much the claim bears on the answers, see `relevance`) x
closeness (near 1, partial or unknown 0.75, far 0.5) x directness (a claim's own verdict 1, a
mixed claim resolved by the rows matching the user 0.7, a compare study's accuracy verdict 2;
reference claims on a topic the user's own study settles count half). A cell is recommended
when its summed weight exceeds the other's by at least DECIDE; otherwise the answer is
"either".

Confidence for a cell: high when the lead is >= 1.5 and the other cell has at most a quarter
of the winner's weight; medium when the lead is >= 0.8; low otherwise, and low whenever every
reason for the winner is far from the user's situation. For "either": high when measured
parity weighs >= 2 and neither cell has DECIDE/2; medium when parity weighs >= 1 and neither
cell has DECIDE; else low (evidence pulling both ways is a conflict, not parity). Unanswered
questions lower it: two or more unknown answers cost one level, five or more leave it low.
"""

from __future__ import annotations

from gatebench.advisor.advice import EITHER, GRU, LSTM, NEITHER, Reason
from gatebench.advisor.closeness import FAR

DECIDE = 0.5
HIGH_LEAD, MEDIUM_LEAD, HIGH_SHARE = 1.5, 0.8, 0.25
HIGH_PARITY, MEDIUM_PARITY = 2.0, 1.0
LEVELS = ("low", "medium", "high")
UNKNOWN_DOWNGRADE, UNKNOWN_LOW = 2, 5


def tally(reasons: list[Reason]) -> dict[str, float]:
    """Summed weight per side: GRU, LSTM and neither (parity)."""
    out = {GRU: 0.0, LSTM: 0.0, NEITHER: 0.0}
    for r in reasons:
        if r.favours in out:
            out[r.favours] += r.weight
    return out


def recommend(reasons: list[Reason], n_unknown: int) -> tuple[str, str, dict[str, float]]:
    """(recommendation, confidence, tally) from weighted reasons and the unknown answers."""
    t = tally(reasons)
    lead = t[GRU] - t[LSTM]
    if abs(lead) < DECIDE:
        strongest = max(t[GRU], t[LSTM])
        if t[NEITHER] >= HIGH_PARITY and strongest < DECIDE / 2:
            level = "high"
        else:
            level = "medium" if t[NEITHER] >= MEDIUM_PARITY and strongest < DECIDE else "low"
        return EITHER, _discount(level, n_unknown), t
    winner, loser = (GRU, LSTM) if lead > 0 else (LSTM, GRU)
    if abs(lead) >= HIGH_LEAD and t[loser] <= HIGH_SHARE * t[winner]:
        level = "high"
    else:
        level = "medium" if abs(lead) >= MEDIUM_LEAD else "low"
    if all(r.closeness.level == FAR for r in reasons if r.favours == winner and r.weight > 0):
        level = "low"
    return winner, _discount(level, n_unknown), t


def _discount(level: str, n_unknown: int) -> str:
    if n_unknown >= UNKNOWN_LOW:
        return "low"
    if n_unknown >= UNKNOWN_DOWNGRADE:
        return LEVELS[max(0, LEVELS.index(level) - 1)]
    return level
