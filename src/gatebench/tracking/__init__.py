"""Experiment tracking: a study folder's runs logged to MLflow, once finished or as they run.

`log_folder(dir)` logs (or updates) a finished compare, suite or importance folder;
`LiveTracking` logs each trial as it is stored and the study at its end. MLflow is imported in
tracking.sink only, and only when something is logged (`pip install 'gatebench[mlflow]'`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from gatebench.protocol.record import TrialRecord
from gatebench.run.progress import RelayProgress, StudyProgress
from gatebench.store import open_store
from gatebench.tracking.content import compare_parent, folder_runs, trial_run
from gatebench.tracking.sink import MlflowSink, TrackingError, check_uri, default_uri

log = logging.getLogger("gatebench")

DEFAULT_EXPERIMENT = "gatebench"


@dataclass
class TrackingResult:
    """What one logging did: where to, which folder kind, and the runs it touched."""

    uri: str
    experiment: str
    kind: str
    parents: int
    children: dict[str, int] = field(default_factory=dict)


def connect(out_dir: str | Path, uri: str | None = None,
            experiment: str | None = None) -> MlflowSink:
    """A sink for `out_dir`'s runs, the URI checked (a TrackingError if it does not answer);
    nothing is written until something is logged. Without a URI: the folder's own store."""
    uri = uri or default_uri(out_dir)
    check_uri(uri)
    return MlflowSink(uri, experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME")
                      or DEFAULT_EXPERIMENT, artifact_dir=_artifact_dir(uri))


def _artifact_dir(uri: str) -> Path | None:
    # A local store keeps its files beside it (MLflow would use ./mlruns of the working folder).
    if uri.startswith("sqlite:///"):
        return Path(uri.removeprefix("sqlite:///")).parent / "mlartifacts"
    return None


def log_folder(out_dir: str | Path, uri: str | None = None, experiment: str | None = None,
               sink: MlflowSink | None = None) -> TrackingResult:
    """Log a finished study folder; a second call updates the same runs and adds none."""
    kind, parents = folder_runs(out_dir)  # a folder that is no study fails before connecting
    sink = sink or connect(out_dir, uri, experiment)
    counts: dict[str, int] = {}
    for parent in parents:
        for outcome, n in sink.log_parent(parent).items():
            counts[outcome] = counts.get(outcome, 0) + n
    return TrackingResult(sink.uri, sink.experiment, kind, len(parents), counts)


class LiveTracking(RelayProgress):
    """A StudyProgress that logs each stored trial as a child run, then passes every event on.

    A tracker failing mid-study warns once and stops live logging: the study itself goes on,
    and `log_folder` at the end (or `gatebench mlflow DIR` later) logs what was missed.
    """

    def __init__(self, inner: StudyProgress, out_dir: str | Path, sink: MlflowSink) -> None:
        super().__init__(inner)
        self.out_dir, self.sink = Path(out_dir), sink
        self.parents: dict[str, str] = {}  # study id -> parent key
        self.failed = False

    def trial_end(self, record: TrialRecord) -> None:
        """Pass the event on, then log the trial under its study's parent run."""
        self.inner.trial_end(record)
        if self.failed:
            return
        try:
            parent = self._parent(record.study_id or "compare")
            if parent is not None:
                self.sink.log_child(parent, trial_run(record, parent))
        except TrackingError as exc:
            self.failed = True
            log.warning("%s; the study goes on, and is logged again at its end", exc)

    def _parent(self, study_id: str) -> str | None:
        if study_id not in self.parents:
            with open_store(self.out_dir, create=False) as store:
                study = next((s for s in store.studies() if s["study_id"] == study_id), None)
            if study is None or study["kind"] != "compare":
                return None  # suite and importance trials are logged with their folder
            parent = compare_parent(self.out_dir, study, None)
            self.sink.upsert(parent)
            self.parents[study_id] = parent.key
        return self.parents[study_id]


__all__ = ["DEFAULT_EXPERIMENT", "LiveTracking", "TrackingError", "TrackingResult", "connect",
           "log_folder"]
