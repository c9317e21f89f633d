"""Executors move specs out and records back; they never touch the store or change a result."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path

from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.run.progress import EpochRelay, StudyProgress
from gatebench.run.trial import run_trial


class Executor(ABC):
    """Runs trials and yields their records as each finishes.

    Contract (tests/run/test_executor_contract.py holds every executor to it):
    - `run(specs, ...)` yields exactly one record per spec, in any order, each the record that
      `run_trial(spec)` returns: on CPU with fixed seeds the metrics are identical whatever the
      executor.
    - It never writes the store; the driver stores each record as it arrives, so an interrupted
      study keeps every finished trial and nothing half-done.
    - A user error (GatebenchError) in a trial propagates unchanged to the driver.
    - `concurrent` is True when trials share the machine at once; records then say so, and
      speed claims ignore their timings.
    """

    name: str = "base"
    concurrent: bool = False

    @abstractmethod
    def run(
        self,
        specs: Sequence[TrialSpec],
        *,
        cache_dir: Path | None = None,
        progress: StudyProgress | None = None,
    ) -> Iterator[TrialRecord]:
        """Yield one record per spec as trials finish."""

    def start(self) -> None:  # noqa: B027 - a no-op default, not an abstract method
        """Begin starting workers in the background, so their start-up overlaps the driver's
        own work (loading the data, sizing the models); `run` starts them otherwise."""

    def wait_ready(self) -> None:  # noqa: B027 - a no-op default, not an abstract method
        """Block until workers begun by `start` are idle: a timing pass then has the machine."""

    def close(self) -> None:  # noqa: B027 - a no-op default, not an abstract method
        """Release workers or cluster connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """Trials one after another in this process: the default, and the honest timing path."""

    name = "local"

    def run(
        self,
        specs: Sequence[TrialSpec],
        *,
        cache_dir: Path | None = None,
        progress: StudyProgress | None = None,
    ) -> Iterator[TrialRecord]:
        progress = progress or StudyProgress()
        for spec in specs:
            progress.trial_start(spec)
            yield run_trial(spec, cache_dir=cache_dir, callbacks=[EpochRelay(spec, progress)])
