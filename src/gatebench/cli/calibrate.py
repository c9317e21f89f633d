"""`gatebench calibrate`: how often each verdict rule is wrong, on simulated studies."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from gatebench.analysis.calibration import (
    DEFAULT_REPS,
    TABLE_COLUMNS,
    calibration_report,
    markdown_table,
    notes,
    table_cells,
)
from gatebench.cli.main import app


@app.command("calibrate")
def calibrate_command(
    reps: int = typer.Option(DEFAULT_REPS, "--reps", help="Simulated studies per scenario."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed, the same table."),
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the README's Markdown table."),
) -> None:
    """Simulate every decision rule: false winners under the null, power, pairs used."""
    report = calibration_report(reps, seed)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    if markdown:
        typer.echo(markdown_table(report))
        return
    table = Table(title="gatebench calibrate: how often the verdicts are wrong")
    for column in TABLE_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in report["rows"]:
        table.add_row(*table_cells(row, interval="\n"))
    console = Console()
    console.print(table)
    for note in notes(report):
        console.print(note, highlight=False)
