"""Claim "contenders": minGRU/minLSTM train faster than GRU/LSTM at long T, with comparable
accuracy (Feng et al. 2024). Two parts, both needed for "supported":

- speed: the training-step time ratio minGRU/GRU and minLSTM/LSTM per sequence length, from
  interleaved rounds on this device (`ratio_rule`: geometric mean, t interval on the logs); the
  crossover length is the shortest T from which the minimal cell is faster at every longer T
  measured; the speed part is decided at the longest T.
- accuracy: on the reference tasks, each minimal cell against its fused counterpart at the
  same hidden size (a study per pairing; a study of more arms is read pairwise under Holm,
  analysis.karm). "Comparable" is the "A matches B" rule: every informative task must find
  the minimal cell equivalent within the margin (or better); a task that finds it worse
  refutes; an inconclusive task keeps the part from support; an uninformative task (both
  arms fail or saturate) counts neither way, and the reason says how many there were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gatebench.analysis import rules, summarize
from gatebench.analysis.combine import verdict_of
from gatebench.claims.base import (
    INCONCLUSIVE,
    MATCHES,
    MIXED,
    REFUTED,
    SUPPORT_RATIO,
    SUPPORTED,
    ClaimResult,
    EvidenceRow,
    decision_row,
    effect,
    from_readings,
    not_run,
    ratio_verdict,
    row,
)
from gatebench.claims.catalogue import COST, NEITHER, RATIO, STEP_TIME, Claim
from gatebench.claims.evidence import Evidence
from gatebench.protocol.record import StepTimingRecord

# Measured by: training-step ratio minimal/fused cell per T on this device, with the crossover
# length; pairwise accuracy verdicts (Holm) on two reference tasks
CONTENDERS = Claim("contenders", "minGRU/minLSTM train faster than GRU/LSTM at long T, with "
                                 "comparable accuracy (Feng et al. 2024)",
                   topic=COST, favours=NEITHER, measure=RATIO, reads=("seq_len", "device"),
                   timing=STEP_TIME)
PAIRINGS: tuple[tuple[str, str], ...] = (("mingru", "gru"), ("minlstm", "lstm"))
CONFIG_FIELDS = ("device", "impl", "sizing", "reference_hidden", "batch")
STUDY_PREFIX = "contenders/"
UNIT = "ratio"
# A minimal cell "faster" needs its ratio's whole interval at or below this (15% faster, as
# the speed claim); "not faster" needs it at or above NOT_FASTER.
NOT_FASTER = 1.0


def speed_rows(step_timing: Sequence[StepTimingRecord], support: float = SUPPORT_RATIO
               ) -> list[EvidenceRow]:
    """One row per (pairing, configuration, T): the ratio's decision and what it counts as."""
    rounds: dict[tuple, dict[Any, dict[str, StepTimingRecord]]] = {}
    for r in step_timing:
        if r.get("status", "ok") == "ok":
            key = (*(r.get(f) for f in CONFIG_FIELDS), r.get("seq_len"))
            rounds.setdefault(key, {}).setdefault(r.get("round"), {}).setdefault(r["cell"], r)
    rows = []
    for key, by_round in sorted(rounds.items(), key=lambda kv: tuple(map(str, kv[0][:-1]))
                                + (kv[0][-1] or 0,)):
        for mine, theirs in PAIRINGS:
            ratios = [c[mine]["median_ms"] / c[theirs]["median_ms"] for c in by_round.values()
                      if mine in c and theirs in c and c[theirs].get("median_ms")]
            if len(ratios) < 2:
                continue
            d = rules.ratio_rule(ratios)
            device, impl, sizing, hidden, batch, seq_len = key
            rows.append(decision_row(
                f"{mine}/{theirs} T={seq_len} (H={hidden}, B={batch}, {sizing})",
                f"{mine}/{theirs} training-step time", d, UNIT, device=device, pairing=mine,
                seq_len=seq_len, group=f"{mine}/{theirs} {device} H={hidden} B={batch}",
                level="config", counts_as=ratio_verdict(d.ci, support, NOT_FASTER)))
    return rows


def crossover(rows: Sequence[EvidenceRow]) -> float | None:
    """The shortest T from which every longer T measured counts as faster (None: never)."""
    found = None
    for r in sorted(rows, key=lambda r: r["seq_len"], reverse=True):
        if r["counts_as"] != SUPPORTED:
            break
        found = r["seq_len"]
    return found


def accuracy_rows(evidence: Evidence, margin: float) -> list[EvidenceRow]:
    """Per reference task and pairing: the Holm-adjusted pairwise verdict, as claim evidence."""
    rows = []
    for sid, records in evidence.studies(STUDY_PREFIX).items():
        arms = [c for c in ("gru", "lstm", "mingru", "minlstm")
                if any(r.get("cell") == c for r in records)]
        if len(arms) < 2:
            continue
        s = summarize(records, margin=margin, arms=arms)
        for p in s["pairwise"]:
            pairing = next((m for m, f in PAIRINGS if {p["a"], p["b"]} == {m, f}), None)
            if pairing is None:
                continue
            counts = accuracy_reading(p["verdict"]["outcome"], p["a"] != pairing)
            task = sid.removeprefix(STUDY_PREFIX).split("/")[0]
            rows.append(row(f"{task}: {p['what']}",
                            f"test {s['metric']} difference", p["mean"], p["ci"],
                            len(p["values"]), task=task,
                            unit=s["unit"], pairing=pairing, level="task",
                            verdict=p["verdict"]["label"], counts_as=counts,
                            detail={"holm_alpha": p["holm"]["alpha"]}))
    return rows


