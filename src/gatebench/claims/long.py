"""Claim "long": LSTM wins on very long sequences with complex dependencies, per probe.

Each probe is read in its own units, paired by seed (A = LSTM, B = GRU throughout):

- adding (T >= 400 is "very long"): each trial's test MSE divided by the task's trivial
  baseline (the mean predictor, about 0.167), compared as the paired ratio LSTM/GRU of those
  normalised errors (`ratio_rule`; below 1: LSTM closer to a solution). Not pass/fail.
- a^n b^n: trained on n <= N, tested on every n up to 3N; a seed's score is the largest n up
  to which it gets every test string right (`paired_rule` on LSTM − GRU, margin 1).
- copy memory: recall accuracy in points (`paired_rule`, margin 1 point).

A pair where both cells fail (within FAILURE_SHARE of the baseline) or both saturate (the
score's ceiling) carries no signal; a length where every pair is like that is uninformative,
never a zero-width interval. Per probe the longest informative length decides; probes are
combined with Holm's correction (`combine_tasks`). LSTM ahead -> supported; GRU ahead or
equivalent -> refuted; probes disagree -> mixed (it depends on the kind of dependency).

The crossover (one definition, used by the claim and the report): the smallest measured length
from which LSTM is significantly ahead at that length and at every longer informative one.
"""

from __future__ import annotations

import math
import re
from typing import Any

from gatebench import analysis
from gatebench.analysis.rules import (
    A_BETTER,
    UNINFORMATIVE,
    Decision,
    paired_rule,
    ratio_rule,
)
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    decision_effect,
    decision_row,
    finite,
    holm_verdict,
    not_run,
)
from gatebench.claims.catalogue import GRU, LONG, LSTM
from gatebench.claims.evidence import Evidence, Record

# A probe score unsolved: within this share of the way from the trivial baseline to perfect.
# The probes' own scale (normalised error, strings right), not whether the trial trained
# (analysis.health.trial_failed), which the other claims read.
FAILURE_SHARE = 0.2
SATURATED_ERROR = 0.01  # normalised error at or below this: solved
SATURATED_ACCURACY = 0.99
MEASURES = {
    "adding": ("LSTM/GRU test MSE relative to the mean predictor (below 1: LSTM closer)",
               "ratio"),
    "anbn": ("LSTM \u2212 GRU largest n all test strings right (trained on n \u2264 N)", "n"),
    "copy-memory": ("LSTM \u2212 GRU recall accuracy", "points"),
}
WHAT = "LSTM vs GRU on the long-range probes"


def probe_length(sid: str, records: list[Record]) -> tuple[str, int | None]:
    """(probe, length) of a "long/<probe>/T=<len>" or "long/anbn/N=<n>" study."""
    parts = sid.split("/")
    probe = parts[1] if len(parts) > 1 else sid
    for r in records:
        options = ((r.get("spec") or {}).get("task") or {}).get("options") or {}
        key = "n_train_max" if probe == "anbn" and "n_train_max" in options else "seq_len"
        if finite(options.get(key)) is not None:
            return probe, int(options[key])
    m = re.search(r"[TN]=(\d+)", sid)
    return probe, int(m.group(1)) if m else None


def generalisation_n(record: Record) -> float | None:
    """The largest n such that every test string with n' <= n was classified right (0: none).

    Reads `test_by_length` ({"2n": {"n": count, "correct": count}}); None if not recorded. A
    diverged trial scores 0.
    """
    if record.get("status") == "diverged":
        return 0.0
    by_length = record.get("test_by_length")
    if not isinstance(by_length, dict) or not by_length:
        return None
    best = 0
    for length, cell in sorted(((int(k), v) for k, v in by_length.items())):
        if cell.get("correct") != cell.get("n"):
            break
        best = length // 2
    return float(best)


def _baseline(record: Record) -> float | None:
    desc = (record.get("task") or {}).get("description") or {}
    return finite((desc.get("baseline") or {}).get("value"))


def _ceiling(record: Record) -> float | None:
    desc = (record.get("task") or {}).get("description") or {}
    test_range = (desc.get("n_range") or {}).get("test")
    return finite(test_range[1]) if isinstance(test_range, list) and len(test_range) == 2 \
        else None


