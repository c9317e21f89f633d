"""Claim "speed": GRU trains 20-30% faster, judged per configuration on interleaved timings.

Two findings, never pooled: the library-kernel effect (torch's native nn.GRU/nn.LSTM, what a
user gets: on CPU a oneDNN LSTM against a generic GRU) and the architecture effect (one
kernel-neutral implementation of both cells, see cells/neutral.py). Each configuration
(device, kernel, sizing, hidden size, length, batch) gets its own interval from its repeated
rounds (one GRU/LSTM ratio per round, `ratio_rule`); configurations are never pooled into one
interval, because their spread is the finding, not noise. A configuration supports the claim
when GRU is significantly faster and the whole interval lies at or below `support` (at least
~15% faster); it refutes it when the whole interval lies at or above `refute` (not
meaningfully faster, or slower). Regimes: batch 1 against training batches (>= 32).
"""

from __future__ import annotations

import re
from typing import Any

from gatebench.analysis import summarize
from gatebench.analysis.rules import A_BETTER, Decision, ratio_rule
from gatebench.claims.base import (
    INCONCLUSIVE,
    NOT_RUN,
    REFUTE_RATIO,
    REFUTED,
    SUPPORT_RATIO,
    SUPPORTED,
    ClaimResult,
    across_tasks,
    decision_effect,
    decision_row,
    effect,
    finite,
    fmt_ratio,
    row,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, SPEED
from gatebench.claims.evidence import STEP_TIMING, Evidence, drop_concurrent
from gatebench.claims.ratios import UNIT, ratios_of, round_pairs
from gatebench.errors import GatebenchError

CONFIG_FIELDS = ("device", "impl", "sizing", "reference_hidden", "seq_len", "batch")
FINDINGS = {"native": "library kernels (native layers)",
            "neutral": "architecture (kernel-neutral layers)"}
TRAINING_BATCH = 32  # batches of at least this size are "training batches"
WHAT = "GRU/LSTM training-step time"
MEASURE = "gatebench suite --claims speed --out runs/speed"


def regime(batch: Any) -> str:
    """"batch 1" or "training batches (>= 32)" (other sizes: "batch B")."""
    b = int(batch or 0)
    if b == 1:
        return "batch 1"
    return f"training batches (\u2265 {TRAINING_BATCH})" if b >= TRAINING_BATCH else f"batch {b}"


def _with_reference_hidden(record: dict[str, Any]) -> dict[str, Any]:
    """Older records name the reference hidden size only in their config key ("H=128")."""
    if record.get("reference_hidden") is not None:
        return record
    m = re.search(r"\bH=(\d+)", str(record.get("config_key") or ""))
    return {**record, "reference_hidden": int(m.group(1)) if m else None}


def config_verdict(d: Decision, support: float, refute: float) -> str:
    """A configuration's reading of the claim from its ratio Decision (module docstring)."""
    lo, hi = finite(d.ci[0]), finite(d.ci[1])
    if d.outcome == A_BETTER and hi is not None and hi <= support:
        return SUPPORTED
    if lo is not None and lo >= refute:
        return REFUTED
    return INCONCLUSIVE


def _num_key(value: Any) -> tuple[int, float, str]:
    """Numbers in numeric order, anything else after them."""
    number = finite(value)
    return (0, number, "") if number is not None else (1, 0.0, str(value))


def _where(rows: list[dict[str, Any]], verdict: str) -> str:
    """Compact "native B=1 H=64,128,256; neutral B>=32 H=256" for the rows with `verdict`."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for r in rows:
        if r["counts_as"] == verdict:
            key = (r["device"], r["impl"], regime(r["batch"]))
            groups.setdefault(key, []).append(r["hidden"])
    return "; ".join(f"{dev} {impl} {reg}, H={','.join(map(str, sorted(set(hs), key=_num_key)))}"
                     for (dev, impl, reg), hs in groups.items())


def decide(evidence: Evidence, support: float = SUPPORT_RATIO,
           refute: float = REFUTE_RATIO) -> ClaimResult:
    """Per configuration: ratio interval <= support and GRU significantly faster -> supports,
    interval >= refute -> refutes; configurations disagreeing -> mixed, naming where GRU is
    faster and where it is not, per finding (library kernels, architecture)."""
    pairs, incomplete = round_pairs(map(_with_reference_hidden, evidence.step_timing),
                                    CONFIG_FIELDS)
    rows, decisions = [], {}
    for key, p in pairs.items():
        ratios = ratios_of(p, "median_ms")
        if not ratios:
            continue
        d = ratio_rule(ratios)
        decisions[key] = d
        device, impl, sizing, hidden, seq_len, batch = key
        first = p[0]
        rows.append(decision_row(
            f"{impl}/{sizing} H={hidden} T={seq_len} B={batch}", WHAT, d, UNIT,
            device=device, impl=impl, sizing=sizing, hidden=hidden, seq_len=seq_len,
            batch=batch, regime=regime(batch), finding=FINDINGS.get(str(impl), str(impl)),
            level="config", counts_as=config_verdict(d, support, refute),
            detail={c: {f: first[c].get(f) for f in ("kernel", "hidden_size", "params", "threads")}
                    for c in FOLKLORE_CELLS},
        ))
    real_rows, real_excluded = _real_task_rows(evidence)
    excluded = {"concurrent_step_timing": evidence.concurrent[STEP_TIMING],
                "incomplete_rounds": incomplete, **real_excluded}
    if not rows:
        reason = NOT_RUN if not real_rows else (
            "no step-timing records; the real-task per-epoch ratios are shown as evidence only")
        return ClaimResult(SPEED.id, SPEED.statement, INCONCLUSIVE, reason,
                           effect(WHAT, unit=UNIT), evidence=rows + real_rows, excluded=excluded,
                           would_change=f"timing both cells: `{MEASURE}`")
    findings, parts = {}, []
    for impl, name in FINDINGS.items():
        mine = [r for r in rows if r["impl"] == impl]
        if not mine:
            continue
        findings[impl] = across_tasks(r["counts_as"] for r in mine)
        values = [r["value"] for r in mine if r["value"] is not None]
        part = (f"{name}: {findings[impl]}, GRU/LSTM "
                f"{min(values):.2f}\u2013{max(values):.2f}\u00d7 over {len(mine)} configurations")
        faster, slower = _where(mine, SUPPORTED), _where(mine, REFUTED)
        if faster:
            part += f"; GRU \u2265{1 - support:.0%} faster at {faster}"
        if slower:
            part += f"; not faster at {slower}"
        parts.append(part)
        rows.append(row(name, f"{WHAT}: {name}", None, n=len(mine), level="finding",
                        impl=impl, unit=UNIT, counts_as=findings[impl],
                        detail={"range": [min(values), max(values)],
                                "configs_supporting": sum(r["counts_as"] == SUPPORTED
                                                          for r in mine),
                                "configs_refuting": sum(r["counts_as"] == REFUTED for r in mine)}))
    verdict = across_tasks(r["counts_as"] for r in rows if r["level"] == "config")
    depends = _depends_on(rows) if verdict == "mixed" else None
    head_key = _headline(decisions)
    h = decisions[head_key]
    head_label = f"{head_key[1]}/{head_key[2]} H={head_key[3]} T={head_key[4]} B={head_key[5]}"
    reason = ("one interval per configuration from its rounds (never pooled); "
              + "; ".join(parts) + f" (supports: GRU significantly faster with the interval "
              f"\u2264 {support:g}; refutes: interval \u2265 {refute:g}). Real-task per-epoch "
              f"ratios are listed beside, not counted.")
    return ClaimResult(
        SPEED.id, SPEED.statement, verdict, reason,
        decision_effect(f"{WHAT}, {head_key[0]} {head_label}", h, UNIT),
        depends_on=depends, evidence=rows + real_rows, excluded=excluded,
        would_change=_would_change(verdict, support, refute),
    )


def _headline(decisions: dict[tuple, Decision]) -> tuple:
    """The configuration a user training with stock layers meets: native kernels, the largest
    batch, then the largest hidden size (ties: the shortest sequence)."""
    return max(decisions, key=lambda k: (k[1] == "native", int(k[5] or 0), int(k[3] or 0),
                                         -int(k[4] or 0)))


def _depends_on(rows: list[dict[str, Any]]) -> str:
    """Which of kernel, batch regime and hidden size separate supporting from refuting rows."""
    decided = [r for r in rows if r["level"] == "config" and r["counts_as"] in (SUPPORTED,
                                                                                REFUTED)]
    names = {"impl": "the kernel (library vs kernel-neutral)", "regime": "the batch size",
             "hidden": "the hidden size", "device": "the device", "seq_len": "the length"}
    explaining = [name for f, name in names.items()
                  if all(len({r["counts_as"] for r in decided if r[f] == v}) == 1
                         for v in {r[f] for r in decided})]
    return " or ".join(explaining) if explaining else "the kernel, batch and hidden size together"


def _would_change(verdict: str, support: float, refute: float) -> str:
    if verdict == SUPPORTED:
        return (f"a configuration whose interval reaches {refute:g} or above (GRU not faster), "
                f"e.g. at batch 1 or a larger hidden size, would make it mixed")
    if verdict == REFUTED:
        return (f"a configuration where GRU is significantly faster with its interval "
                f"\u2264 {support:g} (another device, batch or hidden size) would make it mixed")
    if verdict == "mixed":
        return ("it stays mixed while regimes disagree; on your own hardware and sizes, "
                f"`{MEASURE}` measures which side you are on")
    return (f"more rounds per configuration (narrower intervals) deciding at least one "
            f"configuration (\u2264 {support:g} or \u2265 {refute:g})")


def _real_task_rows(evidence: Evidence) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per-epoch compute-time ratios of the real-task studies (context, not part of the verdict)."""
    rows, concurrent, unpaired = [], 0, 0
    seen: set[str] = set()
    studies = {**evidence.studies("short/"), **evidence.studies("small/")}
    for sid, records in studies.items():
        alone, dropped = drop_concurrent(records)
        ids = frozenset(str(r.get("spec_id")) for r in alone)
        if ids and ids <= seen:  # the same trials under a second study id
            continue
        seen |= ids
        concurrent += dropped
        try:
            ratio = summarize(alone)["time_ratio"]
        except GatebenchError:
            unpaired += 1
            continue
        rows.append(row(
            sid, "GRU/LSTM compute time per epoch (real task; context, not counted)",
            ratio["geomean"], ratio["ci"], len(ratio["values"]),
            task=(alone[0].get("task") or {}).get("name"), device=alone[0].get("device"),
            level="study", unit=UNIT, group="real tasks", counts_as=None,
            detail={"kernels": {r.get("cell"): r.get("kernel") for r in alone},
                    "counts_for_verdict": False,
                    "text": fmt_ratio(ratio["geomean"], ratio["ci"])},
        ))
    return rows, {"concurrent_trials": concurrent, "studies_without_pairs": unpaired}
