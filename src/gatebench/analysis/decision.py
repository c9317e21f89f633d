"""The pick: one decision for this data on this hardware, from a compare summary (no torch).

Four factors, each read from what the study measured and each with its interval:

- quality: the verdict (a winner, equivalent within the margin, or undecided with the bound
  the data support);
- training: the training-time ratio (`summary["time_ratio"]`), evidence only when it was timed
  alone or in a timing pass;
- latency: the trained models' p50 latency ratio per runtime, full sequence and streaming
  step (batch 1);
- size: the parameter counts.

A quality winner decides outright. Otherwise the factors are read in the order `priority`
gives (quality: training, then latency, then size; training: the same; latency: latency,
then training, then size) and the first that favours an arm by at least MIN_GAIN, with an
interval that excludes no difference, decides. When none does, the pick is "either".
`decide` returns the decision as data; `headline` and `factor_line` word it. The same
function serves `compare` and `gatebench advise --study`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, cast

from gatebench.analysis.documents import (
    LatencyPart,
    PickDoc,
    RankedArm,
    SummaryDoc,
    TimeRatio,
)
from gatebench.errors import SpecError
from gatebench.numbers import finite

EITHER = "either"
QUALITY, TRAINING, LATENCY, SIZE = "quality", "training", "latency", "size"
PRIORITIES = (QUALITY, TRAINING, LATENCY)
DEFAULT_PRIORITY = QUALITY
# After quality: the cost factors in the order each priority reads them.
ORDER = {QUALITY: (TRAINING, LATENCY, SIZE), TRAINING: (TRAINING, LATENCY, SIZE),
         LATENCY: (LATENCY, TRAINING, SIZE)}
MIN_GAIN = 0.05  # a cost ratio must differ from 1 by this much (and significantly) to count
SIZE_SAME = 0.05  # parameter counts within 5% are the same size (params matching gives 1%)
WINNERS = ("a_better", "b_better")


@dataclass(frozen=True)
class Factor:
    """One factor of the pick: whom it favours (an arm label, or None) and its numbers."""

    name: str
    status: str  # better | equivalent | undecided | faster | no clear difference | not measured
    favours: str | None = None
    estimate: float | None = None
    ci: tuple[float | None, float | None] = (None, None)
    unit: str = ""
    what: str = ""
    note: str = ""
    parts: tuple[LatencyPart, ...] = ()  # latency: one row per runtime and input form
    level: float | None = None  # confidence level of `ci` (quality)


@dataclass(frozen=True)
class Pick:
    """The decision: which arm to ship (or "either"), what decided it, and every factor."""

    pick: str
    priority: str
    decided_by: str | None
    arms: tuple[str, ...]
    factors: tuple[Factor, ...]
    provisional: bool = False  # quality undecided: the pick rests on cost alone
    notes: tuple[str, ...] = field(default_factory=tuple)

    def factor(self, name: str) -> Factor | None:
        """The factor called `name`, if measured."""
        return next((f for f in self.factors if f.name == name), None)

    def to_dict(self) -> PickDoc:
        """JSON-able form, with the wording (headline and one line per factor)."""
        d = cast("PickDoc", asdict(self))
        d["headline"] = headline(self)
        d["reasons"] = [factor_line(f, self.arms) for f in self.factors]
        return d


def check_priority(priority: str) -> str:
    """`--priority`: quality, training or latency (one line naming them otherwise)."""
    value = str(priority).strip().lower()
    if value not in PRIORITIES:
        raise SpecError(f"--priority takes one of: {', '.join(PRIORITIES)}; got {priority!r}")
    return value


def _ci(values: Any) -> tuple[float | None, float | None]:
    lo, hi = (list(values or []) + [None, None])[:2]
    return finite(lo), finite(hi)


def _outcome_of_label(label: str, arms: Sequence[str]) -> str:
    """A summary written before verdicts carried `outcome`: read it from the label."""
    by_label = {f"{arms[0].upper()} better": "a_better", f"{arms[1].upper()} better": "b_better",
                "equivalent within margin": "equivalent", "uninformative": "uninformative"}
    return by_label.get(label, "inconclusive")


def quality_factor(summary: Mapping[str, Any], arms: Sequence[str]) -> Factor:
    """The verdict as a factor: a winner, equivalent, or undecided with its bound."""
    v = summary.get("verdict") or {}
    outcome = str(v.get("outcome") or _outcome_of_label(str(v.get("label")), arms))
    lo, hi = _ci(v.get("ci"))
    unit = str(v.get("unit") or summary.get("unit") or "")
    base = {"estimate": finite(v.get("mean")), "ci": (lo, hi), "unit": unit,
            "what": str((summary.get("difference") or {}).get("what") or ""),
            "level": finite(v.get("level"))}
    if outcome in WINNERS:
        return Factor(QUALITY, "better", arms[WINNERS.index(outcome)], **base)
    if outcome == "equivalent":
        return Factor(QUALITY, "equivalent", note=f"{finite(v.get('margin')) or 0:g}", **base)
    bound = finite(v.get("bound", (summary.get("seeding") or {}).get("bound")))
    if bound is None and lo is not None and hi is not None:
        bound = max(abs(lo), abs(hi))
    why = "; ".join(str(x) for x in v.get("health") or [])
    note = (f"{bound:.1f}" if bound >= 1 else f"{bound:.2g}") if bound is not None else ""
    status = "uninformative" if outcome == "uninformative" else "undecided"
    return Factor(QUALITY, status, note=note + (f"|{why}" if why else ""), **base)


def _ratio_favours(value: float | None, ci: tuple[float | None, float | None],
                   top: str, bottom: str) -> str | None:
    """The arm a time ratio top/bottom favours: lower is faster; None within noise."""
    lo, hi = ci
    if value is None or lo is None or hi is None:
        return None
    if hi < 1.0 and value <= 1.0 - MIN_GAIN:
        return top
    if lo > 1.0 and value >= 1.0 / (1.0 - MIN_GAIN):
        return bottom
    return None


def training_factor(summary: Mapping[str, Any], arms: Sequence[str]) -> Factor:
    """The training-time ratio arms[0]/arms[1], when it is evidence for speed."""
    r = summary.get("time_ratio") or {}
    value = finite(r.get("geomean", r.get("mean")))
    ci = _ci(r.get("ci"))
    what = str(r.get("what") or f"{arms[0]}/{arms[1]} training time")
    if value is None:
        return Factor(TRAINING, "not measured", what=what)
    if r.get("concurrent") and not r.get("source"):
        return Factor(TRAINING, "not evidence", estimate=value, ci=ci, unit="ratio", what=what,
                      note="timed while other trials shared the machine")
    favours = _ratio_favours(value, ci, arms[0], arms[1])
    return Factor(TRAINING, "faster" if favours else "no clear difference", favours, value, ci,
                  "ratio", what, note=str(r.get("source") or ""))


def _arm_of_cell(summary: Mapping[str, Any], arms: Sequence[str]) -> dict[str, str]:
    cells = summary.get("cells") or {}
    by_cell: dict[str, list[str]] = {}
    for arm in arms:
        by_cell.setdefault(str((cells.get(arm) or {}).get("cell") or arm), []).append(arm)
    return {cell: labels[0] for cell, labels in by_cell.items() if len(labels) == 1}


def latency_factor(summary: Mapping[str, Any], arms: Sequence[str],
                   runtime: str | None = None) -> Factor:
    """Batch-1 p50 latency ratios per runtime (only `runtime`'s when given) and input form;
    favours an arm when every clear ratio agrees."""
    latency = summary.get("latency") or {}
    # rows name arms by label; a study measured before then named them by cell
    arm_of = {**_arm_of_cell(summary, arms), **{arm: arm for arm in arms}}
    parts: list[LatencyPart] = []
    for r in latency.get("ratios") or []:
        top, bottom = arm_of.get(r.get("numerator")), arm_of.get(r.get("denominator"))
        if (r.get("batch", 1) != 1 or top is None or bottom is None
                or runtime not in (None, r.get("runtime"))):
            continue
        value, ci = finite(r.get("p50_ratio")), _ci(r.get("p50_ratio_ci95"))
        if (top, bottom) != (arms[0], arms[1]):  # orient every row as arms[0]/arms[1]
            top, bottom = bottom, top
            value = 1.0 / value if value else None
            ci = (1.0 / ci[1] if ci[1] else None, 1.0 / ci[0] if ci[0] else None)
        parts.append({"runtime": r.get("runtime"), "mode": r.get("mode"), "ratio": value,
                      "ci": list(ci), "favours": _ratio_favours(value, ci, top, bottom)})
    if not parts:
        why = "; ".join(f"{k}: {v}" for k, v in (latency.get("skipped") or {}).items())
        return Factor(LATENCY, "not measured", note=why)
    sides = {p["favours"] for p in parts if p["favours"]}
    favours = next(iter(sides)) if len(sides) == 1 else None
    status = ("faster" if favours else
              "depends on the runtime" if len(sides) > 1 else "no clear difference")
    values = [p["ratio"] for p in parts if p["ratio"]]
    middle = math.exp(sum(math.log(x) for x in values) / len(values)) if values else None
    return Factor(LATENCY, status, favours, middle, (None, None), "ratio",
                  f"{arms[0]}/{arms[1]} p50 latency, batch 1", parts=tuple(parts))


def size_factor(summary: Mapping[str, Any], arms: Sequence[str]) -> Factor:
    """Parameter counts (recurrent layers and head): smaller by SIZE_SAME or more favours."""
    cells = summary.get("cells") or {}
    counts = [finite(((cells.get(a) or {}).get("params") or {}).get("core")) for a in arms[:2]]
    if None in counts or not all(counts):
        return Factor(SIZE, "not measured")
    ratio = counts[0] / counts[1]
    favours = (arms[0] if ratio <= 1 - SIZE_SAME else
               arms[1] if ratio >= 1 / (1 - SIZE_SAME) else None)
    return Factor(SIZE, "smaller" if favours else "same size", favours, ratio, (ratio, ratio),
                  "ratio", f"{arms[0]}/{arms[1]} parameters",
                  note=f"{counts[0]:,.0f} vs {counts[1]:,.0f}")


FACTORS = {TRAINING: training_factor, LATENCY: latency_factor, SIZE: size_factor}


def summary_arms(summary: Mapping[str, Any]) -> tuple[str, ...]:
    """The arms compared, in the summary's order (never a literal GRU/LSTM pair)."""
    return tuple(str(a) for a in (summary.get("cells") or {}))


def decide(summary: Mapping[str, Any], priority: str = DEFAULT_PRIORITY,
           runtime: str | None = None) -> Pick:
    """The pick for one compare summary (module doc): a quality winner, else the first cost
    factor in `priority`'s order that favours an arm, else "either". `runtime` (eager,
    torchscript, onnx): weigh only that runtime's latency."""
    priority = check_priority(priority)
    arms = summary_arms(summary)
    notes: list[str] = []
    if len(arms) > 2 and (summary.get("ranking") or {}).get("order"):
        return decide_ranked(summary, priority, runtime)
    if len(arms) > 2:
        notes.append(f"{len(arms)} arms: the pick weighs the first two ({arms[0]}, {arms[1]}); "
                     "see the ranking for the others")
    if len(arms) < 2:
        raise SpecError("a pick needs a study of at least two arms")
    quality = quality_factor(summary, arms)
    makers = {**FACTORS, LATENCY: partial(latency_factor, runtime=runtime)}
    factors = [quality] + [makers[name](summary, arms) for name in ORDER[priority]]
    if quality.favours is not None:
        return Pick(quality.favours, priority, QUALITY, arms[:2], tuple(factors),
                    notes=tuple(notes))
    provisional = quality.status != "equivalent"
    for f in factors[1:]:
        if f.favours is not None:
            return Pick(f.favours, priority, f.name, arms[:2], tuple(factors), provisional,
                        tuple(notes))
    return Pick(EITHER, priority, None, arms[:2], tuple(factors), provisional, tuple(notes))


def decide_ranked(summary: Mapping[str, Any], priority: str = DEFAULT_PRIORITY,
                  runtime: str | None = None) -> Pick:
    """The pick for a study of three arms or more, from its ranking (Holm pairwise verdicts,
    analysis.karm): an arm ranked first alone is picked on quality, read against the best-
    ranked arm it beats; arms tied first are ordered by measured training time and the fastest
    is weighed against the next fastest by the two-arm rule (`decide`), so it is picked only
    when it is clearly cheaper by `priority`'s factors; otherwise "either". The note names
    the arms tied."""
    order = summary["ranking"]["order"]
    top = [r for r in order if r["rank"] == order[0]["rank"]]
    if len(top) == 1:
        beaten = [r["arm"] for r in order[1:] if r["arm"] in top[0]["beats"]]
        rival = beaten[0] if beaten else order[1]["arm"]
        pair, note = (top[0]["arm"], rival), (
            f"{len(order)} arms: {top[0]['arm'].upper()} is ranked first alone (Holm "
            f"pairwise verdicts); the accuracy shown is against {rival.upper()}")
    else:
        tied = sorted((r["arm"] for r in top), key=lambda a: _relative_time(summary, a, top))
        pair = (tied[0], tied[1])
        note = (f"{len(order)} arms: {', '.join(a.upper() for a in tied)} tied first on "
                f"accuracy; {tied[0].upper()} is the fastest by measured training time, "
                f"weighed against the next fastest, {tied[1].upper()}")
    pick = decide(pair_summary(summary, *pair), priority, runtime)
    return Pick(pick.pick, pick.priority, pick.decided_by, pick.arms, pick.factors,
                pick.provisional, (*pick.notes, note))


def _time_ratio(summary: Mapping[str, Any], a: str, b: str) -> TimeRatio:
    """The a/b training-time ratio: a study's pairwise ratios (`time_ratios`, keyed "a/b"),
    else its first comparison's (`time_ratio`), inverted when stored the other way round."""
    ratios = {**(summary.get("time_ratios") or {})}
    arms = summary_arms(summary)
    ratios.setdefault(f"{arms[0]}/{arms[1]}", summary.get("time_ratio") or {})
    if f"{a}/{b}" in ratios:
        return dict(ratios[f"{a}/{b}"])
    r = dict(ratios.get(f"{b}/{a}") or {})
    value, (lo, hi) = finite(r.get("geomean", r.get("mean"))), _ci(r.get("ci"))
    if value is None:
        return {}
    return {**r, "geomean": 1.0 / value, "mean": 1.0 / value, "what": f"{a} / {b}",
            "ci": [1.0 / hi if hi else None, 1.0 / lo if lo else None]}


def _relative_time(summary: Mapping[str, Any], arm: str, top: Sequence[RankedArm]) -> float:
    """The arm's training time relative to the first tied arm (unknown: last)."""
    first = top[0]["arm"]
    if arm == first:
        return 1.0
    r = _time_ratio(summary, arm, first)
    return finite(r.get("geomean", r.get("mean"))) or math.inf


def pair_summary(summary: Mapping[str, Any], x: str, y: str) -> SummaryDoc:
    """A two-arm view of a k-arm summary for arms x and y, oriented as their pairwise row:
    their cells, that row's verdict and difference, and their training-time ratio."""
    row = next((r for r in summary.get("pairwise") or [] if {r["a"], r["b"]} == {x, y}),
               {"a": x, "b": y, "what": f"{x} \u2212 {y}",
                "verdict": {"outcome": "inconclusive", "label": "not compared"}})
    a, b = row["a"], row["b"]
    cells = summary.get("cells") or {}
    return {**summary, "cells": {a: cells.get(a) or {}, b: cells.get(b) or {}},
            "verdict": row["verdict"], "time_ratio": _time_ratio(summary, a, b),
            "difference": {"what": row["what"], "mean": row.get("mean"), "ci": row.get("ci")},
            "ranking": None}


# -- wording ---------------------------------------------------------------------------------


def _signed(x: float) -> str:
    return f"{x:+.2g}".replace("-", "\u2212") if abs(x) < 0.1 else \
        f"{x:+.1f}".replace("-", "\u2212")


def _interval(ci: tuple[float | None, float | None], fmt: str = "{:.2f}") -> str:
    lo, hi = ci
    return "" if lo is None or hi is None else f" [{fmt.format(lo)}, {fmt.format(hi)}]"


def _times(ratio: float, ci: tuple[float | None, float | None], favours: str,
           arms: Sequence[str]) -> str:
    """'1.42× faster [1.30, 1.55]' for the favoured arm (ratios turned to its speed-up)."""
    if favours == arms[0]:
        lo, hi = ci
        return (f"{1 / ratio:.2f}\u00d7 faster"
                + _interval((1 / hi if hi else None, 1 / lo if lo else None)))
    return f"{ratio:.2f}\u00d7 faster" + _interval(ci)


def _quality_line(f: Factor, arms: Sequence[str]) -> str:
    unit = f" {f.unit}" if f.unit and not f.unit.startswith("%") else f.unit
    measured = (f"{f.what.upper()} {_signed(f.estimate)}{unit}"
                f"{_interval(f.ci, '{:+.1f}')}" if f.estimate is not None else "no estimate")
    if f.status == "better":
        return f"accuracy: {f.favours.upper()} better, {measured}"
    if f.status == "equivalent":
        return f"accuracy: equivalent within \u00b1{f.note}{unit} ({measured})"
    bound, _, health = f.note.partition("|")
    said = f"accuracy: undecided ({measured})"
    lo, hi = f.ci
    if lo is not None and hi is not None and (lo > 0 or hi < 0):
        ahead = f.what.split("\u2212")[0 if lo > 0 else -1].strip().upper() or "one arm"
        said += f"; {ahead} leads, not yet a decided winner"
    elif bound:
        said += (f"; the arms are within \u00b1{bound}{unit} of each other "
                 f"({(f.level or 0.95) * 100:.3g}%)")
    return said + (f"; training health: {health}" if health else "")


def _cost_line(f: Factor, arms: Sequence[str], label: str) -> str:
    if f.estimate is None or f.status in ("not measured",):
        return f"{label}: not measured" + (f" ({f.note})" if f.note else "")
    if f.status == "not evidence":
        return f"{label}: {f.estimate:.2f}\u00d7 ({f.what}), not evidence: {f.note}"
    if f.favours:
        return f"{label}: {f.favours.upper()} {_times(f.estimate, f.ci, f.favours, arms)}"
    return f"{label}: no clear difference, {f.what} {f.estimate:.2f}\u00d7{_interval(f.ci)}"


def factor_line(f: Factor, arms: Sequence[str]) -> str:
    """One line per factor, with its interval."""
    if f.name == QUALITY:
        return _quality_line(f, arms)
    if f.name == SIZE:
        if f.estimate is None:
            return "size: not measured"
        who = f"{f.favours.upper()} smaller" if f.favours else "same size"
        return f"size: {who} ({f.what} {f.estimate:.2f}\u00d7, {f.note})"
    if f.name == LATENCY and f.parts:
        rows = ", ".join(f"{p['runtime']} {p['mode']} {p['ratio']:.2f}\u00d7"
                         f"{_interval(tuple(p['ci']))}" for p in f.parts if p["ratio"])
        head = (f"{f.favours.upper()} faster" if f.favours else f.status)
        return f"inference latency: {head} ({f.what}: {rows})"
    return _cost_line(f, arms, "training time" if f.name == TRAINING else "inference latency")


def _short_reason(f: Factor, arms: Sequence[str]) -> str:
    if f.name == QUALITY:
        return _quality_line(f, arms).removeprefix("accuracy: ")
    if f.name == TRAINING:
        return f"training {_times(f.estimate, f.ci, f.favours, arms)} here"
    if f.name == LATENCY:
        runtimes = sorted({str(p["runtime"]) for p in f.parts})
        return f"inference faster ({', '.join(runtimes)}; full sequence and streaming step)"
    return f"smaller ({f.note})"


def headline(pick: Pick) -> str:
    """'Pick LSTM: accuracy equivalent within ±1 points; training 1.42× faster here'."""
    arms = pick.arms
    quality = pick.factor(QUALITY)
    accuracy = _quality_line(quality, arms).replace("accuracy: ", "accuracy ") if quality else ""
    if pick.decided_by == QUALITY:
        return f"Pick {pick.pick.upper()}: {accuracy.removeprefix('accuracy ')}"
    if pick.pick == EITHER:
        return (f"Either {' or '.join(a.upper() for a in arms)}: {accuracy}; neither is "
                "clearly cheaper in training time, latency or size")
    decider = pick.factor(pick.decided_by or "")
    reason = _short_reason(decider, arms) if decider else ""
    return f"Pick {pick.pick.upper()}: {reason}; {accuracy}"
