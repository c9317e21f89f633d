"""`gatebench mlflow`: log a finished study folder to MLflow; and compare's --mlflow options."""

from __future__ import annotations

from pathlib import Path

import typer

from gatebench.cli.main import app
from gatebench.run import StudyProgress
from gatebench.tracking import LiveTracking, TrackingError, TrackingResult, connect, log_folder

TRACKING = "Tracking"

MLFLOW = typer.Option(False, "--mlflow", help="Log the study to MLflow as it runs: a parent "
                      "run, a child run per trial (default store: STUDY/mlflow.db).",
                      rich_help_panel=TRACKING)
TRACKING_URI = typer.Option(None, "--tracking-uri", help="The MLflow server (http://HOST:PORT) "
                            "or store to log to; implies --mlflow (default: the study "
                            "folder's mlflow.db).", rich_help_panel=TRACKING, show_default=False)


class Tracker:
    """compare's live tracking: connected (and the URI checked) before the study starts."""

    def __init__(self, out_dir: Path, uri: str | None) -> None:
        self.out_dir, self.uri = out_dir, uri
        self.sink = connect(out_dir, uri)

    def progress(self, inner: StudyProgress) -> StudyProgress:
        """`inner` with each stored trial logged as it arrives."""
        return LiveTracking(inner, self.out_dir, self.sink)

    def finish(self) -> TrackingResult:
        """Log the finished study (verdict, summary, report; any trial live logging missed)."""
        try:
            return log_folder(self.out_dir, sink=self.sink)
        except TrackingError as exc:
            raise TrackingError(f"{exc}; the study is saved: log it later with gatebench mlflow "
                                f"{self.out_dir}") from None


def start_tracking(enabled: bool, uri: str | None, out_dir: Path | None) -> Tracker | None:
    """A Tracker when --mlflow or --tracking-uri was given (and the study folder is known)."""
    if not (enabled or uri) or out_dir is None:
        return None
    return Tracker(out_dir, uri)


def describe(result: TrackingResult) -> str:
    """One line saying where the runs went and what changed."""
    counts = result.children
    changed = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing new"
    return (f"MLflow: {result.parents} parent run(s) and their trials in experiment "
            f"{result.experiment!r} at {result.uri} (trials: {changed})")


@app.command("mlflow")
def mlflow_command(
    study_dir: Path = typer.Argument(..., help="A folder written by gatebench compare, suite "
                                     "or importance.", show_default=False),
    tracking_uri: str = typer.Option(None, "--tracking-uri", help="The MLflow server "
                                     "(http://HOST:PORT) or store (default: STUDY_DIR/"
                                     "mlflow.db).", show_default=False),
    experiment: str = typer.Option(None, "--experiment", help="MLflow experiment "
                                   "(default: $MLFLOW_EXPERIMENT_NAME, else gatebench).",
                                   show_default=False),
) -> None:
    """Log a finished study to MLflow; logging it again updates the same runs, adding none."""
    result = log_folder(study_dir, tracking_uri, experiment)
    typer.echo(describe(result))
