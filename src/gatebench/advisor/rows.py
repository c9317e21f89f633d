"""Evidence rows matched to the user: which rows speak for their device, runtime and length.

A claim's headline verdict pools every group; where the user's device or runtime was measured
apart (speed and inference groups), or the claim is mixed, the rows that match the user decide
instead: depends_on names the dimension the verdict turns on, and matching it is the point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from gatebench.advisor.advice import GRU, LSTM, NEITHER, UNCLEAR
from gatebench.advisor.answers import Answers
from gatebench.advisor.closeness import device_kind, runtime_kind
from gatebench.claims import catalogue as cat
from gatebench.claims.base import (
    INCONCLUSIVE,
    MIXED,
    REFUTED,
    SUPPORTED,
    ClaimJSON,
    Effect,
    EvidenceRow,
    from_readings,
)
from gatebench.claims.speed import MEASURE, regime
from gatebench.numbers import finite

Row = EvidenceRow
Matcher = Callable[[ClaimJSON, Answers], "Match"]
# The long claim's per-length outcomes (A = LSTM) as verdicts of "LSTM wins".
OUTCOME_VERDICT = {"a_better": SUPPORTED, "b_better": REFUTED, "equivalent": REFUTED}
OUTCOME_FAVOURS = {"a_better": LSTM, "b_better": GRU, "equivalent": NEITHER}


@dataclass
class Match:
    """The rows that describe the user's situation and, when they decide, their verdict."""

    rows: list[Row]
    verdict: str | None = None  # None: the claim's own verdict stands
    effect: Effect | None = None
    notes: list[str] = field(default_factory=list)
    favours: str | None = None  # set when the rows name a winner more directly than the effect
    context: list[Row] = field(default_factory=list)  # facts only (lengths of a group's configs)

    def facts_rows(self) -> list[Row]:
        """The rows whose lengths, sizes and devices describe this evidence."""
        return [*self.rows, *self.context]


def seq_len_of(row: Row) -> float | None:
    """The sequence length a row was measured at, wherever the claim recorded it."""
    detail = row.get("detail") if isinstance(row.get("detail"), dict) else {}
    for value in (row.get("seq_len"), detail.get("seq_len"), detail.get("median_seq_len")):
        if finite(value):
            return float(value)
    m = re.search(r"\bT=(\d+)", f"{row.get('config_key') or ''} {row.get('label') or ''}")
    return float(m.group(1)) if m else None


def _effect(row: Row) -> Effect:
    return {"what": f"{row.get('what')} ({row.get('label')})", "value": row.get("value"),
            "ci": row.get("ci") or [None, None], "unit": row.get("unit") or ""}


def _decide(rows: list[Row], verdict_of: Callable[[Row], str], what: str,
            favour_of: Callable[[Row], str | None] | None = None) -> Match:
    verdict = from_readings(verdict_of(r) for r in rows)
    notes = [f"decided by the rows for {what}"]
    if verdict == MIXED:  # still split within the user's own situation: nothing to go on
        verdict = INCONCLUSIVE
        notes.append(f"the evidence for {what} is itself split")
    favours = {favour_of(r) for r in rows} if favour_of else set()
    one = favours.pop() if len(favours) == 1 and verdict != INCONCLUSIVE else None
    return Match(rows, verdict, _effect(rows[0]), notes, one)


def _prefer(rows: list[Row], key: str, value: str) -> list[Row]:
    chosen = [r for r in rows if r.get(key) == value]
    return chosen or rows


def _ratio_groups(claim: ClaimJSON, a: Answers, preferred: dict[str, str]) -> Match:
    """Device groups (inference): the group rows for the user's device (and runtime), with the
    configurations pooled into them as context (group rows carry no length)."""
    m = _ratio_match(claim, a, preferred)
    labels = {r.get("group") for r in m.rows}
    m.context = [r for r in claim.get("evidence") or ()
                 if r.get("level") == "config" and r.get("group") in labels]
    return m