def score(probe: str, record: Record) -> dict[str, Any] | None:
    """One trial's score on its probe, and whether it failed or saturated."""
    if probe == "anbn":
        n, n_train = generalisation_n(record), _n_train(record)
        if n is None:
            return None
        top = _ceiling(record)
        return {"value": n, "failed": n_train is not None and n < n_train,
                "saturated": top is not None and n >= top,
                "score01": n / top if top else None}
    metric = str(record.get("metric"))
    hib = bool(record.get("higher_is_better"))
    value = analysis.effective_metric(record, metric, hib)
    base = _baseline(record)
    if base is None or math.isnan(value):
        return None
    if probe == "adding" or not hib:
        norm = value / base if base > 0 else math.inf
        return {"value": norm, "failed": norm >= 1.0 - FAILURE_SHARE,
                "saturated": norm <= SATURATED_ERROR, "score01": max(0.0, 1.0 - norm)}
    return {"value": 100.0 * value, "failed": value < base + FAILURE_SHARE * (1.0 - base),
            "saturated": value >= SATURATED_ACCURACY, "score01": value}


def _n_train(record: Record) -> float | None:
    desc = (record.get("task") or {}).get("description") or {}
    return finite(desc.get("n_train_max"))


def length_decision(probe: str, records: list[Record], margin: float) -> dict[str, Any] | None:
    """Scores of both cells per seed pair at one length, and the paired Decision (A = LSTM)."""
    pairs = analysis.pair_records(records)
    scored = []
    for p in pairs:
        s = {c: score(probe, p[c]) for c in (LSTM, GRU)}
        if s[LSTM] is not None and s[GRU] is not None:
            scored.append(s)
    if not scored:
        return None
    both_fail = sum(s[LSTM]["failed"] and s[GRU]["failed"] for s in scored)
    both_top = sum(s[LSTM]["saturated"] and s[GRU]["saturated"] for s in scored)
    informative = [s for s in scored if not (s[LSTM]["failed"] and s[GRU]["failed"])
                   and not (s[LSTM]["saturated"] and s[GRU]["saturated"])]
    if probe == "adding":
        d = ratio_rule([s[LSTM]["value"] / s[GRU]["value"] for s in informative
                        if s[GRU]["value"] > 0], within=0.1)
    else:
        d = paired_rule([s[LSTM]["value"] - s[GRU]["value"] for s in informative], margin)
    if not informative:
        why = ("both cells fail" if both_fail == len(scored) else
               "both cells saturate" if both_top == len(scored) else
               "every pair both fails or both saturates")
        d = Decision(UNINFORMATIVE, None, (None, None), None, len(scored), d.method,
                     f"{why} in all {len(scored)} pairs: no signal at this budget")
    return {"decision": d, "pairs": len(scored), "both_fail": both_fail, "both_saturate": both_top,
            "means": {c: _mean([s[c]["value"] for s in scored]) for c in (LSTM, GRU)},
            "score01": {c: _mean([s[c]["score01"] for s in scored
                                  if s[c]["score01"] is not None]) for c in (LSTM, GRU)},
            "failures": {c: sum(s[c]["failed"] for s in scored) for c in (LSTM, GRU)}}


def _mean(values: list[float]) -> float | None:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else None


def crossover(lengths: list[dict[str, Any]]) -> int | None:
    """The smallest length from which LSTM is significantly ahead at every longer informative
    length (uninformative lengths are skipped); None when the longest informative is not."""
    found = None
    for s in sorted(lengths, key=lambda s: s["seq_len"], reverse=True):
        outcome = s["outcome"]
        if outcome == UNINFORMATIVE:
            continue
        if outcome != A_BETTER:
            break
        found = s["seq_len"]
    return found


