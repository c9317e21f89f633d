"""Claim "short": GRU matches LSTM on short sequences, by an equivalence test per task.

Per short task (median length < max_len), seed pairs where neither trial failed to train
(within noise of the trivial baseline, `analysis.health.trial_failed`) give the paired
GRU − LSTM test-metric differences (`paired_rule`, equivalence within ±margin); the failure
rate of each cell is reported apart
from the mean, and failures are compared with the paired exact test (`success_rule`). Holm
across tasks. Every informative task equivalent -> supported; a task with a significant
difference (in score or in failures) -> refuted, or mixed when others are equivalent.
"""

from __future__ import annotations

from typing import Any

from gatebench import analysis
from gatebench.analysis.health import trial_failed
from gatebench.analysis.rules import (
    A_BETTER,
    B_BETTER,
    EQUIVALENT,
    WINNERS,
    Decision,
    paired_rule,
    success_rule,
)
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    across_tasks,
    decision_effect,
    decision_row,
    finite,
    headline_task,
    holm_outcomes,
    not_run,
    plural,
    task_claim_result,
    task_verdicts,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, LSTM, SHORT
from gatebench.claims.evidence import Evidence

WHAT = "GRU \u2212 LSTM test metric (seeds that trained)"


def median_seq_len(records: list[dict[str, Any]]) -> float | None:
    """The task's median sequence length as described in its records (None if not recorded)."""
    for r in records:
        seq_len = ((r.get("task") or {}).get("description") or {}).get("seq_len")
        if isinstance(seq_len, dict) and finite(seq_len.get("median")) is not None:
            return float(seq_len["median"])
    return None


def task_evidence(records: list[dict[str, Any]], margin: float) -> dict[str, Any] | None:
    """Paired differences over seeds that trained, failure counts, and both Decisions."""
    pairs = analysis.pair_records(records)
    if not pairs:
        return None
    first = pairs[0][GRU]
    metric, hib = str(first.get("metric")), bool(first.get("higher_is_better"))
    ok = {c: [trial_failed(p[c]) is not True for p in pairs] for c in FOLKLORE_CELLS}
    diffs = [analysis.improvement_points(metric, hib,
                                         analysis.effective_metric(p[GRU], metric, hib),
                                         analysis.effective_metric(p[LSTM], metric, hib))
             for p, g, ls in zip(pairs, ok[GRU], ok[LSTM], strict=True) if g and ls]
    return {"score": paired_rule(diffs, margin), "failures": success_rule(ok[GRU], ok[LSTM]),
            "failure_rate": {c: 1.0 - sum(v) / len(v) for c, v in ok.items()},
            "n_pairs": len(pairs), "unit": analysis.point_unit(metric, hib),
            "task": (first.get("task") or {}).get("name"), "device": first.get("device")}


def decide(evidence: Evidence, margin: float = 1.0, max_len: float = 100.0) -> ClaimResult:
    """Every short task's score equivalent within ±margin -> supported; a significant
    difference (Holm across tasks) -> refuted, or mixed when other tasks are equivalent."""
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
    score = holm_outcomes({sid: t["score"] for sid, t in found.items()})
    fails = holm_outcomes({sid: t["failures"] for sid, t in found.items()})
    outcome = {sid: _task_outcome(score[sid], fails[sid], found[sid]["score"])
               for sid in found}
    verdicts = task_verdicts(outcome, supports=(EQUIVALENT,), refutes=(A_BETTER, B_BETTER))
    for r in rows:
        if r["level"] == "task":
            r.update(outcome_holm=outcome[r["label"]], counts_as=verdicts[r["label"]])
    verdict = across_tasks(verdicts.values())
    # The headline: of the tasks that decided the claim, the one that strays farthest from
    # parity (what bounds the claim)
    head = headline_task(verdicts, verdict, key=lambda k: max(
        (abs(finite(c) or 0.0) for c in found[k]["score"].ci), default=0.0))
    tally = "; ".join(
        f"{sid}: {outcome[sid]} ({found[sid]['score'].reason}; failed seeds GRU "
        f"{found[sid]['failure_rate'][GRU]:.0%}, LSTM {found[sid]['failure_rate'][LSTM]:.0%})"
        for sid in found)
    reason = (f"{sum(v == SUPPORTED for v in verdicts.values())} of "
              f"{plural(len(found), 'short task')} equivalent within \u00b1{margin:g} after "
              f"Holm, {sum(v == REFUTED for v in verdicts.values())} differ; {tally}.")
    return task_claim_result(
        SHORT, verdict, reason,
        decision_effect(f"{WHAT} ({head})", found[head]["score"], found[head]["unit"]),
        rows, excluded, _would_change(margin))


def _task_outcome(score: str, failures: str, d: Decision, alpha: float = 0.05) -> str:
    """A difference inside the margin (TOST passes) still matches; otherwise a significant
    difference in score, or else in failure rate, makes the task differ."""
    if d.p_equivalence is not None and d.p_equivalence < alpha and failures not in WINNERS:
        return EQUIVALENT
    if score in WINNERS:
        return score
    return failures if failures in WINNERS else score


def _would_change(margin: float) -> dict[str, str]:
    return {
        SUPPORTED: f"a short task whose difference (or failure rate) reaches beyond "
                   f"\u00b1{margin:g} significantly would make it mixed",
        REFUTED: f"short tasks equivalent within \u00b1{margin:g} would make it mixed; the "
                 f"differing tasks turning equivalent would support it",
        MIXED: "it stays mixed while some tasks are equivalent and others differ",
        INCONCLUSIVE: f"more seeds, until each task's 90% interval fits inside \u00b1{margin:g} "
                      f"(equivalent) or excludes 0 (different)",
    }