def _ratio_match(claim: ClaimJSON, a: Answers, preferred: dict[str, str]) -> Match:
    groups = [r for r in claim.get("evidence") or () if r.get("level") == "group"]
    wanted = {"device": (a.device, device_kind), "runtime": (a.runtime, runtime_kind)}
    rows, named = groups, []
    for key, (value, norm) in wanted.items():
        if value is None or all(r.get(key) is None for r in groups):
            continue
        narrowed = [r for r in rows if norm(r.get(key)) == value]
        if not narrowed:  # never measured there: timings of other kernels decide nothing
            measured = sorted({str(norm(r.get(key))) for r in rows if r.get(key)})
            return Match(groups, INCONCLUSIVE, notes=[
                f"no evidence from your {key} ({value}); measured on {', '.join(measured)}, "
                f"whose kernels say nothing about yours"], favours=UNCLEAR)
        rows, named = narrowed, [*named, f"{key} {value}"]
    if not named and claim.get("verdict") != MIXED:
        return Match(groups)
    for key, value in preferred.items():
        rows = _prefer(rows, key, value)
    return _decide(rows, lambda r: r.get("verdict") or INCONCLUSIVE,
                   ", ".join(named) or "the common setting (" + ", ".join(preferred.values())
                   + ")")


def _nearest(rows: list[Row], seq_len: int) -> list[Row]:
    measured = [r for r in rows if seq_len_of(r)]
    if not measured:
        return []
    gap = {id(r): abs(math.log(seq_len_of(r) / seq_len)) for r in measured}
    best = min(gap.values())
    return [r for r in measured if math.isclose(gap[id(r)], best)]


def _by_length(claim: ClaimJSON, a: Answers, select: Callable[[Row], bool],
               verdict_of: Callable[[Row], str],
               favour_of: Callable[[Row], str | None] | None = None) -> Match:
    """Tasks or probe lengths (short, long): when mixed, the ones nearest the user's length."""
    rows = [r for r in claim.get("evidence") or () if select(r)]
    if claim.get("verdict") != MIXED or a.seq_len is None:
        return Match(rows)
    nearest = _nearest(rows, a.seq_len)
    if not nearest:
        return Match(rows)
    return _decide(nearest, verdict_of, f"the length nearest yours (T\u2248"
                   f"{seq_len_of(nearest[0]):g})", favour_of)


def _levels(*levels: str) -> Matcher:
    """Claims decided per task or study: their rows at these levels describe the evidence."""
    def rows(claim: ClaimJSON, answers: Answers) -> Match:
        return Match([r for r in claim.get("evidence") or ()
                      if r.get("level") in levels
                      and (r.get("detail") or {}).get("decides", True)])
    return rows


def _log_nearest(rows: list[Row], key: str, value: int | None) -> list[Row]:
    """The rows whose `key` is nearest `value` on a log scale (all rows when value is None)."""
    measured = [r for r in rows if finite(r.get(key))]
    if value is None or not measured:
        return rows
    gap = {id(r): abs(math.log(float(r[key]) / value)) for r in measured}
    best = min(gap.values())
    return [r for r in measured if math.isclose(gap[id(r)], best)]


def _speed(claim: ClaimJSON, a: Answers) -> Match:
    """Configurations (speed): those for the user's device, batch regime and nearest hidden size.

    Library kernels (native layers) are what a user trains with, so they decide; the
    kernel-neutral rows give the architecture-only figure. A device never measured gets no
    verdict from another device's kernels: only the architecture-only figure, and the command
    that measures the user's own machine.
    """
    configs = [r for r in claim.get("evidence") or () if r.get("level") == "config"]
    if not configs:
        return Match([r for r in claim.get("evidence") or ()])
    devices = sorted({str(device_kind(r.get("device"))) for r in configs if r.get("device")})
    mine = ([r for r in configs if device_kind(r.get("device")) == a.device]
            if a.device is not None else configs)
    if not mine:
        neutral = _regime_rows([r for r in configs if r.get("impl") == "neutral"], a)
        # With the regime unknown, the training regime: the largest batch, then hidden size.
        head = max(neutral, key=lambda r: (finite(r.get("batch")) or 0,
                                           finite(r.get("hidden")) or 0)) if neutral else None
        note = (f"no speed evidence from your device ({a.device}): the timings were measured on "
                f"{', '.join(devices)}, whose library kernels (e.g. oneDNN's LSTM against a "
                f"generic GRU on CPU) say nothing about yours")
        notes = [note]
        if head is not None:
            notes.append(f"architecture only (kernel-neutral layers, {head.get('label')}): "
                         f"GRU/LSTM {_ratio_text(head)}")
        notes.append(f"measure it on your machine: `{MEASURE}`")
        return Match(neutral, INCONCLUSIVE, _effect(head) if head else None, notes, UNCLEAR,
                     context=configs)
    native = _regime_rows([r for r in mine if r.get("impl") == "native"], a) or \
        _regime_rows(mine, a)
    verdict = from_readings(r.get("counts_as") or INCONCLUSIVE for r in native)
    cited = "; ".join(f"{r.get('label')}: {_ratio_text(r)} ({r.get('counts_as')})"
                      for r in native)
    where = ", ".join(x for x in (
        f"batch {a.batch_size} ({regime(a.batch_size)})" if a.batch_size else None,
        f"hidden ≈ {a.hidden}" if a.hidden else None,
        f"device {a.device}" if a.device else None) if x)
    notes = [f"speed rows matching {where or 'any regime'}: {cited}"]
    if verdict == MIXED:
        verdict = INCONCLUSIVE
        notes.append("the matching configurations themselves disagree")
    favours = (GRU if verdict == SUPPORTED else
               LSTM if verdict == REFUTED and all((finite((r.get("ci") or [None])[0]) or 0) > 1
                                                  for r in native) else
               NEITHER if verdict == REFUTED else UNCLEAR)
    return Match(native, verdict, _effect(native[0]), notes, favours)


