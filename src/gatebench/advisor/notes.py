"""What the advice says beside the pick: the commands that would settle the question on the
user's own data and hardware, a factor to tune before the cell (from the cell-vs-rest claim),
and a minimal cell worth a look (from the contenders claim).

Before the cell: on each task where the largest other factor clearly outweighs the cell
(`gatebench suite --claims cell-vs-rest`), that factor and both shares are cited, with the
command that tunes it (learning rate, size, regularisation) or measures it on the user's data
(preprocessing).

A contender: when the contenders claim found minGRU or minLSTM faster at the user's sequence
length (at or beyond its crossover) and no reference task found it less accurate, say so, with
the four-arm study that would check it on the user's data.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from gatebench.advisor.answers import Answers
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.claims.base import REFUTED, SUPPORTED, ClaimJSON, EvidenceRow
from gatebench.claims.catalogue import Claim
from gatebench.claims.cell_vs_rest import CELL_VS_REST
from gatebench.claims.contenders import CONTENDERS

# What each compare family reads; the placeholder says what to substitute.
PLACEHOLDER = {"text": "YOUR_DATA.csv", "forecast": "YOUR_SERIES.csv",
               "sequence": "YOUR_SEQUENCES.csv", "audio": "YOUR_AUDIO_FOLDER"}
SEEDS = 5  # enough pairs for a margin of about one point on most tasks
TUNABLE = {"lr": "lr", "hidden": "hidden", "dropout": "dropout",
           "weight_decay": "weight_decay"}
TRIALS = 20
PAIRINGS = {"mingru": "GRU", "minlstm": "LSTM"}
FOUR = "gru,lstm,mingru,minlstm"


def compare_command(answers: Answers, family: str | None = None, seeds: int = SEEDS,
                    out: str = "runs/mine") -> str:
    """`gatebench compare ...` on the user's data: their family and device, `seeds` pairs."""
    family = family or answers.task or "text"
    parts = ["gatebench", "compare", PLACEHOLDER[family], "--task", family, "--seeds",
             str(seeds), "--out", shlex.quote(out)]
    if answers.device == "gpu":
        parts += ["--device", "cuda"]
    return " ".join(parts)


def latency_command() -> str:
    """`gatebench suite --claims inference` on the target machine: latency per runtime."""
    return "gatebench suite --claims inference --out runs/my-latency"


def _find(evidence: Sequence[EvidenceSource], claim: Claim) -> list[ClaimJSON]:
    """Every version of `claim` among the claims files, user sources first."""
    return [c for source in evidence if source.kind == CLAIMS
            for c in source.claims if c.get("id") == claim.id]


def _supporting_rows(evidence: Sequence[EvidenceSource]) -> list[EvidenceRow]:
    for claim in _find(evidence, CELL_VS_REST):
        if claim.get("verdict") == SUPPORTED:
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


def _fits(rows: list[EvidenceRow], pairing: str, seq_len: int | None
          ) -> tuple[EvidenceRow, float] | None:
    """The pairing's faster speed row nearest the user's length (at or below it) with the
    crossover, if the user's length is at or beyond it; None when it is not supported there."""
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
    return max(speed, key=lambda r: r["seq_len"]), crossover


def contender_note(answers: Answers, evidence: Sequence[EvidenceSource]) -> str | None:
    """One sentence naming a minimal cell the evidence supports for this regime, or None."""
    claim = next((c for c in _find(evidence, CONTENDERS) if c.get("evidence")), None)
    if claim is None:
        return None
    rows = claim["evidence"]
    worse = {r.get("pairing") for r in rows if r.get("level") == "task"
             and r.get("counts_as") == REFUTED}
    parts = []
    for pairing, fused in PAIRINGS.items():
        found = None if pairing in worse else _fits(rows, pairing, answers.seq_len)
        if found is not None:
            row, crossover = found
            device = f" on {row['device']}" if row.get("device") else ""
            parts.append(f"{pairing} took {row['value']:.2f}\u00d7 the {fused}'s training "
                         f"step at T={row['seq_len']}{device} (faster from "
                         f"T={crossover}), no reference task less accurate")
    if not parts:
        return None
    return (f"a contender fits your regime: {'; '.join(parts)}; check it on your data: "
            f"{compare_command(answers)} --cells {FOUR}")
