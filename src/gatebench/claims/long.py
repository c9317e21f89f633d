"""Claim "long": LSTM wins on very long sequences, judged on the probes across lengths.

A trial succeeds when its test metric clearly beats the trivial baseline (defaults):
adding: mse <= 0.5 x the mean predictor's mse; copy memory: accuracy >= 0.5 on the recalled
steps (chance 1/8); a^n b^n: accuracy >= 0.9 on longer strings than trained on (chance 0.5).
Another probe succeeds when it closes half the distance from its baseline to a perfect score
(1 for higher-is-better, 0 for errors). A diverged trial scores the worst (analysis rule).
"""

from __future__ import annotations

import math
import re
from typing import Any

from gatebench import analysis
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTED,
    SUPPORTED,
    ClaimResult,
    combine,
    effect,
    finite,
    fmt_diff,
    row,
)
from gatebench.claims.catalogue import LONG
from gatebench.claims.evidence import Evidence, Record

WHAT = "LSTM \u2212 GRU test metric (positive: LSTM better)"
SUCCESS_UNIT = "success-rate points"
BOTH_FAIL = "both cells fail: the budget is too small to tell"
# Per-length outcomes, from the claim's side: LSTM ahead, GRU ahead, parity, no signal.
LSTM_WINS, GRU_WINS, PARITY, BOTH_FAILED, UNCLEAR = (
    "lstm wins", "gru wins", "equivalent", "both fail", "unclear")


def success_line(probe: str, metric_baseline: float | None, higher_is_better: bool,
                 adding_share: float, copy_accuracy: float, anbn_accuracy: float,
                 other_share: float) -> float | None:
    """The test value a trial must reach (>=, or <= for errors) to count as a success."""
    if probe == "copy-memory":
        return copy_accuracy
    if probe == "anbn":
        return anbn_accuracy
    if metric_baseline is None:
        return None
    if probe == "adding":
        return adding_share * metric_baseline
    if higher_is_better:
        return metric_baseline + other_share * (1.0 - metric_baseline)
    return (1.0 - other_share) * metric_baseline


def probe_length(sid: str, records: list[Record]) -> tuple[str, int | None]:
    """(probe, T) of a "long/<probe>/T=<len>" study: T from the spec's seq_len, else the id."""
    parts = sid.split("/")
    probe = parts[1] if len(parts) > 1 else sid
    for r in records:
        seq_len = (((r.get("spec") or {}).get("task") or {}).get("options") or {}).get("seq_len")
        if finite(seq_len) is not None:
            return probe, int(seq_len)
    m = re.search(r"T=(\d+)", sid)
    return probe, int(m.group(1)) if m else None


def outcome(label: str, gru_rate: float, lstm_rate: float, success_gap: float) -> str:
    """One length's result: a significant metric difference or a success-rate gap of at least
    `success_gap` names a winner; both never succeeding says nothing."""
    if gru_rate == 0 and lstm_rate == 0:
        return BOTH_FAILED
    lstm_ahead = label == analysis.better_label("lstm") or lstm_rate - gru_rate >= success_gap
    gru_ahead = label == analysis.better_label("gru") or gru_rate - lstm_rate >= success_gap
    if lstm_ahead != gru_ahead:
        return LSTM_WINS if lstm_ahead else GRU_WINS
    if label == analysis.EQUIVALENT and not lstm_ahead:
        return PARITY
    return UNCLEAR


def crossover(lengths: list[dict[str, Any]]) -> int | None:
    """The smallest length from which LSTM stays ahead (higher success rate or significantly
    better metric, GRU not significantly better) at every longer length; None if none."""
    found = None
    for s in sorted(lengths, key=lambda s: s["seq_len"], reverse=True):
        if s["verdict"] == analysis.better_label("gru"):
            break
        ahead = s["success"]["lstm"] > s["success"]["gru"]
        if not (ahead or s["verdict"] == analysis.better_label("lstm")):
            break
        found = s["seq_len"]
    return found


def _study(records: list[Record], probe: str, lines: dict[str, float], margin: float,
           error_margin: float) -> dict[str, Any] | None:
    """Success rates, the paired LSTM − GRU difference and its verdict at one length."""
    pairs = analysis.pair_records(records)
    if not pairs:
        return None
    first = pairs[0]["lstm"]
    metric, hib = str(first.get("metric")), bool(first.get("higher_is_better"))
    baseline = ((first.get("task") or {}).get("description") or {}).get("baseline") or {}
    line = success_line(probe, finite(baseline.get("value")), hib, **lines)
    if line is None:
        return None
    values = {c: [analysis.effective_metric(p[c], metric, hib) for p in pairs]
              for c in ("gru", "lstm")}
    wins = {c: [(v >= line if hib else v <= line) for v in vs] for c, vs in values.items()}
    unit = analysis.point_unit(metric, hib)
    diffs = [analysis.improvement_points(metric, hib, ls, g)
             for g, ls in zip(values["gru"], values["lstm"], strict=True)]
    verdict = analysis.decide(diffs, margin if hib else error_margin, cell_a="lstm",
                              cell_b="gru", unit=unit)
    return {
        "metric": metric, "hib": hib, "unit": unit, "line": line,
        "baseline": baseline.get("value"),
        "success": {c: sum(w) / len(w) for c, w in wins.items()},
        "success_diffs": [100.0 * (ls - g) for g, ls in zip(wins["gru"], wins["lstm"],
                                                            strict=True)],
        "verdict": verdict["label"], "difference": verdict,
    }


