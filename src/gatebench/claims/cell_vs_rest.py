"""Claim "cell-vs-rest": the cell is not the main factor (the write-up's closing caution).

Decided from importance studies (`gatebench importance`; study ids "importance/<task>"): per
task, the cell's net share of the test metric's variance, credited with its interactions, is
set against the largest net share of the other design factors (learning rate, size,
regularisation, preprocessing), over the levels the design ran (the shares hold for those
ranges only, and the row states them). A trial with no metric is scored as the design's worst
value. A task is for the claim when the lead (largest other minus the cell's) is above 0 and
against when below, each by a bootstrap test over seeds resampled within design points; tasks
combine by the one rule (analysis.combine, Holm), and a verdict needs tasks of at least two
families.
"""

from __future__ import annotations

from typing import Any

from gatebench.analysis.combine import AGAINST, FOR
from gatebench.analysis.importance import (
    INTERACTIONS,
    SEED,
    Decomposition,
    DesignRow,
    ImportancePart,
    decompose,
    ranges_text,
)
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    TaskTest,
    at_level,
    decide_tasks,
    effect,
    fmt_diff,
    mark_rows,
    not_run,
    plural,
    readings_text,
    row,
)
from gatebench.claims.catalogue import ACCURACY, NEITHER, Claim
from gatebench.claims.evidence import Evidence
from gatebench.protocol.record import TrialRecord

# Measured by: importance study per task: the cell's net share of the test metric's variance, with
# its interactions, against the learning rate, size, regularisation and preprocessing (seed noise
# its own part), over the levels the design ran
# (a share of variance, read by advisor.notes before any pick, not weighed as a reason)
CELL_VS_REST = Claim("cell-vs-rest", "The cell is not the main factor", topic=ACCURACY,
                     favours=NEITHER)
CELL = "cell"
PREFIX = "importance/"
MIN_FAMILIES = 2
RESAMPLES = 200
WHAT = "cell's net share of the test metric's variance, with its interactions (largest across " \
       "tasks)"


def design_rows(records: list[TrialRecord]) -> tuple[list[DesignRow], tuple[str, ...]]:
    """Rows {point, levels, metric} for `decompose`, and the design's factors, from records
    (a trial that did not finish has no metric: `decompose` scores it as the worst)."""
    rows: list[DesignRow] = []
    factors = None
    for r in records:
        tag = r.importance or {}
        if "levels" not in tag:
            continue
        factors = factors or tuple(tag["levels"])
        rows.append({"point": tag["point"], "levels": tag["levels"],
                     "metric": r.test.get(r.metric) if r.ok else None})
    return rows, factors or ()


def task_test(result: Decomposition
              ) -> tuple[TaskTest, dict[str, Any], ImportancePart | None]:
    """One task's test of "another factor outweighs the cell", the cell's credited part and the
    largest other factor's part."""
    parts = {p["name"]: p for p in result.get("parts", [])}
    cell = result.get("credited") or {}
    others = [p for n, p in parts.items() if n not in (CELL, INTERACTIONS, SEED)]
    if not cell or not others:
        return TaskTest.silent("no cell or no other factor in the design"), cell, None
    top = max(others, key=lambda p: p["share"])
    lead = result.get("contrast") or {}
    if lead.get("p_above") is None:
        return TaskTest.silent("one seed per design point: no noise estimate"), cell, top
    return TaskTest(lead["p_above"], lead["p_below"]), cell, top


def _pct(part: ImportancePart | dict[str, Any] | None) -> str:
    if not part:
        return "\u2013"
    lo, hi = part.get("ci") or (None, None)
    ci = f" [{100 * lo:.0f}, {100 * hi:.0f}]" if lo is not None and hi is not None else ""
    return f"{part['name']} {100 * part['share']:.0f}%{ci}"


