"""Claim "short": GRU matches LSTM on short sequences, by an equivalence test per task."""

from __future__ import annotations

from typing import Any

from gatebench import analysis
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    effect,
    finite,
    fmt_diff,
    plural,
    row,
)
from gatebench.claims.catalogue import SHORT
from gatebench.claims.evidence import Evidence
from gatebench.errors import GatebenchError

WHAT = "GRU \u2212 LSTM test metric"


def median_seq_len(records: list[dict[str, Any]]) -> float | None:
    """The task's median sequence length as described in its records (None if not recorded)."""
    for r in records:
        seq_len = ((r.get("task") or {}).get("description") or {}).get("seq_len")
        if isinstance(seq_len, dict) and finite(seq_len.get("median")) is not None:
            return float(seq_len["median"])
    return None


def counts_as(verdict: dict[str, Any]) -> str:
    """A study's analysis verdict as evidence for "matches": equivalent or a difference
    significant but inside the margin -> supported; significant and reaching beyond the
    margin -> refuted; inconclusive -> inconclusive."""
    label = verdict["label"]
    if label == analysis.INCONCLUSIVE:
        return INCONCLUSIVE
    if label == analysis.EQUIVALENT:
        return SUPPORTED
    lo, hi, margin = *verdict["ci"], verdict["margin"]
    return SUPPORTED if -margin <= lo and hi <= margin else REFUTED


def decide(evidence: Evidence, margin: float = 1.0, max_len: float = 100.0) -> ClaimResult:
    """Every short task (median length < max_len) equivalent within ±margin -> supported;
    any difference beyond the margin -> refuted, or mixed when other tasks are equivalent."""
    rows, counted, excluded = [], {}, {"too_long": [], "length_unknown": [], "no_pairs": []}
    for sid, records in evidence.studies("short/").items():
        length = median_seq_len(records)
        if length is None:
            excluded["length_unknown"].append(sid)
            continue
        if length >= max_len:
            excluded["too_long"].append(f"{sid} (median {length:g})")
            continue
        try:
            summary = analysis.summarize(records, margin=margin)
        except GatebenchError:
            excluded["no_pairs"].append(sid)
            continue
        verdict = summary["verdict"]
        counted[sid] = (counts_as(verdict), summary)
        rows.append(row(
            sid, WHAT, verdict["mean"], verdict["ci"], verdict["n"],
            task=summary["task"]["name"], device=summary["cells"]["gru"]["device"],
            unit=summary["unit"], verdict=verdict["label"], counts_as=counted[sid][0],
            detail={"median_seq_len": length, "margin": margin, "text": verdict["text"]},
        ))
    if not counted:
        return ClaimResult(SHORT.id, SHORT.statement, INCONCLUSIVE, NOT_RUN,
                           effect(WHAT), evidence=rows, excluded=excluded)

    votes = [v for v, _ in counted.values()]
    n_for, n_against = votes.count(SUPPORTED), votes.count(REFUTED)
    if n_for == len(votes):
        verdict = SUPPORTED
    elif n_against:
        verdict = MIXED if n_for else REFUTED
    else:
        verdict = INCONCLUSIVE
    # The headline is the task that strays farthest from parity: what bounds the claim.
    sid, (_, worst) = max(counted.items(), key=lambda kv: max(
        abs(finite(c) or 0.0) for c in kv[1][1]["difference"]["ci"]))
    d = worst["difference"]
    reason = (f"{n_for} of {plural(len(votes), 'short task')} match within \u00b1{margin:g} "
              f"({n_against} differ beyond it); farthest from parity {sid}: "
              f"{WHAT} {fmt_diff(d['mean'], d['ci'], d['unit'])} (n={worst['n_pairs']} seeds).")
    return ClaimResult(
        SHORT.id, SHORT.statement, verdict, reason,
        effect(f"{WHAT} ({sid})", d["mean"], d["ci"], d["unit"]),
        depends_on="the task" if verdict == MIXED else None, evidence=rows, excluded=excluded,
    )