def decide(evidence: Evidence, adding_share: float = 0.5, copy_accuracy: float = 0.5,
           anbn_accuracy: float = 0.9, other_share: float = 0.5, margin: float = 1.0,
           error_margin: float = 5.0, success_gap: float = 0.5) -> ClaimResult:
    """Per probe, the longest length decides: LSTM ahead -> supported; GRU ahead or parity ->
    refuted; probes split -> mixed; otherwise (both fail, unclear) inconclusive."""
    lines = {"adding_share": adding_share, "copy_accuracy": copy_accuracy,
             "anbn_accuracy": anbn_accuracy, "other_share": other_share}
    probes: dict[str, list[dict[str, Any]]] = {}
    rows, excluded = [], {"no_length": [], "no_pairs_or_baseline": []}
    for sid, records in evidence.studies("long/").items():
        probe, length = probe_length(sid, records)
        if length is None:
            excluded["no_length"].append(sid)
            continue
        s = _study(records, probe, lines, margin, error_margin)
        if s is None:
            excluded["no_pairs_or_baseline"].append(sid)
            continue
        s.update(seq_len=length, outcome=outcome(s["verdict"], s["success"]["gru"],
                                                 s["success"]["lstm"], success_gap))
        probes.setdefault(probe, []).append(s)
        d = s["difference"]
        rows.append(row(sid, WHAT, d["mean"], d["ci"], d["n"], task=probe, seq_len=length,
                        unit=s["unit"], level="length", verdict=s["verdict"],
                        outcome=s["outcome"], success=s["success"],
                        detail={"success_line": s["line"], "baseline": s["baseline"],
                                "metric": s["metric"], "higher_is_better": s["hib"],
                                "text": d["text"]}))
    if not probes:
        return ClaimResult(LONG.id, LONG.statement, INCONCLUSIVE, NOT_RUN,
                           effect(WHAT), evidence=rows, excluded=excluded)

    verdicts, longest_diffs, notes = {}, [], []
    for probe, lengths in sorted(probes.items()):
        top = max(lengths, key=lambda s: s["seq_len"])
        verdicts[probe] = {LSTM_WINS: SUPPORTED, GRU_WINS: REFUTED,
                              PARITY: REFUTED}.get(top["outcome"], INCONCLUSIVE)
        longest_diffs.extend(top["success_diffs"])
        cross = crossover(lengths)
        notes.append(f"{probe} T={top['seq_len']} {top['outcome']} (success GRU "
                     f"{top['success']['gru']:.0%}, LSTM {top['success']['lstm']:.0%}, "
                     f"n={len(top['success_diffs'])} pairs; "
                     f"{'no crossover' if cross is None else f'crossover T={cross}'})")
        rows.append(row(probe, "LSTM \u2212 GRU success rate at the longest length",
                        100.0 * (top["success"]["lstm"] - top["success"]["gru"]), n=len(
                            top["success_diffs"]), task=probe, unit=SUCCESS_UNIT,
                        level="probe", verdict=verdicts[probe], crossover=cross,
                        seq_len=top["seq_len"], lengths=sorted(s["seq_len"] for s in lengths)))
    verdict = combine(verdicts.values())
    all_fail = all(s["outcome"] == BOTH_FAILED for ls in probes.values() for s in ls)
    lo, hi = analysis.t_ci(longest_diffs)
    mean = sum(longest_diffs) / len(longest_diffs) if longest_diffs else math.nan
    n_trials = sum(len(s["success_diffs"]) for ls in probes.values() for s in ls)
    reason = (f"{BOTH_FAIL} (none of {n_trials} trials per cell beat its success line at "
              f"{sum(map(len, probes.values()))} probe lengths)" if all_fail else
              f"LSTM \u2212 GRU success rate at each probe's longest length is "
              f"{fmt_diff(mean, (lo, hi), SUCCESS_UNIT)}; " + "; ".join(notes))
    return ClaimResult(
        LONG.id, LONG.statement, verdict, reason + ".",
        effect("LSTM \u2212 GRU success rate at each probe's longest length", mean, (lo, hi),
               SUCCESS_UNIT),
        depends_on="the probe" if verdict == MIXED else None, evidence=rows, excluded=excluded,
    )


def long_range_view(claim: dict[str, Any]) -> dict[str, Any]:
    """The decided long claim's per-length success rates in the report's `long_range` form
    (one row per probe, length and cell; the claim's own crossovers where it found one)."""
    rows, crossovers, rules = [], [], {}
    for r in claim.get("evidence") or ():
        if r.get("level") == "length":
            for cell, rate in (r.get("success") or {}).items():
                rows.append({"task": r["task"], "cell": cell, "seq_len": r["seq_len"],
                             "success_rate": rate, "n": r["n"]})
            detail = r.get("detail") or {}
            if finite(detail.get("success_line")) is not None:
                sign = "\u2265" if detail.get("higher_is_better") else "\u2264"
                rules[r["task"]] = (f"{r['task']} {detail.get('metric')} {sign} "
                                    f"{detail['success_line']:.3g}")
        elif r.get("level") == "probe" and r.get("crossover") is not None:
            crossovers.append({"task": r["task"], "seq_len": r["crossover"],
                               "text": f"LSTM ahead from T = {r['crossover']}"})
    return {"rows": rows, "crossover": crossovers,
            "success_rule": "a seed succeeds when its test metric passes the probe's line: "
                            + "; ".join(rules.values())}
