"""Claim "long": LSTM wins on very long sequences with complex dependencies, per probe.

Each probe is read in its own units of skill, paired by seed (A = LSTM, B = GRU throughout):

- adding: skill = 1 − test MSE / the trivial baseline's (the mean predictor, about 0.167),
  clipped to [0, 1] and compared as the paired LSTM − GRU difference in skill points
  (`paired_rule`, margin `margin`). A ratio of errors explodes near a solution; skill does not.
  "Very long" is T >= VERY_LONG (400): the claim reads adding only at an informative length
  that long; when every such length is uninformative, the probe says it could not see there.
- a^n b^n: trained on n <= N, tested on every n up to at least 3N; a seed's score is the largest
  n up to which it gets every test string right (`paired_rule` on LSTM − GRU, margin 1).
- copy memory: recall accuracy in points (`paired_rule`, margin 1 point).

A diverged trial is a failure scored at the baseline (skill 0, n = 0, chance recall), never
dropped. A pair where both cells fail (within FAILURE_SHARE of the baseline) or both saturate
(the score's ceiling) carries no signal; a length where every pair is like that, or whose
trials were still improving when they stopped (the health checks of `compare`: the budget, not
the cells), is uninformative, never a zero-width interval. Per probe the longest informative
length decides; probes combine by the one rule (analysis.combine, "LSTM better"): mixed means
it depends on the kind of dependency.

The crossover (one definition, used by the claim and the report): the smallest measured length
from which LSTM is significantly ahead at that length and at every longer informative one.
"""

from __future__ import annotations

import math
import re
from typing import TypedDict

from gatebench import analysis
from gatebench.analysis.combine import UNDECIDED, Combined
from gatebench.analysis.rules import A_BETTER, UNINFORMATIVE, Decision, paired_rule
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimJSON,
    ClaimResult,
    EvidenceRow,
    TaskTest,
    at_level,
    better_test,
    decide_tasks,
    decision_effect,
    decision_row,
    finite,
    mark_rows,
    not_run,
    readings_text,
)
from gatebench.claims.catalogue import GRU, LONG, LSTM
from gatebench.claims.evidence import Evidence
from gatebench.claims.health import FAILURES, health_reason, task_health
from gatebench.protocol.record import TrialRecord

# A probe score unsolved: within this share of the way from the trivial baseline to perfect.
# The probes' own scale (normalised error, strings right), not whether the trial trained
# (analysis.health.trial_failed), which the other claims read.
FAILURE_SHARE = 0.2
SATURATED_ERROR = 0.01  # normalised error at or below this: solved
SATURATED_ACCURACY = 0.99
VERY_LONG = 400  # adding counts as "very long" from this length
MEASURES = {
    "adding": ("LSTM \u2212 GRU skill, 1 \u2212 MSE / the mean predictor's MSE", "skill points"),
    "anbn": ("LSTM \u2212 GRU largest n all test strings right (trained on n \u2264 N)", "n"),
    "copy-memory": ("LSTM \u2212 GRU recall accuracy", "points"),
}
WHAT = "LSTM vs GRU on the long-range probes"


class ProbeScore(TypedDict):
    """One trial's score on its probe in skill units, whether it failed or saturated, and the
    score in [0, 1] (1 = solved; None where the probe has no ceiling)."""

    value: float
    failed: bool
    saturated: bool
    score01: float | None


class _LengthScores(TypedDict):
    decision: Decision
    pairs: int
    both_fail: int
    both_saturate: int
    means: dict[str, float | None]  # per cell, in the probe's units
    score01: dict[str, float | None]  # per cell, in [0, 1]
    failures: dict[str, int]  # per cell


class LengthResult(_LengthScores, total=False):
    """One probe length: the paired Decision (A = LSTM), its pair counts and per-cell means;
    `decide` adds the length, the outcome and the study id."""

    seq_len: int
    outcome: str
    sid: str


class LengthScore(TypedDict):
    """One cell's score in [0, 1] at one probe length (a row of the report's long range)."""

    task: str
    cell: str
    seq_len: float
    score: float
    n: int | None  # seed pairs
    outcome: str | None


class Crossover(TypedDict):
    """A probe's crossover (None: none) and the sentence the report shows for it."""

    task: str
    seq_len: int | None
    text: str


class LongRangeView(TypedDict):
    """long_range.json as the suite writes it: scores, crossovers and what the score is."""

    rows: list[LengthScore]
    crossover: list[Crossover]
    score_rule: str