def _effect_text(result: Decomposition) -> str:
    """"lr +0.21 [+0.18, +0.24]; cell −0.01 [−0.03, +0.01]": effects in the metric's units."""
    parts = [p for p in result.get("parts", []) if p.get("effect")]
    return "; ".join(
        f"{p['name']} {p['effect']['what']} "
        + fmt_diff(p["effect"]["value"], p["effect"]["ci"]) for p in parts)


def decide(evidence: Evidence, resamples: int = RESAMPLES) -> ClaimResult:
    """Supported when, on tasks of two families or more, another factor clearly outweighs
    the cell (with its interactions); refuted when the cell clearly outweighs every other."""
    tests: dict[str, TaskTest] = {}
    family_of: dict[str, str] = {}
    rows, cell_shares = [], []
    for sid, records in evidence.studies(PREFIX).items():
        design, factors = design_rows(records)
        if CELL not in factors:
            continue
        task = sid[len(PREFIX):]
        family_of[task] = next((r.task.family for r in records), None) or "?"
        hib = records[0].higher_is_better if records else True
        result = decompose(design, factors, "metric", higher_is_better=hib,
                           resamples=resamples, contrast=CELL)
        tests[task], cell, top = task_test(result)
        if cell:
            cell_shares.append(cell)
        lead = result.get("contrast") or {}
        rows.append(row(task, "largest other factor's net share minus the cell's (with its "
                        "interactions)", lead.get("lead_of_largest_other"),
                        lead.get("ci", (None, None)), n=result.get("n", 0), task=task,
                        family=family_of[task], level="task",
                        top_factor=(top or {}).get("name"), top_share=(top or {}).get("share"),
                        cell_share=cell.get("share"), ranges=result["ranges"],
                        parts=[{"name": p["name"], "share": p["share"], "ci": p["ci"],
                                "effect": p.get("effect")} for p in result["parts"]],
                        metric=next((r.metric for r in records), None),
                        detail=f"{_pct(cell)} vs {_pct(top)}; seed noise "
                        f"{_pct(next((p for p in result['parts'] if p['name'] == SEED), None))[5:]}"
                        f"; effects: {_effect_text(result)}; over {ranges_text(result)} "
                        f"({family_of[task]}; {result['n_worst']} trials scored as the worst)"))
    if not tests:
        return not_run(CELL_VS_REST, WHAT, unit="share")
    combined = decide_tasks(tests, BETTER)
    mark_rows(rows, combined, at_level("task"))
    for r in rows:  # the advisor reads a task's own reading as "verdict"
        r["verdict"] = r.get("counts_as")
    overall = combined.verdict
    deciding = FOR if overall == SUPPORTED else AGAINST
    families = {family_of[t] for t in combined.named(deciding)}
    reason = readings_text(combined, {r["task"]: f"{r['detail']}" for r in rows})
    if overall in (SUPPORTED, REFUTED) and len(families) < MIN_FAMILIES:
        reason = (f"{overall} on {plural(len(combined.named(deciding)), 'task')} of "
                  f"{plural(len(families), 'family', 'families')}; the claim needs "
                  f"{MIN_FAMILIES} families. {reason}")
        overall = INCONCLUSIVE
    largest = max(cell_shares, key=lambda p: p["share"], default=None)
    return ClaimResult(
        CELL_VS_REST.id, CELL_VS_REST.statement, overall, f"{combined.tally()}. {reason}",
        effect(WHAT, largest["share"] if largest else None,
               largest["ci"] if largest else (None, None), "share"),
        evidence=rows, would_change=_would_change(overall), combined=combined,
    )


def _would_change(verdict: str) -> str:
    if verdict == SUPPORTED:
        return ("a task, of any family, where the cell's share of the variance (with its "
                "interactions) clearly exceeds every other factor's")
    if verdict == REFUTED:
        return "a task where another factor (lr, size, preprocessing) outweighs the cell"
    return (f"importance studies on {MIN_FAMILIES} task families that agree (gatebench suite "
            "--claims cell-vs-rest), or intervals narrowed by a larger --trials; other factor "
            "ranges can change the shares")
