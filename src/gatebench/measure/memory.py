"""Peak resident memory of the work in this process: a high-water mark that can start over."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

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


def peak_rss_mb() -> float | None:
    """The resident-set high-water mark in MiB: VmHWM on Linux, else ru_maxrss."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, else kB


class PeakRss:
    """The peak resident memory of a block: `with PeakRss() as peak: ...; peak.mb, peak.scope`.

    scope is "trial" when the mark could be reset at the start, else "process" (the peak since
    the process started, which may be an earlier trial's).
    """

    def __init__(self) -> None:
        self.mb: float | None = None
        self.scope = "process"

    def __enter__(self) -> PeakRss:
        self.scope = "trial" if reset_peak_rss() else "process"
        return self

    def __exit__(self, *exc: object) -> None:
        self.mb = peak_rss_mb()

    def to_dict(self) -> dict[str, object]:
        """The record's `memory` entry."""
        return {"peak_rss_mb": self.mb, "scope": self.scope}