def probe_length(sid: str, records: list[TrialRecord]) -> tuple[str, int | None]:
    """(probe, length) of a "long/<probe>/T=<len>" or "long/anbn/N=<n>" study."""
    parts = sid.split("/")
    probe = parts[1] if len(parts) > 1 else sid
    for r in records:
        options = (r.spec.get("task") or {}).get("options") or {}
        key = "n_train_max" if probe == "anbn" and "n_train_max" in options else "seq_len"
        if finite(options.get(key)) is not None:
            return probe, int(options[key])
    m = re.search(r"[TN]=(\d+)", sid)
    return probe, int(m.group(1)) if m else None


def generalisation_n(record: TrialRecord) -> float | None:
    """The largest n such that every test string with n' <= n was classified right (0: none).

    Reads `test_by_length` ({"2n": {"n": count, "correct": count}}); None if not recorded. A
    diverged trial scores 0.
    """
    if record.status == "diverged":
        return 0.0
    by_length = record.test_by_length
    if not isinstance(by_length, dict) or not by_length:
        return None
    best = 0
    for length, cell in sorted(((int(k), v) for k, v in by_length.items())):
        if cell.get("correct") != cell.get("n"):
            break
        best = length // 2
    return float(best)


def _baseline(record: TrialRecord) -> float | None:
    return finite((record.task.description.get("baseline") or {}).get("value"))


def _ceiling(record: TrialRecord) -> float | None:
    desc = record.task.description
    test_range = (desc.get("n_range") or {}).get("test")
    return finite(test_range[1]) if isinstance(test_range, list) and len(test_range) == 2 \
        else None


def score(probe: str, record: TrialRecord) -> ProbeScore | None:
    """One trial's score on its probe in skill units, and whether it failed or saturated (a
    diverged trial is a failure at the baseline's score)."""
    if probe == "anbn":
        n, n_train = generalisation_n(record), _n_train(record)
        if n is None:
            return None
        top = _ceiling(record)
        return {"value": n, "failed": n_train is not None and n < n_train,
                "saturated": top is not None and n >= top,
                "score01": n / top if top else None}
    base = _baseline(record)
    if base is None:
        return None
    metric, hib = record.metric, record.higher_is_better
    value = base if record.status == "diverged" else \
        analysis.effective_metric(record, metric, hib)
    if math.isnan(value):
        value = base
    if probe == "adding" or not hib:
        skill = min(1.0, max(0.0, 1.0 - value / base)) if base > 0 else 0.0
        return {"value": 100.0 * skill, "failed": skill <= FAILURE_SHARE,
                "saturated": skill >= 1.0 - SATURATED_ERROR, "score01": skill}
    return {"value": 100.0 * value, "failed": value < base + FAILURE_SHARE * (1.0 - base),
            "saturated": value >= SATURATED_ACCURACY, "score01": value}


def _n_train(record: TrialRecord) -> float | None:
    return finite(record.task.description.get("n_train_max"))


def length_decision(probe: str, records: list[TrialRecord], margin: float) -> LengthResult | None:
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
    d = paired_rule([s[LSTM]["value"] - s[GRU]["value"] for s in informative], margin)
    unhealthy = health_reason(task_health(records, scored=FAILURES, margin=margin))
    if not informative or unhealthy:
        why = (unhealthy if informative else
               "both cells fail" if both_fail == len(scored) else
               "both cells saturate" if both_top == len(scored) else
               "every pair both fails or both saturates")
        d = Decision(UNINFORMATIVE, None, (None, None), None, len(scored), d.method,
                     f"{why} in all {len(scored)} pairs: no signal at this budget"
                     if not unhealthy else f"{why}: no signal at this budget")
    return {"decision": d, "pairs": len(scored), "both_fail": both_fail, "both_saturate": both_top,
            "means": {c: _mean([s[c]["value"] for s in scored]) for c in (LSTM, GRU)},
            "score01": {c: _mean([s[c]["score01"] for s in scored
                                  if s[c]["score01"] is not None]) for c in (LSTM, GRU)},
            "failures": {c: sum(s[c]["failed"] for s in scored) for c in (LSTM, GRU)}}


