"""Peak resident memory of the work in this process: a high-water mark that can start over."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from gatebench.protocol.record import MemoryDoc

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def reset_peak_rss() -> bool:
    """Start the resident-set high-water mark over from the current size (Linux); False where
    the OS cannot, and the peak then covers the process's whole life."""
    try:
        _CLEAR_REFS.write_text("5")  # "5": reset the peak RSS (Linux 4.0+)
    except OSError:
        return False
    return True


def _status_mb(field: str) -> float | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def rss_mb() -> float | None:
    """The resident set now in MiB (Linux; None elsewhere)."""
    return _status_mb("VmRSS:")


def peak_rss_mb() -> float | None:
    """The resident-set high-water mark in MiB: VmHWM on Linux, else ru_maxrss."""
    peak = _status_mb("VmHWM:")
    if peak is not None:
        return peak
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, else kB


class PeakRss:
    """The peak resident memory of a block: `with PeakRss() as peak: ...; peak.mb, peak.scope`.

    scope is "trial" when the mark could be reset at the start, else "process" (the peak since
    the process started, which may be an earlier trial's). The peak includes what was resident
    before (the interpreter, torch, loaded data); `added_rss_mb` is the block's own growth.
    """

    def __init__(self) -> None:
        self.mb: float | None = None
        self.start_mb: float | None = None
        self.scope = "process"

    def __enter__(self) -> PeakRss:
        self.scope = "trial" if reset_peak_rss() else "process"
        self.start_mb = rss_mb()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = peak_rss_mb()

    def to_dict(self) -> MemoryDoc:
        """The record's `memory` entry: the peak, and what the block added to the start."""
        grew = (self.mb - self.start_mb if self.mb is not None and self.start_mb is not None
                and self.scope == "trial" else None)
        return {"peak_rss_mb": self.mb, "start_rss_mb": self.start_mb, "added_rss_mb": grew,
                "scope": self.scope}
