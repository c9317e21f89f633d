"""How close a piece of evidence is to the user's situation: length, data size, device, runtime.

Sizes compare by ratio: within 2x is near, within 4x partial, beyond 4x far. A device or
runtime the evidence never measured is far. The level is the worst of the dimensions
assessed; with none assessable it is "unknown". The factor scales the evidence's weight.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from gatebench.advisor.answers import Answers

NEAR, PARTIAL, FAR, UNKNOWN = "near", "partial", "far", "unknown"
ORDER = (NEAR, UNKNOWN, PARTIAL, FAR)
# Far evidence still points somewhere (a claim measured at T=100 says something about T=1000),
# so it is discounted, not discarded; the settle command is how the user closes the gap.
FACTOR = {NEAR: 1.0, PARTIAL: 0.75, UNKNOWN: 0.75, FAR: 0.5}
NEAR_RATIO, PARTIAL_RATIO = 2.0, 4.0


class ClosenessJSON(TypedDict):
    """A closeness as JSON: its level and one note per dimension assessed."""

    level: str
    notes: list[str]


@dataclass
class Closeness:
    """A level (near / partial / far / unknown) and one note per dimension assessed."""

    level: str = UNKNOWN
    notes: list[str] = field(default_factory=list)

    @property
    def factor(self) -> float:
        """The weight multiplier for this level."""
        return FACTOR[self.level]

    def add(self, level: str, note: str) -> None:
        """Record one dimension; the overall level is the worst so far."""
        self.notes.append(note)
        if self.level == UNKNOWN or ORDER.index(level) > ORDER.index(self.level):
            self.level = level

    def text(self) -> str:
        """"far: measured on cpu, you use gpu; ..." (or "unknown")."""
        return f"{self.level}: {'; '.join(self.notes)}" if self.notes else self.level

    def to_dict(self) -> ClosenessJSON:
        """{"level", "notes"}."""
        return {"level": self.level, "notes": list(self.notes)}


def device_kind(device: Any) -> str | None:
    """"cuda:0" -> "gpu", "cpu" -> "cpu", None -> None (other names pass through)."""
    if device is None:
        return None
    text = str(device).lower()
    return "gpu" if text.startswith(("cuda", "gpu")) else text.split(":")[0]


def runtime_kind(runtime: Any) -> str | None:
    """"onnxruntime" and "onnx" are one runtime to the user."""
    if runtime is None:
        return None
    text = str(runtime).lower()
    return "onnx" if text in ("onnxruntime", "ort") else text


def _size(c: Closeness, what: str, yours: float, theirs: Iterable[float]) -> None:
    values = [float(v) for v in theirs if v]
    if not values:
        return
    nearest = min(values, key=lambda v: max(v / yours, yours / v))
    ratio = max(nearest / yours, yours / nearest)
    level = NEAR if ratio <= NEAR_RATIO else PARTIAL if ratio <= PARTIAL_RATIO else FAR
    apart = "about the same" if ratio < 1.1 else f"{ratio:.1f}\u00d7 apart"
    c.add(level, f"your {what} {yours:,.0f} vs {nearest:,.0f} in the evidence ({apart})")


def _kind(c: Closeness, what: str, yours: str, theirs: set[str]) -> None:
    if not theirs:
        return
    if yours in theirs:
        c.add(NEAR, f"{what} {yours} measured")
    else:
        c.add(FAR, f"measured on {what} {', '.join(sorted(theirs))}; you use {yours}")


def assess(answers: Answers, *, seq_lens: Iterable[float] = (), n_trains: Iterable[float] = (),
           devices: Iterable[Any] = (), runtimes: Iterable[Any] = ()) -> Closeness:
    """Compare the evidence's facts with the answers (dimensions the user left unknown, or the
    evidence did not record, are skipped)."""
    c = Closeness()
    if answers.seq_len is not None:
        _size(c, "sequence length", answers.seq_len, seq_lens)
    if answers.train_size is not None:
        _size(c, "training-set size", answers.train_size, n_trains)
    kinds = {k for k in map(device_kind, devices) if k}
    if answers.device is not None:
        _kind(c, "device", answers.device, kinds)
    elif kinds:
        c.notes.append(f"measured on {', '.join(sorted(kinds))} (your device unknown)")
    rts = {k for k in map(runtime_kind, runtimes) if k}
    if answers.runtime is not None:
        _kind(c, "runtime", answers.runtime, rts)
    return c
