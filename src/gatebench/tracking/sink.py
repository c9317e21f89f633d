"""MLflow, the one place it is imported: check a tracking URI answers, then create or update runs.

Runs are found by their `gatebench.key` tag: a parent is created once and updated after; a
child whose stored trial is unchanged is left alone, one whose trial was rerun (`--fresh`) is
replaced, and one whose trial is gone is deleted. So logging a study twice adds no runs.
"""

from __future__ import annotations

import logging
import os
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from gatebench.errors import GatebenchError, MissingDependencyError, require
from gatebench.tracking.content import KEY_TAG, VERSION_TAG, ParentContent, RunContent

COMPLETE_TAG = "gatebench.complete"
PARENT_TAG = "mlflow.parentRunId"  # MLflow's own tag: the UI nests a child under its parent
PROBE_TIMEOUT_S = 5.0
BATCH, PARAMS = 900, 100  # MLflow takes at most 1,000 metrics and 100 params a log_batch call


class TrackingError(GatebenchError):
    """The tracking server or store cannot be reached or refuses the runs."""


def default_uri(out_dir: str | Path) -> str:
    """The study folder's own MLflow store (SQLite; MLflow 3 retired the plain mlruns/ files)."""
    return f"sqlite:///{(Path(out_dir) / 'mlflow.db').resolve()}"


def check_uri(uri: str) -> None:
    """Raise TrackingError unless `uri` answers: a server replies, or a local store's folder can
    be written. Checked before anything is logged, so a bad URI leaves nothing behind."""
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        _probe_server(uri.rstrip("/"))
    elif parsed.scheme in ("", "file"):
        raise TrackingError(f"tracking URI {uri} is a plain folder, MLflow's retired file "
                            f"store; give sqlite:///{Path(parsed.path or uri).resolve()}/"
                            "mlflow.db or a server's http:// URI")
    elif parsed.scheme == "sqlite":
        folder = Path(uri.split(":///", 1)[-1]).parent
        if not os.access(_existing(folder), os.W_OK):
            raise TrackingError(f"tracking URI {uri}: cannot write to {folder}; give a folder "
                                "you may write to, or a server's http:// URI")


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _probe_server(uri: str) -> None:
    url = f"{uri}/api/2.0/mlflow/experiments/search?max_results=1"
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S):
            return
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):  # it answers; MLflow's own credentials variables apply
            return
        raise TrackingError(f"tracking URI {uri} answers HTTP {exc.code} where an MLflow "
                            "server answers; check the URI") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrackingError(f"tracking URI {uri} does not answer ({reason}); start the server "
                            "(mlflow server) or leave the URI out to log into the study "
                            "folder") from None


