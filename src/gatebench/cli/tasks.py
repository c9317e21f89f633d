"""`gatebench tasks`: list the reference tasks and the user-file families."""

from __future__ import annotations

import json
from typing import TypedDict

import typer
from rich.console import Console
from rich.table import Table

from gatebench.cli.main import app
from gatebench.errors import DataError
from gatebench.protocol import TaskSpec, TrainConfig
from gatebench.protocol.budget import effective_training
from gatebench.tasks.registry import TaskEntry, all_tasks, load_task


class TrainingDefaults(TypedDict):
    """The batch, epochs and patience compare uses on a task, with why any were raised."""

    batch_size: int
    max_epochs: int
    patience: int
    floor_notes: list[str]


class _TaskRowBase(TypedDict):
    name: str
    family: str
    reference: bool
    summary: str
    n_train: int | None
    defaults: TrainingDefaults | None


class TaskRow(_TaskRowBase, total=False):
    """One task as `gatebench tasks --json` lists it (missing: why its data is not installed)."""

    missing: str


def training_defaults(n_train: int) -> TrainingDefaults:
    """What `gatebench compare` will use on `n_train` rows when batch and epochs are not set."""
    train, notes = effective_training(TrainConfig(), n_train)
    return {"batch_size": train.batch_size, "max_epochs": train.max_epochs,
            "patience": train.patience, "floor_notes": notes}


def _row(entry: TaskEntry) -> TaskRow:
    row: TaskRow = {"name": entry.name, "family": entry.family,
                           "reference": entry.reference, "summary": entry.summary,
                           "n_train": None, "defaults": None}
    if entry.reference:  # offline and quick (about 5 s for all of them): the sizes are exact
        try:
            row["n_train"] = len(load_task(TaskSpec.make(entry.name)).train)
        except DataError as exc:  # its data package is not installed: listed, with the fix
            row["missing"] = str(exc)
            return row
        row["defaults"] = training_defaults(row["n_train"])
    return row


@app.command("tasks")
def tasks_command(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List every task: family, data, training rows and the training defaults that apply."""
    rows = [_row(e) for e in all_tasks()]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="gatebench tasks")
    for column in ("name", "family", "kind", "data", "n_train", "batch \u00b7 epochs"):
        table.add_column(column, justify="right" if column == "n_train" else "left")
    for r in rows:
        kind = "reference (offline)" if r["reference"] else "your file"
        d = r["defaults"]
        if d is None:
            defaults = "not installed" if r.get("missing") else "floor for your data"
        else:
            raised = "*" if d["floor_notes"] else ""
            defaults = f"{d['batch_size']} \u00b7 {d['max_epochs']}{raised}"
        n_train = "\u2014" if r["n_train"] is None else f"{r['n_train']:,}"
        table.add_row(r["name"], r["family"], kind, r["summary"], n_train, defaults)
    console = Console()
    console.print(table)
    console.print("batch \u00b7 epochs: what compare uses when --batch-size and --max-epochs "
                  "are not set. *: raised from 64 \u00b7 20 so a trial may take at least the "
                  "floor of optimiser steps (gatebench.protocol.budget); patience grows with "
                  "the epochs.", style="dim")
