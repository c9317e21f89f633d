"""The claims table: one short row per claim for the terminal and the report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from gatebench.claims.base import ClaimJSON, Effect, fmt_diff, fmt_ratio
from gatebench.claims.ratios import UNIT as RATIO_UNIT


class ClaimRow(TypedDict):
    """One claim in the table: its verdict, key number, dependence, tally and reason."""

    id: str
    statement: str
    verdict: str
    key: str
    depends_on: str | None
    tally: str | None  # None: not combined across tasks
    reason: str


def key_number(effect: Effect) -> str:
    """The headline effect as text: "0.93× [0.88, 0.98]" or "+0.40 [−0.60, +1.20] points"."""
    if effect.get("value") is None:
        return "\u2013"
    if effect.get("unit") == RATIO_UNIT:
        return fmt_ratio(effect["value"], effect["ci"])
    return fmt_diff(effect["value"], effect["ci"], effect.get("unit", ""))


def claims_rows(results: Iterable[ClaimJSON]) -> list[ClaimRow]:
    """Per claim result dict: id, statement, verdict, key (the key number), depends_on, tally
    ("k of N tasks informative, j for, i against"; None when not combined) and reason."""
    return [
        {"id": r["id"], "statement": r["statement"], "verdict": r["verdict"],
         "key": key_number(r["effect"]) if r.get("effect") else "\u2013",
         "depends_on": r.get("depends_on"),
         "tally": (r.get("combined") or {}).get("tally"), "reason": r["reason"]}
        for r in results
    ]
