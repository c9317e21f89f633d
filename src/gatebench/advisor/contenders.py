"""A minimal cell worth a look: when the contenders claim found minGRU or minLSTM faster at the
user's sequence length (at or beyond its crossover) and no reference task found it less
accurate, say so, with the four-arm study that would check it on the user's data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatebench.advisor.answers import Answers
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.advisor.settle import compare_command
from gatebench.claims.base import REFUTED, SUPPORTED

CLAIM_ID = "contenders"
PAIRINGS = {"mingru": "GRU", "minlstm": "LSTM"}
FOUR = "gru,lstm,mingru,minlstm"


def _claim(evidence: Sequence[EvidenceSource]) -> dict[str, Any] | None:
    for source in (s for s in evidence if s.kind == CLAIMS):
        for claim in source.claims:
            if claim.get("id") == CLAIM_ID and claim.get("evidence"):
                return claim
    return None


def _fits(rows: list[dict[str, Any]], pairing: str, seq_len: int | None
          ) -> dict[str, Any] | None:
    """The pairing's faster speed row nearest the user's length (at or below it), if the
    user's length is at or beyond its crossover; None when it is not supported there."""
    cross = [r for r in rows if r.get("level") == "finding"
             and str(r.get("group", "")).startswith(f"{pairing}/") and r.get("value")]
    if not cross:
        return None
    crossover = min(r["value"] for r in cross)
    if seq_len is not None and seq_len < crossover:
        return None
    speed = [r for r in rows if r.get("level") == "config" and r.get("pairing") == pairing
             and r.get("counts_as") == SUPPORTED and r["seq_len"] >= crossover
             and (seq_len is None or r["seq_len"] <= seq_len)]
    if not speed:
        return None
    return {**max(speed, key=lambda r: r["seq_len"]), "crossover": crossover}


def contender_note(answers: Answers, evidence: Sequence[EvidenceSource]) -> str | None:
    """One sentence naming a minimal cell the evidence supports for this regime, or None."""
    claim = _claim(evidence)
    if claim is None:
        return None
    rows = claim["evidence"]
    worse = {r.get("pairing") for r in rows if r.get("level") == "task"
             and r.get("counts_as") == REFUTED}
    parts = []
    for pairing, fused in PAIRINGS.items():
        found = None if pairing in worse else _fits(rows, pairing, answers.seq_len)
        if found is not None:
            device = f" on {found['device']}" if found.get("device") else ""
            parts.append(f"{pairing} took {found['value']:.2f}\u00d7 the {fused}'s training "
                         f"step at T={found['seq_len']}{device} (faster from "
                         f"T={found['crossover']}), no reference task less accurate")
    if not parts:
        return None
    return (f"a contender fits your regime: {'; '.join(parts)}; check it on your data: "
            f"{compare_command(answers)} --cells {FOUR}")
