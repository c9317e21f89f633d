"""Bake-offs of k arms: pairwise verdicts under Holm's step-down control, and a ranking.

Every comparison is one test: its decision (a winner, or equivalence within the margin) counts
as a rejection. Holm's step-down needs only decisions at chosen levels, not p-values: decide
every open comparison at alpha/m; those decided are final; decide the rest again at
alpha/(m - decided), and so on until a round decides nothing. That is Holm's rejection set for
any rule whose decisions only grow with alpha, so the same code serves the fixed rule and the
anytime-valid sequential rule of ``--seeds auto``, and the family-wise error rate over all
comparisons stays at alpha.

The ranking gives each arm 1 + the number of arms significantly better than it: arms the data
cannot separate share a rank (a tie). It is decided when every comparison is decided.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from gatebench.analysis import rules
from gatebench.analysis.documents import (
    HolmEntry,
    HolmStep,
    PairwiseRow,
    Ranking,
    VerdictDoc,
)
from gatebench.analysis.stats import t_ci
from gatebench.analysis.verdict import decide
from gatebench.errors import SpecError

HOLM_METHOD = ("Holm step-down over the comparisons (each comparison's decision, a winner or "
               "equivalence, is one test), family-wise error rate {alpha:g}")
DECIDED = (*rules.WINNERS, rules.EQUIVALENT)


def comparisons(arms: Sequence[str], reference: str | None = None) -> list[tuple[str, str]]:
    """The (a, b) pairs compared: every pair in the arms' order, or each arm against
    `reference` (as "arm − reference")."""
    arms = list(arms)
    if reference is None:
        return list(itertools.combinations(arms, 2))
    if reference not in arms:
        raise SpecError(f"--reference {reference!r} is not one of the arms "
                        f"({', '.join(arms)})")
    return [(a, reference) for a in arms if a != reference]


def primary_pair(arms: Sequence[str], reference: str | None = None) -> tuple[str, str]:
    """The comparison the two-arm keys (difference, verdict) describe: the first one."""
    return comparisons(arms, reference)[0]


def holm_pairwise(
    diffs: dict[tuple[str, str], list[float]], margin: float, unit: str, *,
    alpha: float = 0.05, design: str = "fixed", max_pairs: int = 10,
) -> list[HolmEntry]:
    """Each comparison's verdict under Holm's step-down (module doc), in the given order.

    `diffs` maps (a, b) to per-pair improvements of a over b. Each entry: a, b, the
    `decide` verdict at the level it was settled at (or the last level tried), and "holm":
    {"alpha": that level, "step": the round, "rejected": whether it was decided}.
    """
    open_ = list(diffs)
    settled: dict[tuple[str, str], tuple[VerdictDoc, HolmStep]] = {}
    step = 0
    while open_:
        step += 1
        level = alpha / len(open_)
        verdicts = {c: decide(diffs[c], margin, 1.0 - level, cell_a=c[0], cell_b=c[1],
                              unit=unit, design=design, max_pairs=max_pairs)
                    for c in open_}
        decided = [c for c in open_ if verdicts[c]["outcome"] in DECIDED]
        for c in open_ if not decided else decided:
            settled[c] = (verdicts[c], {"alpha": level, "step": step, "rejected": c in decided})
        if not decided:
            break
        open_ = [c for c in open_ if c not in decided]
    return [{"a": a, "b": b, "verdict": settled[(a, b)][0], "holm": settled[(a, b)][1]}
            for a, b in diffs]


def pairwise_rows(diffs: dict[tuple[str, str], list[float]], verdicts: list[HolmEntry],
                  unit: str, level: float = 0.95) -> list[PairwiseRow]:
    """JSON rows for summary.json's "pairwise": the difference with its CI, and the verdict."""
    rows: list[PairwiseRow] = []
    for entry in verdicts:
        values = diffs[(entry["a"], entry["b"])]
        finite = [v for v in values if math.isfinite(v)]
        lo, hi = (float(x) for x in t_ci(finite, level)) if len(finite) > 1 else (None, None)
        if lo is not None and not (math.isfinite(lo) and math.isfinite(hi)):
            lo = hi = None
        rows.append({
            "a": entry["a"], "b": entry["b"], "what": f"{entry['a']} \u2212 {entry['b']}",
            "unit": unit, "mean": sum(finite) / len(finite) if finite else None,
            "ci": [lo, hi], "values": values, "verdict": entry["verdict"],
            "holm": entry["holm"],
        })
    return rows


def rank_arms(arms: Sequence[str], pairwise: Sequence[PairwiseRow],
              means: dict[str, float], higher_is_better: bool,
              reference: str | None = None) -> Ranking:
    """The ranking from pairwise verdicts: rank = 1 + arms significantly better; ties share
    a rank; within a rank, the better mean first. With a `reference` (only comparisons
    against it), three groups: better than it, not separated from it (with it), worse.
    "decided": every comparison decided."""
    better_than: dict[str, set[str]] = {a: set() for a in arms}  # arm -> arms it beats
    for row in pairwise:
        outcome = row["verdict"]["outcome"]
        if outcome == rules.A_BETTER:
            better_than[row["a"]].add(row["b"])
        elif outcome == rules.B_BETTER:
            better_than[row["b"]].add(row["a"])
    rank = ({a: 1 + sum(a in beaten for beaten in better_than.values()) for a in arms}
            if reference is None else _reference_ranks(arms, better_than, reference))
    sign = -1.0 if higher_is_better else 1.0  # sort keys ascend: the better mean first
    order = sorted(arms, key=lambda a: (rank[a], _key(means.get(a), sign), a))
    undecided = [(r["a"], r["b"]) for r in pairwise if r["verdict"]["outcome"] not in DECIDED]
    return {
        "order": [{"arm": a, "rank": rank[a], "mean": means.get(a),
                   "beats": sorted(better_than[a]),
                   "tied_with": sorted(b for b in arms if b != a and rank[b] == rank[a])}
                  for a in order],
        "decided": not undecided,
        "undecided": [list(c) for c in undecided],
        "final": all(r["verdict"].get("final", True) for r in pairwise),
    }


def _reference_ranks(arms: Sequence[str], better_than: dict[str, set[str]],
                     reference: str) -> dict[str, int]:
    group = {a: 0 if reference in better_than[a] else 2 if a in better_than[reference] else 1
             for a in arms}
    used = sorted(set(group.values()))
    # ranks count arms above, as without a reference: 1, then 1 + the size of groups above
    start = {g: 1 + sum(1 for a in arms if group[a] < g) for g in used}
    return {a: start[group[a]] for a in arms}


def ranking_text(ranking: Ranking) -> str:
    """One line: "1. GRU, LSTM (tied) · 3. MINGRU"; the undecided comparisons after it."""
    groups: dict[int, list[str]] = {}
    for row in ranking["order"]:
        groups.setdefault(row["rank"], []).append(row["arm"].upper())
    parts = [f"{rank}. {', '.join(names)}" + (" (tied)" if len(names) > 1 else "")
             for rank, names in groups.items()]
    text = " \u00b7 ".join(parts)
    if ranking["undecided"]:
        pairs = ", ".join(f"{a.upper()}/{b.upper()}" for a, b in ranking["undecided"])
        text += f"; not yet separated: {pairs}"
    return text


def _key(x: float | None, sign: float) -> float:
    # an unknown or infinite mean sorts last within its rank, whichever way is better
    return sign * x if x is not None and math.isfinite(x) else math.inf
