"""Before the cell: when importance evidence says another factor moves the metric more, say so.

Reads the cell-vs-rest claim (`gatebench suite --claims cell-vs-rest`): on each task where the
largest other factor clearly outweighs the cell, that factor and both shares are cited, with
the command that tunes it (learning rate, size, regularisation) or measures it on the user's
data (preprocessing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatebench.advisor.answers import Answers
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.advisor.settle import PLACEHOLDER, compare_command
from gatebench.claims.base import SUPPORTED

CLAIM_ID = "cell-vs-rest"
TUNABLE = {"lr": "lr", "hidden": "hidden", "dropout": "dropout",
           "weight_decay": "weight_decay"}
TRIALS = 20


def _supporting_rows(evidence: Sequence[EvidenceSource]) -> list[dict[str, Any]]:
    for source in (s for s in evidence if s.kind == CLAIMS):
        for claim in source.claims:
            if claim.get("id") == CLAIM_ID and claim.get("verdict") == SUPPORTED:
                return [r for r in claim.get("evidence") or []
                        if r.get("verdict") == SUPPORTED and r.get("top_factor")]
    return []


def first_advice(answers: Answers, evidence: Sequence[EvidenceSource]) -> str | None:
    """One sentence to read before the recommendation, or None when the evidence is silent."""
    rows = _supporting_rows(evidence)
    if not rows:
        return None
    factors = list(dict.fromkeys(str(r["top_factor"]) for r in rows))
    cited = "; ".join(f"{r.get('task')}: {r['top_factor']} {100 * r['top_share']:.0f}% "
                      f"vs cell {100 * r['cell_share']:.0f}%" for r in rows
                      if r.get("top_share") is not None and r.get("cell_share") is not None)
    tune = [TUNABLE[f] for f in factors if f in TUNABLE]
    if tune:
        action = (f"tune it first: {compare_command(answers)} --tune {','.join(tune)} "
                  f"--trials {TRIALS}")
    else:
        family = answers.task or "text"
        action = (f"measure it on your data first: gatebench importance "
                  f"{PLACEHOLDER[family]} --task {family}")
    return (f"{' and '.join(factors)} moved the test metric more than the cell "
            f"(share of variance: {cited}); {action}")
