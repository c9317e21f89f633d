"""`gatebench report`: render a study folder's report.html and report.md from stored results."""

from __future__ import annotations

from pathlib import Path

import typer

from gatebench.cli.main import app
from gatebench.report import build_report


@app.command("report")
def report_command(
    study_dir: Path = typer.Argument(..., help="A study folder (the --out of gatebench "
                                     "compare or suite).", show_default=False),
) -> None:
    """Write report.html (self-contained) and report.md from a study's stored results."""
    html, md = build_report(study_dir)
    typer.echo(f"Report: {html} (and {md.name})")
