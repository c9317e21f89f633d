"""`gatebench tasks`: list the reference tasks and the user-file families."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from gatebench.cli.main import app
from gatebench.tasks.registry import all_tasks


@app.command("tasks")
def tasks_command(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List every reference dataset and user-file task with family, size, length and metric."""
    entries = all_tasks()
    if as_json:
        rows = [{"name": e.name, "family": e.family, "reference": e.reference,
                 "summary": e.summary} for e in entries]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="gatebench tasks")
    for column in ("name", "family", "kind", "data"):
        table.add_column(column)
    for e in entries:
        kind = "reference (offline)" if e.reference else "your file"
        table.add_row(e.name, e.family, kind, e.summary)
    Console().print(table)
