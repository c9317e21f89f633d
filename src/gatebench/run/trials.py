"""The one trial loop: run the specs not yet stored, write or drop weights, tag, store, report.

compare's studies, the equal-budget tuning search and the importance design all run their
trials through `TrialLoop`; they differ only in whether weights are kept and how a record is
tagged before it is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gatebench.fileio import write_atomic
from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor
from gatebench.run.progress import StudyProgress
from gatebench.store import ResultStore

Tag = Callable[[TrialRecord], TrialRecord]


def checkpoint_path(out_dir: Path, spec_id: str) -> Path:
    """Where a trial's best-validation weights live in the study folder."""
    return out_dir / "checkpoints" / f"{spec_id}.pt"


def save_checkpoint(out_dir: Path, spec_id: str, blob: bytes | None) -> str | None:
    """Write a trial's checkpoint bytes; returns the path relative to the study folder."""
    if blob is None:
        return None
    path = checkpoint_path(out_dir, spec_id)
    write_atomic(path, blob)  # a crash leaves the old file or none, never half of one
    return str(path.relative_to(out_dir))


def _untagged(record: TrialRecord) -> TrialRecord:
    return record


@dataclass
class TrialLoop:
    """Runs the trials of a list not yet stored, storing each record as it arrives.

    Each stored record carries `study_id` and says whether it shared the machine
    (`concurrent`); with `keep_weights` its checkpoint is written beside the store and its
    path recorded, otherwise the weights are dropped. `tag` adds what the caller needs.
    """

    store: ResultStore
    executor: Executor
    progress: StudyProgress
    out_dir: Path
    study_id: str
    keep_weights: bool = True
    tag: Tag = _untagged

    def stored(self, specs: Sequence[TrialSpec]) -> int:
        """How many of these trials are already stored."""
        return sum(self.store.has(s.spec_id) for s in specs)

    def __call__(self, specs: Sequence[TrialSpec]) -> int:
        """Run the pending ones; returns how many ran."""
        pending = [s for s in specs if not self.store.has(s.spec_id)]
        for record in self.executor.run(pending, cache_dir=self.out_dir,
                                        progress=self.progress):
            record, blob = record.without_checkpoint()
            if self.keep_weights:
                record = record.tagged(
                    checkpoint=save_checkpoint(self.out_dir, record.spec_id, blob))
            record = self.tag(record.tagged(
                study_id=self.study_id,
                concurrent=record.concurrent or self.executor.concurrent))
            self.store.put(record)
            self.progress.trial_end(record)
        return len(pending)


__all__ = ["TrialLoop", "checkpoint_path", "save_checkpoint"]