def _regime_rows(rows: list[Row], a: Answers) -> list[Row]:
    """Rows in the user's batch regime (when known), then at the nearest hidden size."""
    if a.batch_size is not None:
        same = [r for r in rows if regime(r.get("batch")) == regime(a.batch_size)]
        rows = _log_nearest(same or rows, "batch", a.batch_size)
    return _log_nearest(rows, "hidden", a.hidden)


def _ratio_text(row: Row) -> str:
    ci = row.get("ci") or [None, None]
    if finite(row.get("value")) is None:
        return "\u2013"
    bounds = (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if finite(ci[0]) is not None
              and finite(ci[1]) is not None else "")
    return f"{row['value']:.2f}\u00d7{bounds}"


def _iteration(claim: ClaimJSON, a: Answers) -> Match:
    """Timed tasks (iteration): wall times from another device decide nothing for the user's."""
    rows = [r for r in claim.get("evidence") or () if r.get("level") == "task"]
    devices = {device_kind(r.get("device")) for r in rows if r.get("device")}
    if a.device is not None and devices and a.device not in devices:
        return Match(rows, INCONCLUSIVE, notes=[
            f"no iteration timing from your device ({a.device}); measured on "
            f"{', '.join(sorted(map(str, devices)))}"], favours=UNCLEAR)
    return Match(rows)


MATCHERS: dict[str, Matcher] = {  # by the row layout a claim declares (Claim.rows)
    cat.ALL_ROWS: lambda c, a: Match(list(c.get("evidence") or ())),
    cat.CONFIG_ROWS: _speed,
    cat.TIMED_TASKS: _iteration,
    cat.DEVICE_GROUPS: lambda c, a: _ratio_groups(c, a, {}),
    cat.TASKS_BY_LENGTH: lambda c, a: _by_length(c, a, lambda r: "counts_as" in r,
                                                 lambda r: r.get("counts_as") or INCONCLUSIVE),
    cat.PROBE_LENGTHS: lambda c, a: _by_length(
        c, a, lambda r: r.get("level") == "length",
        lambda r: OUTCOME_VERDICT.get(r.get("outcome"), INCONCLUSIVE),
        lambda r: OUTCOME_FAVOURS.get(r.get("outcome"))),
    cat.GAP_ROWS: _levels("gap"),  # the rows at the fraction that decided each task
    cat.TASK_ROWS: _levels("task"),
}


def match(claim: ClaimJSON, answers: Answers, rows: str = cat.ALL_ROWS) -> Match:
    """The rows behind a claim that match the user, and their verdict when they decide it;
    `rows` is the layout the claim declares (`Claim.rows`)."""
    return MATCHERS[rows](claim, answers)


def slowest_p50(claim: ClaimJSON, answers: Answers) -> float | None:
    """A latency claim: the largest p50 (ms) of either cell over the configurations measured on the
    user's device and runtime (all configurations when those are unknown); None if none."""
    worst = None
    for r in claim.get("evidence") or ():
        if r.get("level") != "config":
            continue
        if answers.device is not None and device_kind(r.get("device")) != answers.device:
            continue
        if answers.runtime is not None and runtime_kind(r.get("runtime")) != answers.runtime:
            continue
        p50 = (r.get("detail") or {}).get("p50_ms") if isinstance(r.get("detail"), dict) else None
        for value in (p50 or {}).values():
            if finite(value) is not None:
                worst = max(worst or 0.0, float(value))
    return worst
