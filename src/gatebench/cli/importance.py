"""`gatebench importance`: each factor's share of the test metric's variance, the cell included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from gatebench.analysis.importance import ImportancePart, ImportanceResult
from gatebench.api import importance
from gatebench.cli import options as opt
from gatebench.cli.display import RichProgress
from gatebench.cli.execution import (
    ADDRESS,
    CPUS_PER_TRIAL,
    EXECUTOR,
    GPUS_PER_TRIAL,
    WORKERS,
    build_executor,
)
from gatebench.cli.flags import floored_flags_set
from gatebench.cli.lists import name_list
from gatebench.cli.main import app
from gatebench.report.importance import part_label
from gatebench.run.importance import DEFAULT_BUDGET

DESIGN = "Design"
OUTPUT = "Output"


@app.command("importance")
def importance_command(
    ctx: typer.Context,
    data: Path = opt.DATA_ARG,
    dataset: str = opt.DATASET,
    task: str = opt.TASK,
    text_col: str = opt.TEXT_COL,
    label_col: str = opt.LABEL_COL,
    target_col: str = opt.TARGET_COL,
    time_col: str = opt.TIME_COL,
    id_col: str = opt.ID_COL,
    factors: str = typer.Option(None, "--factors", help="Factors to vary, comma-separated "
                                "(cell, lr, hidden, dropout, weight_decay, max_len, lookback, "
                                "normalise, features); default: cell, lr, hidden, dropout and "
                                "the task family's preprocessing factor. Seed noise is always "
                                "measured.", rich_help_panel=DESIGN, show_default=False),
    cells: str = typer.Option(None, "--cells", help="Levels of the cell factor "
                              "(default: gru,lstm; add mingru,minlstm to weigh the contenders).",
                              rich_help_panel=DESIGN,
                              show_default=False),
    trials: int = typer.Option(DEFAULT_BUDGET, "--trials", help="Trials in all: the largest "
                               "two-level fraction with at least two seeds per configuration "
                               "(formerly --budget).", rich_help_panel=DESIGN),
    budget: int = opt.old_name("--budget"),
    hidden: int = opt.HIDDEN,
    lr: float = opt.LR,
    batch_size: int = opt.BATCH_SIZE,
    max_epochs: int = opt.MAX_EPOCHS,
    patience: int = opt.PATIENCE,
    threads: int = opt.THREADS,
    device: str = opt.DEVICE,
    out: Path = typer.Option(None, "--out", help="Study folder (default: "
                             "runs/importance/<data name>).", rich_help_panel=OUTPUT),
    fresh: bool = typer.Option(False, "--fresh", help="Discard this design's stored trials.",
                               rich_help_panel=OUTPUT),
    as_json: bool = typer.Option(False, "--json", help="Print importance.json on stdout and "
                                 "nothing else.", rich_help_panel=OUTPUT),
    executor: str = EXECUTOR,
    workers: int = WORKERS,
    address: str = ADDRESS,
    cpus_per_trial: float = CPUS_PER_TRIAL,
    gpus_per_trial: float = GPUS_PER_TRIAL,
) -> None:
    """Which matters more, the cell or the learning rate, size, regularisation, preprocessing?"""
    trials = opt.renamed(trials, budget, new="--trials", old="--budget", default=DEFAULT_BUDGET)
    err = Console(stderr=True)
    options = opt.task_options(text_col=text_col, label_col=label_col, target_col=target_col,
                               time_col=time_col, id_col=id_col)
    progress = RichProgress(err)
    with build_executor(executor, workers, address, cpus_per_trial,
                        gpus_per_trial) as runner, progress:
        result = importance(
            data, dataset=dataset, task=task, out=out, fresh=fresh, executor=runner,
            progress=progress, task_options=options,
            factors=name_list(factors) if factors is not None else None,
            cells=name_list(cells) if cells is not None else None, budget=trials,
            hidden=hidden, lr=lr, batch_size=batch_size, max_epochs=max_epochs,
            patience=patience, threads=threads, device=device,
            explicit=floored_flags_set(ctx),
        )
    if as_json:
        typer.echo(json.dumps(result, indent=2, allow_nan=False))
        return
    console = Console()
    console.print(shares_table(result))
    console.print(f"Method: {result['method']}.", soft_wrap=True)
    console.print(f"Study folder: {result['out_dir']} (results.sqlite, importance.json); "
                  f"report: {Path(result['out_dir']) / 'report.html'}", soft_wrap=True)


def _pct(x: Any) -> str:
    return f"{100 * x:.1f}%" if isinstance(x, (int, float)) else "\u2013"


def _ci(ci: Any) -> str:
    if not isinstance(ci, list) or None in ci:
        return ""
    return f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def shares_table(result: ImportanceResult) -> Table:
    """Each factor's share of the metric's and the training time's variance, largest first."""
    task = result["task"]
    design = result["design"]
    table = Table(title=f"{task['name']}: what moves the test {task['metric']} "
                  f"({design['kind']}, {design['trials']} trials)")
    for header in ("factor", "effect (95% CI)", f"{task['metric']} share", "95% CI",
                   "time share", "95% CI"):
        table.add_column(header, justify="left" if header == "factor" else "right")
    time_parts = {p["name"]: p for p in result["time"].get("parts", [])}
    parts = sorted(result["metric"].get("parts", []), key=lambda p: -p["share"])
    for part in parts:
        t = time_parts.get(part["name"], {})
        table.add_row(part_label(part["name"]), _effect(part), _pct(part["share"]),
                      _ci(part["ci"]), _pct(t.get("share")), _ci(t.get("ci")))
    credited = result["metric"].get("credited")
    if credited:
        table.add_row("cell + its interactions", "", _pct(credited["share"]),
                      _ci(credited["ci"]), "", "")
    ranges = "; ".join(f"{f} {'/'.join(map(str, v))}" for f, v in result.get("ranges", {}).items())
    table.caption = (f"effect: second level \u2212 first, in {task['metric']}; shares net of "
                     f"seed noise; they hold for these levels only: {ranges}")
    return table


def _effect(part: ImportancePart) -> str:
    """"+0.035 [−0.0028, +0.072]" (the levels it compares are in the caption)."""
    eff = part.get("effect") or {}
    if eff.get("value") is None:
        return ""
    lo, hi = eff.get("ci") or (None, None)
    ci = f" [{lo:+.2g}, {hi:+.2g}]" if lo is not None and hi is not None else ""
    return f"{eff['value']:+.2g}{ci}".replace("-", "\u2212")
