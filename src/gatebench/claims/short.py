"""Claim "short": GRU matches LSTM on short sequences, by an equivalence test per task.

Per short task (median length < max_len), every seed pair gives the paired GRU − LSTM
test-metric difference (`paired_rule`, equivalence within ±margin), failed seeds included at
the score they reached: dropping them would keep only the survivors of the cell that fails more
often. Each cell's failure rate (`analysis.health.trial_failed`) and the paired exact test of
failures (`success_rule`) are reported beside. A task whose trials were still improving when
they stopped (the health checks of `compare`) is uninformative. Tasks combine by the one rule
(analysis.combine, "A matches B"): supported only when every informative task is equivalent,
refuted by a significant difference after Holm.
"""

from __future__ import annotations

from typing import TypedDict

from gatebench import analysis
from gatebench.analysis.health import trial_failed
from gatebench.analysis.rules import Decision, paired_rule, success_rule
from gatebench.claims.base import (
    INCONCLUSIVE,
    MATCHES,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    TaskTest,
    at_level,
    counts_as,
    decide_tasks,
    decision_effect,
    decision_row,
    finite,
    headline_task,
    mark_rows,
    matches_test,
    not_run,
    readings_text,
    task_claim_result,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, LSTM, SHORT
from gatebench.claims.evidence import Evidence
from gatebench.claims.health import FAILURES, health_reason, task_health
from gatebench.protocol.record import TrialRecord

WHAT = "GRU \u2212 LSTM test metric (every seed, failed ones included)"


class TaskEvidence(TypedDict):
    """One short task's evidence: the score and failure Decisions, each cell's failure rate,
    and why its training was unhealthy (None: healthy)."""

    score: Decision
    failures: Decision
    failure_rate: dict[str, float]  # per cell
    n_pairs: int
    unit: str
    task: str
    device: str
    unhealthy: str | None


def median_seq_len(records: list[TrialRecord]) -> float | None:
    """The task's median sequence length as described in its records (None if not recorded)."""
    for r in records:
        seq_len = r.task.description.get("seq_len")
        if isinstance(seq_len, dict) and finite(seq_len.get("median")) is not None:
            return float(seq_len["median"])
    return None


def task_evidence(records: list[TrialRecord], margin: float) -> TaskEvidence | None:
    """Paired differences over every seed pair (failed seeds at their score), failure counts,
    and both Decisions."""
    pairs = analysis.pair_records(records)
    if not pairs:
        return None
    first = pairs[0][GRU]
    metric, hib = first.metric, first.higher_is_better
    ok = {c: [trial_failed(p[c]) is not True for p in pairs] for c in FOLKLORE_CELLS}
    diffs = [analysis.improvement_points(metric, hib,
                                         analysis.effective_metric(p[GRU], metric, hib),
                                         analysis.effective_metric(p[LSTM], metric, hib))
             for p in pairs]
    unhealthy = health_reason(task_health(records, scored=FAILURES, margin=margin))
    return {"score": paired_rule(diffs, margin), "failures": success_rule(ok[GRU], ok[LSTM]),
            "failure_rate": {c: 1.0 - sum(v) / len(v) for c, v in ok.items()},
            "n_pairs": len(pairs), "unit": analysis.point_unit(metric, hib),
            "task": first.task.name, "device": first.device,
            "unhealthy": unhealthy}


def decide(evidence: Evidence, margin: float = 1.0, max_len: float = 100.0) -> ClaimResult:
    """Every informative short task's score equivalent within ±margin -> supported; a
    significant difference (Holm across tasks) -> refuted; else inconclusive."""
    rows, found, excluded = [], {}, {"too_long": [], "length_unknown": [], "no_pairs": []}
    for sid, records in evidence.studies("short/").items():
        length = median_seq_len(records)
        if length is None:
            excluded["length_unknown"].append(sid)
            continue
        if length >= max_len:
            excluded["too_long"].append(f"{sid} (median {length:g})")
            continue
        t = task_evidence(records, margin)
        if t is None:
            excluded["no_pairs"].append(sid)
            continue
        found[sid] = t
        rows.append(decision_row(sid, WHAT, t["score"], t["unit"], task=t["task"],
                                 device=t["device"], level="task", failure_rate=t["failure_rate"],
                                 detail={"median_seq_len": length, "margin": margin,
                                         "pairs": t["n_pairs"]}))
        rows.append(decision_row(f"{sid} failures", "GRU \u2212 LSTM share of seeds that trained",
                                 t["failures"], "share", task=t["task"], level="failures",
                                 failure_rate=t["failure_rate"]))
    if not found:
        return not_run(SHORT, WHAT, would_change="running a short-sequence task: gatebench "
                       "suite --claims short", evidence=rows, excluded=excluded)
    combined = decide_tasks({sid: TaskTest.silent(t["unhealthy"]) if t["unhealthy"]
                             else matches_test(t["score"]) for sid, t in found.items()}, MATCHES)
    mark_rows(rows, combined, at_level("task", key="label"))
    verdicts = counts_as(combined)
    # The headline: of the tasks that decided the claim, the one that strays farthest from
    # parity (what bounds the claim)
    head = headline_task(verdicts, combined.verdict, key=lambda k: max(
        (abs(finite(c) or 0.0) for c in found[k]["score"].ci), default=0.0))
    reason = (f"equivalent within \u00b1{margin:g}, failed seeds counted at their score: "
              + readings_text(combined, {
                  sid: f"{t['score'].reason}; failed seeds GRU {t['failure_rate'][GRU]:.0%}, "
                       f"LSTM {t['failure_rate'][LSTM]:.0%}" for sid, t in found.items()})
              + ".")
    return task_claim_result(
        SHORT, combined, reason,
        decision_effect(f"{WHAT} ({head})", found[head]["score"], found[head]["unit"]),
        rows, excluded, _would_change(margin))


def _would_change(margin: float) -> dict[str, str]:
    return {
        SUPPORTED: f"a short task with a significant difference (failed seeds count at their "
                   f"score), or one no longer equivalent within \u00b1{margin:g}, would refute "
                   f"it or leave it inconclusive",
        REFUTED: f"the differing tasks turning equivalent within \u00b1{margin:g} (with every "
                 f"other informative task) would support it",
        MIXED: "it stays mixed while some tasks are equivalent and others differ",
        INCONCLUSIVE: f"more seeds, until each task's 90% interval fits inside \u00b1{margin:g} "
                      f"(equivalent) or excludes 0 (different)",
    }
