"""Progress hooks for a running study; the base does nothing, the CLI draws a rich display."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

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


class RelayProgress(StudyProgress):
    """Passes every hook on to `inner` (a display); subclasses extend the hooks they watch."""

    def __init__(self, inner: StudyProgress) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        # What the display has beyond StudyProgress (RichProgress.finish, ...) passes through.
        return getattr(self.__dict__["inner"], name)


def _relay(name: str) -> Any:
    def hook(self: RelayProgress, *args: Any, **kwargs: Any) -> None:
        getattr(self.inner, name)(*args, **kwargs)

    hook.__name__ = name
    hook.__doc__ = getattr(StudyProgress, name).__doc__
    return hook


for _hook in [n for n, v in vars(StudyProgress).items() if callable(v) and not n.startswith("_")]:
    setattr(RelayProgress, _hook, _relay(_hook))


class StageClock(RelayProgress):
    """Notes where a run's wall time goes: set-up, then each phase by the name before its
    colon (the timing pass, inference latency), the quality trials between study_start and
    study_end (summed over a study's reruns), and "other" for whatever follows them."""

    def __init__(self, inner: StudyProgress) -> None:
        super().__init__(inner)
        self.seconds: dict[str, float] = {}
        self.stage, self.since = "set-up", time.monotonic()

    def enter(self, stage: str) -> None:
        """The time since the last stage began counts to it; `stage` begins now."""
        now = time.monotonic()
        self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + now - self.since
        self.stage, self.since = stage, now

    def phase(self, name: str, total: int) -> None:
        self.enter(name.split(":")[0])
        self.inner.phase(name, total)

    def study_start(self, total: int, done: int, metric: str = "metric") -> None:
        self.enter("trials")
        self.inner.study_start(total, done, metric)

    def study_end(self) -> None:
        self.inner.study_end()
        self.enter("other")

    def stop(self) -> dict[str, float]:
        """Wall seconds per stage up to now, in the order the stages first began."""
        self.enter("other")
        return dict(self.seconds)


class EpochRelay(Callback):
    """Forwards a fit's epochs to a StudyProgress."""

    def __init__(self, spec: TrialSpec, progress: StudyProgress) -> None:
        self.spec, self.progress, self.max_epochs = spec, progress, spec.train.max_epochs

    def on_epoch_end(self, record: EpochRecord, model: torch.nn.Module) -> None:
        self.progress.epoch_end(self.spec, record, self.max_epochs)
