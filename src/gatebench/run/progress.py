"""Progress hooks for a running study; the base does nothing, the CLI draws a rich display."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.train import Callback, EpochRecord

if TYPE_CHECKING:  # a pool worker imports this module; the analysis layer loads scipy
    from gatebench.analysis.documents import Look


class StudyProgress:
    """Receives study events; every hook is a no-op so callers override only what they show."""

    def study_start(self, total: int, done: int, metric: str = "metric") -> None:
        """`total` trials, `done` of them already stored (resumed); `metric` is validated on."""

    def grow(self, total: int) -> None:
        """Adaptive seeding added pairs: the study now has `total` trials."""

    def look(self, look: Look) -> None:
        """Adaptive seeding looked at the pairs so far: `look` holds the rule's decision."""

    def trial_start(self, spec: TrialSpec) -> None:
        """A trial begins (in-process executors only)."""

    def epoch_end(self, spec: TrialSpec, record: EpochRecord, max_epochs: int) -> None:
        """A trial finished an epoch (in-process executors only)."""

    def trial_end(self, record: TrialRecord) -> None:
        """A trial's record reached the driver and was stored."""

    def study_end(self) -> None:
        """Every trial is stored."""

    def phase(self, name: str, total: int) -> None:
        """A stage after or between studies begins (timing pass, latency) with `total` units."""

    def advance(self) -> None:
        """One unit of the current phase is done."""


class EpochRelay(Callback):
    """Forwards a fit's epochs to a StudyProgress."""

    def __init__(self, spec: TrialSpec, progress: StudyProgress) -> None:
        self.spec, self.progress, self.max_epochs = spec, progress, spec.train.max_epochs

    def on_epoch_end(self, record: EpochRecord, model: torch.nn.Module) -> None:
        self.progress.epoch_end(self.spec, record, self.max_epochs)