def _mean(values: list[float]) -> float | None:
    vals = [v for v in values if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else None


def crossover(lengths: list[LengthResult]) -> int | None:
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


def _probe_test(probe: str, lengths: list[LengthResult]) -> tuple[LengthResult, TaskTest]:
    """The length that decides a probe and its test: the longest informative one (for adding,
    only from VERY_LONG on; shorter lengths cannot speak for "very long")."""
    informative = [s for s in lengths if s["outcome"] != UNINFORMATIVE]
    if probe == "adding":
        long_enough = [s for s in lengths if s["seq_len"] >= VERY_LONG]
        informative = [s for s in informative if s["seq_len"] >= VERY_LONG]
        if not informative:
            top = max(long_enough or lengths, key=lambda s: s["seq_len"])
            why = (f"could not see at T \u2265 {VERY_LONG}: " + "; ".join(
                f"T={s['seq_len']} {s['decision'].reason}" for s in long_enough)
                if long_enough else f"no length of T \u2265 {VERY_LONG} was run")
            return top, TaskTest.silent(why)
    top = max(informative or lengths, key=lambda s: s["seq_len"])
    return top, better_test(top["decision"])


def decide(evidence: Evidence, margin: float = 1.0) -> ClaimResult:
    """Per probe the longest informative length's paired Decision (A = LSTM; adding only from
    T = 400), probes combined by the one rule ("LSTM better"); split -> mixed."""
    probes: dict[str, list[LengthResult]] = {}
    rows: list[EvidenceRow] = []
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
        s.update({"seq_len": length, "outcome": d.outcome, "sid": sid})
        probes.setdefault(probe, []).append(s)
        rows.append(decision_row(sid, what, d, unit, task=probe, seq_len=length,
                                 level="length", means=s["means"], score01=s["score01"],
                                 failures=s["failures"],
                                 detail={"pairs": s["pairs"], "both_fail": s["both_fail"],
                                         "both_saturate": s["both_saturate"]}))
    if not probes:
        return not_run(LONG, WHAT, would_change="running the probes: gatebench suite --claims "
                       "long", evidence=rows, excluded=excluded)
    deciding: dict[str, LengthResult] = {}
    tests: dict[str, TaskTest] = {}
    for probe, lengths in sorted(probes.items()):
        deciding[probe], tests[probe] = _probe_test(probe, lengths)
        top = deciding[probe]
        rows.append(decision_row(
            probe, f"{MEASURES.get(probe, ('', ''))[0]} at the longest informative length",
            top["decision"], MEASURES.get(probe, ("", "points"))[1], task=probe,
            level="probe", seq_len=top["seq_len"], crossover=crossover(lengths),
            lengths=sorted(s["seq_len"] for s in lengths)))
    combined = decide_tasks(tests, BETTER, noun="probe")
    mark_rows(rows, combined, at_level("probe"))
    head = _headline(deciding)
    h = deciding[head]
    reason = ("per probe, the longest informative length (A = LSTM; adding only from "
              f"T = {VERY_LONG}): " + readings_text(combined, {
                  p: f"{'N' if p == 'anbn' else 'T'}={s['seq_len']}: {s['decision'].reason}"
                  for p, s in deciding.items()}) + ".")
    return ClaimResult(
        LONG.id, LONG.statement, combined.verdict, f"{combined.tally()}. {reason}",
        decision_effect(f"{MEASURES.get(head, (head,))[0]}, {head} "
                        f"{'N' if head == 'anbn' else 'T'}={h['seq_len']}", h["decision"],
                        MEASURES.get(head, ("", "points"))[1]),
        depends_on="the kind of dependency" if combined.verdict == MIXED else None,
        evidence=rows, excluded=excluded, would_change=_would_change(combined),
        combined=combined,
    )


def _headline(deciding: dict[str, LengthResult]) -> str:
    """Adding at its longest length when measured (the probe read as skill), else the first
    informative probe."""
    if "adding" in deciding:
        return "adding"
    informative = [p for p, s in deciding.items() if s["outcome"] != UNINFORMATIVE]
    return (informative or list(deciding))[0]


def _would_change(combined: Combined) -> str:
    silent = [p for p, t in combined.tasks.items() if t.reading in (UNINFORMATIVE, UNDECIDED)]
    text = {
        SUPPORTED: "a probe where GRU comes out ahead or equivalent at its longest length "
                   "would make it mixed; all of them would refute it",
        REFUTED: "a probe where LSTM comes out significantly ahead at a longer length would "
                 "make it mixed",
        MIXED: "it stays mixed while probes disagree; more seeds could move a probe to the "
               "other side only if its interval is wide",
        INCONCLUSIVE: "more seeds per length (the intervals are wide) or a budget at which the "
                      f"cells stop both failing or both saturating (adding at T \u2265 "
                      f"{VERY_LONG})",
    }[combined.verdict]
    if silent:
        text += f"; undecided now: {', '.join(silent)}"
    return text


SCORE01 = {"adding": "1 − MSE / mean predictor's MSE, clipped to [0, 1] (0 at the baseline)",
           "anbn": "largest n all right / largest n tested",
           "copy-memory": "recall accuracy"}


def long_range_view(claim: ClaimJSON) -> LongRangeView:
    """The decided long claim's per-length results in the report's `long_range` form: one row
    per probe, length and cell with a score in [0, 1] (1 = solved; SCORE01), and the claim's
    crossovers (the one definition: the report computes none of its own)."""
    rows: list[LengthScore] = []
    crossovers: list[Crossover] = []
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
