"""Stored records sorted for the deciders: trials by study, step timings, latencies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gatebench.analysis.timing import isolated
from gatebench.protocol.record import Measurement, StepTimingRecord, TrialRecord, read_record

TRIAL, STEP_TIMING, LATENCY = "trial", "step_timing", "latency"

# A stored record: a trial, or a measurement (step timing, latency) with its kind.
Record = TrialRecord | Measurement


def is_concurrent(record: Record) -> bool:
    """True when the record was measured while other work shared the machine."""
    return bool(record.get("concurrent"))


def drop_concurrent(records: Iterable[Record]) -> tuple[list[Record], int]:
    """The records measured alone, and how many concurrent ones were dropped."""
    records = list(records)
    kept = isolated(records)
    return kept, len(records) - len(kept)


def unique_trials(records: Iterable[TrialRecord]) -> list[TrialRecord]:
    """Each stored trial once, by spec id (a shared trial appears under two study ids)."""
    seen: set[str] = set()
    out = []
    for r in records:
        if r.spec_id not in seen:
            seen.add(r.spec_id)
            out.append(r)
    return out


@dataclass
class Evidence:
    """Everything the deciders read, built once from a flat list of stored records.

    Trials keep concurrent records (accuracy does not depend on a shared machine); timing
    deciders drop them with `drop_concurrent`. Step timings and latencies measured
    concurrently are dropped here and counted in `concurrent`, since they only serve speed.
    """

    trials: dict[str, list[TrialRecord]] = field(default_factory=dict)
    step_timing: list[StepTimingRecord] = field(default_factory=list)
    latency: list[Measurement] = field(default_factory=list)
    concurrent: dict[str, int] = field(default_factory=lambda: {STEP_TIMING: 0, LATENCY: 0})
    unknown_kinds: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Evidence:
        """Split records by `kind` (missing = trial); trials are grouped by `study_id`."""
        ev = cls()
        for r in map(read_record, records):
            kind = TRIAL if isinstance(r, TrialRecord) else str(r.get("kind"))
            if isinstance(r, TrialRecord):
                ev.trials.setdefault(str(r.study_id), []).append(r)
            elif kind in (STEP_TIMING, LATENCY):
                if is_concurrent(r):
                    ev.concurrent[kind] += 1
                else:
                    getattr(ev, kind).append(r)
            else:
                ev.unknown_kinds[str(kind)] = ev.unknown_kinds.get(str(kind), 0) + 1
        return ev

    def studies(self, prefix: str) -> dict[str, list[TrialRecord]]:
        """Trial records of the studies whose id starts with `prefix` (e.g. "short/"), by id."""
        return {sid: recs for sid, recs in sorted(self.trials.items()) if sid.startswith(prefix)}