def accuracy_reading(outcome: str, minimal_is_b: bool) -> str:
    """What one pairwise verdict counts as for "comparable accuracy": equivalent or the
    minimal cell better supports, the fused cell better refutes, uninformative stays
    uninformative (it counts neither way), anything undecided is inconclusive."""
    if outcome == rules.UNINFORMATIVE:
        return rules.UNINFORMATIVE
    if outcome == rules.EQUIVALENT:
        return SUPPORTED
    if outcome in rules.WINNERS:
        fused_won = (outcome == rules.A_BETTER) == minimal_is_b
        return REFUTED if fused_won else SUPPORTED
    return INCONCLUSIVE


def accuracy_verdict_of(rows: Sequence[EvidenceRow]) -> str:
    """The accuracy part by the "A matches B" rule: supported only when every informative
    task reading supports (and there is one); refuted when any is against."""
    readings = [r["counts_as"] for r in rows]
    informative = sum(v != rules.UNINFORMATIVE for v in readings)
    return verdict_of(MATCHES, readings.count(SUPPORTED), readings.count(REFUTED), informative)


def decide(evidence: Evidence, support: float = SUPPORT_RATIO, margin: float = 1.0
           ) -> ClaimResult:
    """Supported when the minimal cells are faster at the longest T (both pairings measured)
    and every informative reference task finds them equivalent or better (module doc);
    refuted when they are not faster there or are worse in accuracy; mixed when one part
    supports and the other refutes."""
    speed = speed_rows(evidence.step_timing, support)
    accuracy = accuracy_rows(evidence, margin)
    if not speed and not accuracy:
        return not_run(CONTENDERS, "minimal/fused training-step time", UNIT)
    at_longest, crossings = {}, {}
    for group in dict.fromkeys(r["group"] for r in speed):
        mine = [r for r in speed if r["group"] == group]
        at_longest[group] = max(mine, key=lambda r: r["seq_len"])
        crossings[group] = crossover(mine)
    speed_verdict = from_readings(r["counts_as"] for r in at_longest.values())
    accuracy_verdict = accuracy_verdict_of(accuracy)
    parts = {speed_verdict, accuracy_verdict}
    verdict = (SUPPORTED if parts == {SUPPORTED} else MIXED if parts >= {SUPPORTED, REFUTED}
               else REFUTED if REFUTED in parts else INCONCLUSIVE)
    summary_rows = [row(f"crossover {g}", "shortest T from which the minimal cell is faster",
                        crossings[g], n=sum(r["group"] == g for r in speed), level="finding",
                        group=g, detail={"at_longest": at_longest[g]["label"]})
                    for g in at_longest]
    head = next(iter(at_longest.values()), None)
    headline = (effect(head["label"], head["value"], head["ci"], UNIT) if head
                else effect("minimal/fused training-step time", unit=UNIT))
    return ClaimResult(
        CONTENDERS.id, CONTENDERS.statement, verdict,
        reason_text(at_longest, crossings, speed_verdict, accuracy, accuracy_verdict, support),
        headline, depends_on="speed and accuracy disagree" if verdict == MIXED else None,
        evidence=speed + summary_rows + accuracy,
        would_change=("a minimal cell slower at the longest T, or worse on a reference task"
                      if verdict == SUPPORTED else "timing longer sequences (the crossover "
                      "may lie beyond the range measured) or more seeds on the reference tasks"),
    )


def reason_text(at_longest: dict[str, EvidenceRow], crossings: dict[str, float | None],
                speed_verdict: str, accuracy: list[EvidenceRow], accuracy_verdict: str,
                support: float) -> str:
    """The claim's reason in words: per pairing the ratio at the longest T and the crossover,
    then the accuracy verdicts."""
    parts = []
    for group, r in at_longest.items():
        lo, hi = r["ci"]
        span = f" [{lo:.2f}, {hi:.2f}]" if lo is not None and hi is not None else ""
        cross = (f"faster from T={crossings[group]}" if crossings[group] is not None
                 else "not significantly faster at any T measured")
        parts.append(f"{group}: {r['value']:.2f}\u00d7{span} at T={r['seq_len']}, {cross}")
    speed = "; ".join(parts) if parts else "no step timings"
    found = ", ".join(f"{r['task']} {r['pairing']}: {r['verdict']}" for r in accuracy)
    return (f"speed ({speed_verdict}; faster = interval \u2264 {support:g}): {speed}. "
            f"Accuracy ({accuracy_verdict}, Holm within each task; "
            f"{accuracy_tally(accuracy)}): {found or 'not run'}.")


def accuracy_tally(accuracy: Sequence[EvidenceRow]) -> str:
    """'3 of 4 task readings informative (1 uninformative), 2 equivalent or better, 1 worse'."""
    readings = [r["counts_as"] for r in accuracy]
    uninformative = readings.count(rules.UNINFORMATIVE)
    return (f"{len(readings) - uninformative} of {len(readings)} task readings informative "
            f"({uninformative} uninformative), {readings.count(SUPPORTED)} equivalent or "
            f"better, {readings.count(REFUTED)} worse")

