"""`gatebench calibrate`: how often each verdict rule is wrong, on simulated studies."""

from __future__ import annotations

import json
from pathlib import Path

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
from gatebench.cli import options as opt
from gatebench.cli.display import RichProgress
from gatebench.cli.main import app
from gatebench.run.aa import run_aa_studies


@app.command("calibrate")
def calibrate_command(
    studies: int = typer.Option(DEFAULT_REPS, "--studies", help="Simulated studies per "
                                "scenario (formerly --reps)."),
    reps: int = opt.old_name("--reps"),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed, the same table."),
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the README's Markdown table."),
    dataset: str = typer.Option(None, "--dataset", help="Also run real A/A studies (one cell "
                                "against itself) on this reference dataset and count the "
                                "winners named; a cheap one: italy-power."),
    aa_studies: int = typer.Option(20, "--aa-studies", help="With --dataset: how many A/A "
                                   "studies (formerly --runs)."),
    runs: int = opt.old_name("--runs"),
    cell: str = typer.Option("lstm", "--cell", help="With --dataset: the cell run against "
                             "itself."),
    seeds: int = typer.Option(3, "--seeds", help="With --dataset: seed pairs per A/A study "
                              "(formerly --pairs)."),
    pairs: int = opt.old_name("--pairs"),
    threads: int = typer.Option(0, "--threads", help="With --dataset: intra-op threads (0: all "
                                "cores)."),
    out: Path = typer.Option(None, "--out", help="With --dataset: the study folder "
                             "(default: runs/calibrate-<dataset>)."),
) -> None:
    """Simulate every decision rule: false winners under the null, power, pairs used.

    With --dataset, also run real A/A studies and report the observed false-winner rate."""
    reps = opt.renamed(studies, reps, new="--studies", old="--reps", default=DEFAULT_REPS)
    runs = opt.renamed(aa_studies, runs, new="--aa-studies", old="--runs", default=20)
    pairs = opt.renamed(seeds, pairs, new="--seeds", old="--pairs", default=3)
    observed = None
    if dataset is not None:  # first, so a bad value fails before the simulation runs
        with RichProgress(Console(stderr=True)) as progress:
            observed = run_aa_studies(
                dataset, runs, out or Path("runs") / f"calibrate-{dataset}", cell=cell,
                pairs=pairs, threads=threads, progress=progress)
    report = calibration_report(reps, seed)
    if observed is not None:
        report["observed"] = observed
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
    observed = report.get("observed")
    if observed:
        console.print(observed_text(observed), highlight=False)


def observed_text(o: dict) -> str:
    """The real A/A studies in one sentence: winners named, with the 95% interval."""
    lo, hi = o["ci"]
    return (f"Real A/A studies ({o['cell'].upper()} vs itself on {o['dataset']}, {o['runs']} "
            f"studies of {o['seeds']} seed pairs): a winner was named in {o['winners']} "
            f"({o['rate']:.0%}, 95% CI {lo:.0%}–{hi:.0%}); by the statistics alone, "
            f"before the training-health checks, in {o['rule_winners']} "
            f"({o['rule_rate']:.0%}). Outcomes: "
            + ", ".join(f"{k} {v}" for k, v in o["outcomes"].items()) + ".")
