"""Claims "speed" and "speed-architecture": GRU trains 20-30% faster, per configuration.

Two findings, never pooled, each its own claim row: the library-kernel effect ("speed":
torch's native nn.GRU/nn.LSTM, what a user gets: on CPU a oneDNN LSTM against a generic GRU)
and the architecture effect ("speed-architecture": one kernel-neutral implementation of both
cells, see cells/neutral.py). Each configuration (device, kernel, sizing, hidden size,
length, batch) gets its own test from its repeated rounds (one GRU/LSTM ratio per round);
configurations are never pooled into one interval, because their spread is the finding, not
noise. A configuration is *for* the claim when GRU is significantly faster than `support`
(its whole interval at or below it: at least ~15% faster), *against* when it is
significantly slower than `refute` (not meaningfully faster, or slower), after Holm across the
configurations; they combine by the one rule (analysis.combine, "GRU better"), shown as "k of
N configurations informative, j for, i against", with the device and kernels named.
Regimes: batch 1 against training batches (>= 32).
"""

from __future__ import annotations

import re
from typing import Any

from gatebench.analysis import summarize
from gatebench.analysis.combine import ratio_threshold_test
from gatebench.analysis.rules import Decision, ratio_rule
from gatebench.claims.base import (
    BETTER,
    INCONCLUSIVE,
    MIXED,
    NOT_RUN,
    REFUTE_RATIO,
    REFUTED,
    SUPPORT_RATIO,
    SUPPORTED,
    ClaimResult,
    EvidenceRow,
    TaskTest,
    decide_tasks,
    decision_effect,
    decision_row,
    effect,
    finite,
    fmt_ratio,
    mark_rows,
    row,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, SPEED, SPEED_ARCHITECTURE, Claim
from gatebench.claims.evidence import STEP_TIMING, Evidence, drop_concurrent
from gatebench.claims.ratios import UNIT, ratios_of, round_pairs
from gatebench.errors import GatebenchError
from gatebench.protocol.record import StepTimingRecord

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


def _with_reference_hidden(record: StepTimingRecord) -> StepTimingRecord:
    """Older records name the reference hidden size only in their config key ("H=128")."""
    if record.get("reference_hidden") is not None:
        return record
    m = re.search(r"\bH=(\d+)", str(record.get("config_key") or ""))
    return {**record, "reference_hidden": int(m.group(1)) if m else None}


def _num_key(value: Any) -> tuple[int, float, str]:
    """Numbers in numeric order, anything else after them."""
    number = finite(value)
    return (0, number, "") if number is not None else (1, 0.0, str(value))


def _where(rows: list[EvidenceRow], verdict: str) -> str:
    """Compact "native B=1 H=64,128,256; neutral B>=32 H=256" for the rows with `verdict`."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for r in rows:
        if r["counts_as"] == verdict:
            key = (r["device"], r["impl"], regime(r["batch"]))
            groups.setdefault(key, []).append(r["hidden"])
    return "; ".join(f"{dev} {impl} {reg}, H={','.join(map(str, sorted(set(hs), key=_num_key)))}"
                     for (dev, impl, reg), hs in groups.items())


def folklore_timings(evidence: Evidence) -> list[StepTimingRecord]:
    """The step timings of configurations timed for GRU against LSTM alone: a configuration
    that also timed other cells (the contenders claim's) is that claim's evidence, not ours."""
    others = {r.get("config_key") for r in evidence.step_timing
              if r.get("cell") not in FOLKLORE_CELLS}
    return [r for r in evidence.step_timing if r.get("config_key") not in others]


def _config_rows(evidence: Evidence, support: float, refute: float
                 ) -> tuple[list[EvidenceRow], dict[tuple, Decision], dict[tuple, TaskTest],
                            int]:
    """One row, ratio Decision and threshold test per timed configuration."""
    pairs, incomplete = round_pairs(map(_with_reference_hidden, folklore_timings(evidence)),
                                    CONFIG_FIELDS)
    rows, decisions, tests = [], {}, {}
    for key, p in pairs.items():
        ratios = ratios_of(p, "median_ms")
        if not ratios:
            continue
        decisions[key] = ratio_rule(ratios)
        tests[key] = ratio_threshold_test(ratios, support, refute)
        device, impl, sizing, hidden, seq_len, batch = key
        first = p[0]
        rows.append(decision_row(
            config_label(key), WHAT, decisions[key], UNIT,
            device=device, impl=impl, sizing=sizing, hidden=hidden, seq_len=seq_len,
            batch=batch, regime=regime(batch), finding=FINDINGS.get(str(impl), str(impl)),
            level="config", config=key,
            detail={c: {f: first[c].get(f) for f in ("kernel", "hidden_size", "params", "threads")}
                    for c in FOLKLORE_CELLS},
        ))
    return rows, decisions, tests, incomplete


def config_label(key: tuple) -> str:
    """"native/hidden H=128 T=50 B=32" for a configuration key."""
    return f"{key[1]}/{key[2]} H={key[3]} T={key[4]} B={key[5]}"


def kernels_of(rows: list[EvidenceRow]) -> str:
    """"cpu, kernels gru aten::gru, lstm mkldnn_rnn_layer": the device and kernels timed."""
    devices = sorted({str(r["device"]) for r in rows})
    kernels = {c: sorted({str((r["detail"] or {}).get(c, {}).get("kernel")) for r in rows})
               for c in FOLKLORE_CELLS}
    return (f"{'/'.join(devices)}, kernels "
            + ", ".join(f"{c} {'/'.join(k)}" for c, k in kernels.items()))


def decide_impl(evidence: Evidence, impl: str, claim: Claim = SPEED, support: float = SUPPORT_RATIO,
                refute: float = REFUTE_RATIO) -> ClaimResult:
    """One finding (library kernels: impl "native"; architecture: "neutral") as a claim row:
    its configurations combined by the one rule (module docstring)."""
    rows, decisions, tests, incomplete = _config_rows(evidence, support, refute)
    mine = {k for k in decisions if k[1] == impl}
    real_rows, real_excluded = _real_task_rows(evidence) if impl == "native" else ([], {})
    excluded = {"concurrent_step_timing": evidence.concurrent[STEP_TIMING],
                "incomplete_rounds": incomplete, **real_excluded}
    name = FINDINGS.get(impl, impl)
    if not mine:
        reason = NOT_RUN if not real_rows else (
            "no step-timing records; the real-task per-epoch ratios are shown as evidence only")
        return ClaimResult(claim.id, claim.statement, INCONCLUSIVE, reason,
                           effect(f"{WHAT}: {name}", unit=UNIT), evidence=rows + real_rows,
                           excluded=excluded,
                           would_change=f"timing both cells: `{MEASURE} --claims {claim.id}`")
    combined = decide_tasks({config_label(k): tests[k] for k in sorted(mine, key=str)}, BETTER,
                            noun="configuration")
    mark_rows(rows, combined, lambda r: config_label(r["config"]) if r["impl"] == impl
              else None)
    for r in rows:
        r.pop("config", None)
    own = [r for r in rows if r["impl"] == impl]
    values = [r["value"] for r in own if r["value"] is not None]
    where = kernels_of(own)
    part = (f"{name} on {where}: GRU/LSTM {min(values):.2f}\u2013{max(values):.2f}\u00d7")
    faster, slower = _where(own, SUPPORTED), _where(own, REFUTED)
    if faster:
        part += f"; GRU \u2265{1 - support:.0%} faster at {faster}"
    if slower:
        part += f"; not faster at {slower}"
    verdict = combined.verdict
    head_key = _headline({k: decisions[k] for k in mine})
    reason = (f"{combined.tally()} (one interval per configuration from its rounds, never "
              f"pooled; for: GRU significantly faster than {support:g}\u00d7, against: "
              f"significantly slower than {refute:g}\u00d7, Holm across configurations). "
              f"{part}. Real-task per-epoch ratios are listed beside, not counted."
              if impl == "native" else
              f"{combined.tally()} (one interval per configuration, never pooled; for: GRU "
              f"significantly faster than {support:g}\u00d7, against: significantly slower "
              f"than {refute:g}\u00d7, Holm across configurations). {part}.")
    return ClaimResult(
        claim.id, claim.statement, verdict, reason,
        decision_effect(f"{WHAT}, {head_key[0]} {config_label(head_key)} ({where})",
                        decisions[head_key], UNIT),
        depends_on=_depends_on(own) if verdict == MIXED else None,
        evidence=rows + real_rows, excluded=excluded,
        would_change=_would_change(verdict, support, refute), combined=combined,
    )


def decide(evidence: Evidence, support: float = SUPPORT_RATIO,
           refute: float = REFUTE_RATIO) -> ClaimResult:
    """"speed": the library-kernel finding (native layers, what a user trains with)."""
    return decide_impl(evidence, "native", SPEED, support, refute)


def decide_architecture(evidence: Evidence, support: float = SUPPORT_RATIO,
                        refute: float = REFUTE_RATIO) -> ClaimResult:
    """"speed-architecture": the kernel-neutral finding (the cells' own arithmetic)."""
    return decide_impl(evidence, "neutral", SPEED_ARCHITECTURE, support, refute)


def _headline(decisions: dict[tuple, Decision]) -> tuple:
    """The configuration a user training with stock layers meets: native kernels, the largest
    batch, then the largest hidden size (ties: the shortest sequence)."""
    return max(decisions, key=lambda k: (k[1] == "native", int(k[5] or 0), int(k[3] or 0),
                                         -int(k[4] or 0)))


def _depends_on(rows: list[EvidenceRow]) -> str:
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
    if verdict == MIXED:
        return ("it stays mixed while regimes disagree; on your own hardware and sizes, "
                f"`{MEASURE}` measures which side you are on")
    return (f"more rounds per configuration (narrower intervals) deciding at least one "
            f"configuration (\u2264 {support:g} or \u2265 {refute:g})")


def _real_task_rows(evidence: Evidence) -> tuple[list[EvidenceRow], dict[str, int]]:
    """Per-epoch compute-time ratios of the real-task studies (context, not part of the verdict)."""
    rows, concurrent, unpaired = [], 0, 0
    seen: set[str] = set()
    studies = {**evidence.studies("short/"), **evidence.studies("small/")}
    for sid, records in studies.items():
        alone, dropped = drop_concurrent(records)
        ids = frozenset(r.spec_id for r in alone)
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
            task=alone[0].task.name, device=alone[0].device,
            level="study", unit=UNIT, group="real tasks", counts_as=None,
            detail={"kernels": {r.cell: r.kernel for r in alone},
                    "counts_for_verdict": False,
                    "text": fmt_ratio(ratio["geomean"], ratio["ci"])},
        ))
    return rows, {"concurrent_trials": concurrent, "studies_without_pairs": unpaired}