def decide(evidence: Evidence, margin: float = 1.0) -> ClaimResult:
    """Per probe the longest informative length's paired Decision (A = LSTM), Holm across
    probes: LSTM ahead -> supported; GRU ahead or equivalent -> refuted; split -> mixed."""
    probes: dict[str, list[dict[str, Any]]] = {}
    rows: list[dict[str, Any]] = []
    excluded: dict[str, list[str]] = {"no_length": [], "no_scores": []}
    for sid, records in evidence.studies("long/").items():
        probe, length = probe_length(sid, records)
        if length is None:
            excluded["no_length"].append(sid)
            continue
        s = length_decision(probe, records, margin)
        if s is None:
            excluded["no_scores"].append(sid)
            continue
        d = s["decision"]
        what, unit = MEASURES.get(probe, ("LSTM \u2212 GRU test score", "points"))
        s.update(seq_len=length, outcome=d.outcome, sid=sid)
        probes.setdefault(probe, []).append(s)
        rows.append(decision_row(sid, what, d, unit, task=probe, seq_len=length,
                                 level="length", means=s["means"], score01=s["score01"],
                                 failures=s["failures"],
                                 detail={"pairs": s["pairs"], "both_fail": s["both_fail"],
                                         "both_saturate": s["both_saturate"]}))
    if not probes:
        return not_run(LONG, WHAT, would_change="running the probes: gatebench suite --claims "
                       "long", evidence=rows, excluded=excluded)
    deciding: dict[str, dict[str, Any]] = {}
    for probe, lengths in sorted(probes.items()):
        informative = [s for s in lengths if s["outcome"] != UNINFORMATIVE]
        top = max(informative or lengths, key=lambda s: s["seq_len"])
        deciding[probe] = top
        cross = crossover(lengths)
        rows.append(decision_row(
            probe, f"{MEASURES.get(probe, ('', ''))[0]} at the longest informative length",
            top["decision"], MEASURES.get(probe, ("", "points"))[1], task=probe,
            level="probe", seq_len=top["seq_len"], crossover=cross,
            lengths=sorted(s["seq_len"] for s in lengths)))
    adjusted, verdicts, verdict = holm_verdict({p: s["decision"] for p, s in deciding.items()})
    for r in rows:
        if r["level"] == "probe":
            r.update(outcome_holm=adjusted[r["task"]], counts_as=verdicts[r["task"]])
    head = _headline(deciding)
    h = deciding[head]
    notes = [f"{p} at {'N' if p == 'anbn' else 'T'}={s['seq_len']}: {adjusted[p]}"
             f" ({s['decision'].reason})" for p, s in deciding.items()]
    reason = ("per probe, the longest informative length (A = LSTM, Holm across probes): "
              + "; ".join(notes) + ".")
    return ClaimResult(
        LONG.id, LONG.statement, verdict, reason,
        decision_effect(f"{MEASURES.get(head, (head,))[0]}, {head} "
                        f"{'N' if head == 'anbn' else 'T'}={h['seq_len']}", h["decision"],
                        MEASURES.get(head, ("", "points"))[1]),
        depends_on="the kind of dependency" if verdict == MIXED else None,
        evidence=rows, excluded=excluded, would_change=_would_change(verdict, adjusted),
    )


def _headline(deciding: dict[str, dict[str, Any]]) -> str:
    """Adding at its longest length when measured (the probe read as an error ratio), else the
    first informative probe."""
    if "adding" in deciding:
        return "adding"
    informative = [p for p, s in deciding.items() if s["outcome"] != UNINFORMATIVE]
    return (informative or list(deciding))[0]


def _would_change(verdict: str, adjusted: dict[str, str]) -> str:
    silent = [p for p, o in adjusted.items() if o in (UNINFORMATIVE, "inconclusive")]
    text = {
        SUPPORTED: "a probe where GRU comes out ahead or equivalent at its longest length "
                   "would make it mixed; all of them would refute it",
        REFUTED: "a probe where LSTM comes out significantly ahead at a longer length would "
                 "make it mixed",
        MIXED: "it stays mixed while probes disagree; more seeds could move a probe to the "
               "other side only if its interval is wide",
        INCONCLUSIVE: "more seeds per length (the intervals are wide) or a budget at which the "
                      "cells stop both failing or both saturating",
    }[verdict]
    if silent:
        text += f"; undecided now: {', '.join(silent)}"
    return text


SCORE01 = {"adding": "1 − MSE / mean predictor's MSE (0 at the baseline)",
           "anbn": "largest n all right / largest n tested",
           "copy-memory": "recall accuracy"}


def long_range_view(claim: dict[str, Any]) -> dict[str, Any]:
    """The decided long claim's per-length results in the report's `long_range` form: one row
    per probe, length and cell with a score in [0, 1] (1 = solved; SCORE01), and the claim's
    crossovers (the one definition: the report computes none of its own)."""
    rows, crossovers = [], []
    for r in claim.get("evidence") or ():
        if r.get("level") == "length":
            for cell, value in (r.get("score01") or {}).items():
                if value is not None:
                    rows.append({"task": r["task"], "cell": cell, "seq_len": r["seq_len"],
                                 "score": value, "n": (r.get("detail") or {}).get("pairs"),
                                 "outcome": r.get("outcome")})
        elif r.get("level") == "probe":
            cross = r.get("crossover")
            crossovers.append({"task": r["task"], "seq_len": cross,
                               "text": (f"LSTM significantly ahead from T = {cross}"
                                        if cross is not None else "no crossover: LSTM is not "
                                        "significantly ahead at the longest informative "
                                        "length")})
    return {"rows": rows, "crossover": crossovers,
            "score_rule": "; ".join(f"{p}: {w}" for p, w in SCORE01.items())}