class MlflowSink:
    """Creates or updates gatebench's runs in one MLflow experiment."""

    def __init__(self, uri: str, experiment: str, artifact_dir: Path | None = None) -> None:
        # Unless the user says otherwise: no usage telemetry (its thread edits os.environ while
        # requests read it, a race that failed a call here) and no "View run" lines on stdout.
        for name in ("MLFLOW_DISABLE_TELEMETRY", "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"):
            os.environ.setdefault(name, "true")
        try:
            require("mlflow", extra="mlflow")
        except MissingDependencyError:
            raise MissingDependencyError(
                "MLflow tracking needs the mlflow client: pip install 'gatebench[mlflow]'"
            ) from None
        logging.getLogger("mlflow").setLevel(logging.WARNING)  # no table-creation chatter
        logging.getLogger("alembic").setLevel(logging.WARNING)
        self.uri, self.experiment, self.artifact_dir = uri, experiment, artifact_dir
        self._client: Any = None
        self._experiment_id = ""

    @property
    def client(self) -> Any:
        """The MLflow client, connected on first use (a local store is created only then)."""
        if self._client is None:
            from mlflow import MlflowClient

            self._client = MlflowClient(tracking_uri=self.uri)
        return self._client

    @property
    def experiment_id(self) -> str:
        """The experiment's id, found or created (or restored) on first use."""
        if not self._experiment_id:
            found = self.client.get_experiment_by_name(self.experiment)
            if found is None:
                location = self.artifact_dir.resolve().as_uri() if self.artifact_dir else None
                self._experiment_id = self.client.create_experiment(self.experiment,
                                                                    artifact_location=location)
            else:
                if found.lifecycle_stage == "deleted":
                    self.client.restore_experiment(found.experiment_id)
                self._experiment_id = found.experiment_id
        return self._experiment_id

    def log_parent(self, parent: ParentContent) -> dict[str, int]:
        """Create or update the parent and its children; children created/kept/replaced/removed."""
        return _call(self.uri, self._log_parent, parent)

    def _log_parent(self, parent: ParentContent) -> dict[str, int]:
        run_id = self._upsert(parent.run)
        counts = {"created": 0, "kept": 0, "replaced": 0, "removed": 0}
        existing = {r.data.tags.get(KEY_TAG): r for r in self._children(run_id)}
        for child in parent.children:
            outcome = self._child(run_id, child, existing.pop(child.key, None))
            counts[outcome] += 1
        for stale in existing.values():  # a trial no longer in the study (deleted, rerun)
            self.client.delete_run(stale.info.run_id)
            counts["removed"] += 1
        return counts

    def upsert(self, content: RunContent) -> str:
        """The (parent) run with this key, created if missing, its content logged; its id."""
        return _call(self.uri, self._upsert, content)

    def _upsert(self, content: RunContent, parent_id: str | None = None) -> str:
        found = self._find(content.key)
        if found is None:
            run_id = self._create(content, parent_id)
            self._write(run_id, content)
        else:
            run_id = found.info.run_id
            self._write(run_id, content, found.data.params, found.data.metrics)
        return run_id

    def log_child(self, parent_key: str, child: RunContent) -> str:
        """Log one trial under the parent with `parent_key` (which must exist)."""
        def log() -> str:
            parent = self._find(parent_key)
            if parent is None:
                raise TrackingError(f"no parent run with {KEY_TAG} {parent_key}")
            self._child(parent.info.run_id, child, self._find(child.key))
            return parent.info.run_id
        return _call(self.uri, log)

    def _child(self, parent_id: str, child: RunContent, found: Any) -> str:
        if found is not None:
            tags = found.data.tags
            if tags.get(COMPLETE_TAG) == "true" and tags.get(VERSION_TAG) == child.version:
                return "kept"
            self.client.delete_run(found.info.run_id)  # half-logged, or an older trial
        run_id = self._create(child, parent_id)
        self._write(run_id, child)
        self.client.set_tag(run_id, COMPLETE_TAG, "true")
        return "created" if found is None else "replaced"

    def _find(self, key: str) -> Any:
        runs = self.client.search_runs([self.experiment_id],
                                       filter_string=f"tags.`{KEY_TAG}` = '{key}'",
                                       max_results=1)
        return runs[0] if runs else None

    def _children(self, parent_id: str) -> list[Any]:
        found, token = [], None
        while True:
            page = self.client.search_runs([self.experiment_id],
                                           filter_string=f"tags.`{PARENT_TAG}` = '{parent_id}'",
                                           max_results=1000, page_token=token)
            found.extend(page)
            token = page.token
            if not token:
                return found

    def _create(self, content: RunContent, parent_id: str | None) -> str:
        tags = {KEY_TAG: content.key, VERSION_TAG: content.version}
        if parent_id is not None:
            tags[PARENT_TAG] = parent_id
        run = self.client.create_run(self.experiment_id, tags=tags, run_name=content.name)
        return run.info.run_id

    def _write(self, run_id: str, content: RunContent, params_now: dict[str, str] | None = None,
               metrics_now: dict[str, float] | None = None) -> None:
        """Log the content; on an existing run, only parameters it lacks and changed metrics."""
        from mlflow.entities import Metric, Param, RunTag

        stamp, params_now, metrics_now = _now_ms(), params_now or {}, metrics_now or {}
        # MLflow keeps a parameter once set: a changed one (more seeds asked) stays as first set.
        params = [Param(safe(k), v) for k, v in content.params.items()
                  if safe(k) not in params_now]
        tags = [RunTag(k, v) for k, v in content.tags.items()]
        metrics = [Metric(safe(k), v, stamp, 0) for k, v in content.metrics.items()
                   if metrics_now.get(safe(k)) != v]
        metrics += [Metric(safe(k), v, stamp, step) for k, points in content.curves.items()
                    for step, v in points]
        chunks = max(-(-len(metrics) // BATCH), -(-len(params) // PARAMS), 1)
        for i in range(chunks):  # tags (a dozen) ride with the first chunk
            self.client.log_batch(run_id, metrics=metrics[i * BATCH:(i + 1) * BATCH],
                                  params=params[i * PARAMS:(i + 1) * PARAMS],
                                  tags=tags if i == 0 else [])
        for path in content.artifacts:
            self.client.log_artifact(run_id, str(path))
        self.client.set_terminated(run_id)


def safe(name: str) -> str:
    """A metric or parameter name MLflow accepts (letters, digits and _ - . : / and spaces)."""
    return re.sub(r"[^\w\-. :/]", "_", name)


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def _call(uri: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run an MLflow call; its failures become one TrackingError line."""
    try:
        return fn(*args, **kwargs)
    except GatebenchError:
        raise
    except Exception as exc:  # MLflow raises its own, requests' and SQLAlchemy's errors
        text = str(exc).strip().splitlines()
        raise TrackingError(f"MLflow at {uri}: {text[0] if text else type(exc).__name__}") \
            from None
