"""Claim "cell-vs-rest": the cell is not the main factor (the write-up's closing caution).

Decided from importance studies (`gatebench importance`; study ids "importance/<task>"): per
task, the cell's share of the test metric's variance is set against the largest share of the
other design factors (learning rate, size, regularisation, preprocessing). A task supports the
claim when the bootstrap interval of that lead (largest other share minus the cell's) lies
wholly above 0, and refutes it when it lies wholly below 0. The claim needs tasks of at least
two families; their verdicts combine as usual.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from gatebench.analysis.importance import INTERACTIONS, SEED, decompose
from gatebench.claims.base import (
    INCONCLUSIVE,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    effect,
    from_readings,
    not_run,
    plural,
    row,
)
from gatebench.claims.catalogue import Claim
from gatebench.claims.evidence import Evidence, Record

# Measured by: importance study per task: the cell's share of the test metric's variance against
# the learning rate, size, regularisation and preprocessing (seed noise its own part)
CELL_VS_REST = Claim("cell-vs-rest", "The cell is not the main factor")
CELL = "cell"
PREFIX = "importance/"
MIN_FAMILIES = 2
RESAMPLES = 200
WHAT = "cell's share of the test metric's variance (largest across tasks)"


def design_rows(records: list[Record]) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """Rows {point, levels, metric} for `decompose`, and the design's factors, from records."""
    rows, factors = [], None
    for r in records:
        tag = r.get("importance") or {}
        if "levels" not in tag:
            continue
        factors = factors or tuple(tag["levels"])
        ok = r.get("status") == "ok"
        rows.append({"point": tag["point"], "levels": tag["levels"],
                     "metric": (r.get("test") or {}).get(r.get("metric")) if ok else None})
    return rows, factors or ()


def task_verdict(result: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """One task's verdict, the cell's part and the largest other factor's part.

    Decided on the bootstrap interval of the largest other factor's share minus the cell's:
    wholly above 0 supports the claim, wholly below 0 refutes it.
    """
    parts = {p["name"]: p for p in result.get("parts", [])}
    cell = parts.get(CELL)
    others = [p for n, p in parts.items() if n not in (CELL, INTERACTIONS, SEED)]
    if cell is None or not others:
        return INCONCLUSIVE, cell or {}, None
    top = max(others, key=lambda p: p["share"])
    lo, hi = (result.get("contrast") or {}).get("ci") or (None, None)
    if lo is not None and lo > 0:
        return SUPPORTED, cell, top
    if hi is not None and hi < 0:
        return REFUTED, cell, top
    return INCONCLUSIVE, cell, top


def _versus(task: str, rows: list[dict[str, Any]]) -> str:
    r = next((r for r in rows if r["task"] == task), {})
    if r.get("top_share") is None or r.get("cell_share") is None:
        return "no cell share"
    return (f"{r['top_factor']} {100 * r['top_share']:.0f}% vs cell "
            f"{100 * r['cell_share']:.0f}% of the variance")


def _pct(part: dict[str, Any] | None) -> str:
    if not part:
        return "\u2013"
    lo, hi = part["ci"]
    ci = f" [{100 * lo:.0f}, {100 * hi:.0f}]" if lo is not None and hi is not None else ""
    return f"{part['name']} {100 * part['share']:.0f}%{ci}"


def decide(evidence: Evidence, resamples: int = RESAMPLES) -> ClaimResult:
    """Supported when, on tasks of two families or more, another factor clearly outweighs
    the cell; refuted when the cell clearly outweighs every other factor."""
    studies = evidence.studies(PREFIX)
    verdicts: dict[str, str] = {}
    families: dict[str, set[str]] = defaultdict(set)
    rows, cell_shares = [], []
    for sid, records in studies.items():
        design, factors = design_rows(records)
        if CELL not in factors:
            continue
        task = sid[len(PREFIX):]
        family = next(((r.get("task") or {}).get("family") for r in records), None) or "?"
        result = decompose(design, factors, "metric", resamples=resamples, contrast=CELL)
        verdict, cell, top = task_verdict(result)
        verdicts[task] = verdict
        families[verdict].add(family)
        if cell:
            cell_shares.append(cell)
        lead = result.get("contrast") or {}
        rows.append(row(task, "largest other factor's share minus the cell's",
                        lead.get("lead_of_largest_other"), lead.get("ci", (None, None)),
                        n=result.get("n", 0), task=task, family=family, verdict=verdict,
                        top_factor=(top or {}).get("name"), top_share=(top or {}).get("share"),
                        cell_share=cell.get("share"),
                        parts=[{"name": p["name"], "share": p["share"], "ci": p["ci"]}
                               for p in result["parts"]],
                        metric=next((r.get("metric") for r in records), None),
                        detail=f"{verdict}: {_pct(cell)} vs {_pct(top)}; seed noise "
                        f"{_pct(next((p for p in result['parts'] if p['name'] == SEED), None))[5:]}"
                        f" ({family})"))
    if not verdicts:
        return not_run(CELL_VS_REST, WHAT, unit="share")
    overall = from_readings(verdicts.values())
    decided_families = families[overall] if overall in (SUPPORTED, REFUTED) else set()
    if overall in (SUPPORTED, REFUTED) and len(decided_families) < MIN_FAMILIES:
        reason = (f"{overall} on {plural(len(verdicts), 'task')} of "
                  f"{plural(len(decided_families), 'family', 'families')}; the claim needs "
                  f"{MIN_FAMILIES} families")
        overall = INCONCLUSIVE
    else:
        reason = "; ".join(f"{task}: {_versus(task, rows)} ({v})" for task, v in verdicts.items())
    largest = max(cell_shares, key=lambda p: p["share"], default=None)
    return ClaimResult(
        CELL_VS_REST.id, CELL_VS_REST.statement, overall, reason,
        effect(WHAT, largest["share"] if largest else None,
               largest["ci"] if largest else (None, None), "share"),
        evidence=rows, would_change=_would_change(overall),
    )


def _would_change(verdict: str) -> str:
    if verdict == SUPPORTED:
        return ("a task, of any family, where the cell's share of the variance clearly exceeds "
                "every other factor's")
    if verdict == REFUTED:
        return "a task where another factor (lr, size, preprocessing) outweighs the cell"
    return (f"importance studies on {MIN_FAMILIES} task families that agree (gatebench suite "
            "--claims cell-vs-rest), or intervals narrowed by a larger --budget")
