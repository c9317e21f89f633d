"""`gatebench suite`: every GRU-vs-LSTM rule of thumb, tested, with a verdict and its numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gatebench.claims.plan import plan_lines, plan_suite
from gatebench.claims.table import claims_rows
from gatebench.cli.display import log_trial
from gatebench.cli.execution import (
    ADDRESS,
    CPUS_PER_TRIAL,
    EXECUTOR,
    GPUS_PER_TRIAL,
    WORKERS,
    build_executor,
)
from gatebench.cli.lists import name_list
from gatebench.cli.main import app
from gatebench.protocol.record import TrialRecord
from gatebench.run import StudyProgress
from gatebench.run.suite import run_plan, with_cost

VERDICT_STYLE = {"supported": "green", "refuted": "red", "mixed": "yellow",
                 "inconclusive": "dim"}


class RichSuiteProgress(StudyProgress):
    """One bar per phase (a study, the timing pass, the latency pass) on stderr."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), console=console)
        self.bar = None

    def phase(self, name: str, total: int) -> None:
        if not self.bars.console.is_terminal:
            self.bars.console.print(f"{name} ({total})", highlight=False)
        if self.bar is None:
            self.bars.start()
        else:
            self.bars.update(self.bar, completed=self.bars.tasks[-1].total)
        self.bar = self.bars.add_task(name, total=total)

    def study_start(self, total: int, done: int, metric: str = "metric") -> None:
        self.bars.update(self.bar, total=total, completed=done)

    def trial_end(self, record: TrialRecord) -> None:
        self.advance()
        log_trial(self.bars, self.bar, record)

    def advance(self) -> None:
        self.bars.advance(self.bar)

    def finish(self) -> None:
        """Stop drawing (after the last phase, on errors and on Ctrl-C)."""
        if self.bars.live.is_started:
            self.bars.stop()


def render_claims(claims: list[dict[str, Any]], console: Console) -> None:
    """The claims table: statement, verdict (coloured), key number and the reason."""
    table = Table(title="gatebench suite: GRU vs LSTM rules of thumb", show_lines=True)
    for column in ("claim", "verdict", "key number", "why"):
        table.add_column(column, overflow="fold")
    for row in claims_rows(claims):
        style = VERDICT_STYLE.get(row["verdict"], "")
        table.add_row(f"[bold]{row['id']}[/bold]: {row['statement']}",
                      f"[{style}]{row['verdict']}[/{style}]" if style else row["verdict"],
                      row["key"], row.get("reason", ""))
    console.print(table)


@app.command("suite")
def suite_command(
    profile: str = typer.Option("quick", "--profile", help="quick: sized for 15 minutes on 2 "
                                "CPU cores; full: sized for a GPU or a Ray cluster. The plan's "
                                "cost is printed first, estimated from the last measured run."),
    claims: str = typer.Option(None, "--claims", help="A subset, comma-separated: speed, "
                               "speed-architecture, inference, short, small-data, convergence, "
                               "long, iteration, cell-vs-rest."),
    out: Path = typer.Option(Path("runs/suite"), "--out", help="Suite folder (results.sqlite, "
                             "claims.json, report)."),
    fresh: bool = typer.Option(False, "--fresh", help="Discard stored results and start over."),
    as_json: bool = typer.Option(False, "--json", help="Print claims.json on stdout and "
                                 "nothing else."),
    show_plan: bool = typer.Option(False, "--plan", help="Print what the profile runs and its "
                                   "cost estimate, and run nothing."),
    executor: str = EXECUTOR,
    workers: int = WORKERS,
    address: str = ADDRESS,
    cpus_per_trial: float = CPUS_PER_TRIAL,
    gpus_per_trial: float = GPUS_PER_TRIAL,
) -> None:
    """Run the rules of thumb as experiments and print a claims table with verdicts."""
    err = Console(stderr=True)
    progress = RichSuiteProgress(err)
    wanted = name_list(claims) if claims else None
    plan = with_cost(plan_suite(profile, wanted), out)
    if show_plan:
        console = Console()
        console.print(f"Profile {plan.profile}: {plan.cost}", highlight=False, soft_wrap=True)
        for line in [*plan_lines(plan), *(f"note: {n}" for n in plan.notes)]:
            console.print(f"  {line}", highlight=False, soft_wrap=True)
        return
    with build_executor(executor, workers, address, cpus_per_trial,
                        gpus_per_trial) as runner:
        err.print(f"Profile {plan.profile}: {plan.cost}", highlight=False, soft_wrap=True)
        for note in plan.notes:
            err.print(f"note: {note}", style="dim", highlight=False, soft_wrap=True)
        try:
            result = run_plan(plan, out, executor=runner, progress=progress, fresh=fresh)
        finally:
            progress.finish()
    if as_json:
        typer.echo(result.to_json())
        return
    console = Console()
    render_claims(result.claims, console)
    console.print(f"Profile {result.plan.profile}: {result.plan.cost}. "
                  f"Suite folder: {result.out_dir} (claims.json, results.sqlite)")
    console.print(f"report: {result.out_dir / 'report.html'}", soft_wrap=True)
