"""`gatebench advise`: the key questions, answered from measured evidence with citations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table

from gatebench.advisor import Advice, advise, load_evidence, parse_answers
from gatebench.advisor.answers import QUESTIONS, UNKNOWN
from gatebench.advisor.study import study_pick
from gatebench.analysis.decision import check_priority
from gatebench.claims.table import key_number
from gatebench.cli import options as opt
from gatebench.cli.main import app
from gatebench.cli.pick import render_decision
from gatebench.errors import SpecError

QUESTIONS_PANEL = "Your situation (unknown if left out)"
FAVOURS_STYLE = {"GRU": "green", "LSTM": "cyan", "neither": "yellow", "unclear": "dim"}
CONFIDENCE_STYLE = {"high": "green", "medium": "yellow", "low": "red"}


def _ask_missing(raw: dict[str, str | None], console: Console) -> dict[str, str | None]:
    """Prompt (on stderr) for each unanswered question until the answer parses."""
    for name, text in QUESTIONS.items():
        while raw.get(name) is None:
            answer = Prompt.ask(text, default=UNKNOWN, console=console)
            try:
                parse_answers({name: answer})
            except SpecError as exc:
                console.print(f"[red]{exc}[/red]")
                continue
            raw[name] = answer
    return raw


def render_advice(advice: Advice, console: Console) -> None:
    """The recommendation and confidence, then the cited reasons, caveats and settle command."""
    style = CONFIDENCE_STYLE[advice.confidence]
    s = advice.scores
    if advice.first:
        console.print(f"[bold]First:[/bold] {advice.first}", soft_wrap=True, highlight=False)
    console.print(Panel(
        f"[bold]{advice.recommendation}[/bold]\nconfidence: [{style}]{advice.confidence}"
        f"[/{style}]   (evidence weight: GRU {s.get('GRU', 0):.2f}, LSTM {s.get('LSTM', 0):.2f}"
        f", parity {s.get('neither', 0):.2f})", title="gatebench advise", expand=False))
    if advice.contender:
        console.print(f"[bold]Also:[/bold] {advice.contender}", soft_wrap=True,
                      highlight=False)
    table = Table(title="Why: the evidence, and how close it is to you")
    for column in ("#", "evidence", "effect [95% CI]", "measured on", "closeness", "favours"):
        table.add_column(column, overflow="fold")
    for i, r in enumerate(advice.reasons, start=1):
        fav = FAVOURS_STYLE.get(r.favours, "")
        table.add_row(str(i), f"[bold]{r.claim or 'your study'}[/bold] {r.verdict}",
                      key_number(r.effect),
                      " \u00b7 ".join(x for x in (r.task, r.device) if x) or "\u2013",
                      r.closeness.level, f"[{fav}]{r.favours}[/{fav}] {r.weight:.2f}")
    console.print(table)
    for i, r in enumerate(advice.reasons, start=1):
        cited = r.study if r.study else f"{r.source}"
        parts = [f"{r.effect.get('what')}", f"bears on: {r.why}",
                 f"closeness: {r.closeness.text()}", *r.notes, f"source: {cited}"]
        console.print(f"[bold]{i}.[/bold] {r.statement} \u2014 " + "; ".join(parts) + ".",
                      highlight=False)
    for caveat in advice.caveats:
        console.print(f"\u2022 {caveat}", style="dim", highlight=False)
    if advice.settle_command:
        console.print("Settle it on your own data:")
        console.print(f"  {advice.settle_command}", soft_wrap=True, style="bold",
                      highlight=False)


@app.command("advise")
def advise_command(
    seq_len: str = typer.Option(None, "--seq-len", metavar="N", help="Typical sequence length "
                                "(tokens or time steps).", rich_help_panel=QUESTIONS_PANEL),
    train_size: str = typer.Option(None, "--train-size", metavar="N", help="Training examples.",
                                   rich_help_panel=QUESTIONS_PANEL),
    latency_budget_ms: str = typer.Option(None, "--latency-budget-ms", metavar="MS",
                                          help="Latency budget per prediction.",
                                          rich_help_panel=QUESTIONS_PANEL),
    device: str = typer.Option(None, "--device", help="cpu or gpu.",
                               rich_help_panel=QUESTIONS_PANEL),
    runtime: str = typer.Option(None, "--runtime", help="eager, torchscript or onnx.",
                                rich_help_panel=QUESTIONS_PANEL),
    dependency_range: str = typer.Option(None, "--dependency-range", help="short, long or "
                                         "unknown: must the model remember far back?",
                                         rich_help_panel=QUESTIONS_PANEL),
    time_per_run: str = typer.Option(None, "--time-per-run", help="How long one training run "
                                     "may take: fast (<= 1 h), normal (<= 8 h), none (no "
                                     "limit), or minutes (formerly --time-budget).",
                                     rich_help_panel=QUESTIONS_PANEL),
    time_budget: str = opt.old_name("--time-budget"),
    task: str = typer.Option(None, "--task", help="Kind of data, for the settle command: "
                             "text, forecast, sequence or audio.",
                             rich_help_panel=QUESTIONS_PANEL),
    batch_size: str = typer.Option(None, "--batch-size", metavar="N", help="Training batch "
                                   "size (picks the speed evidence for your regime).",
                                   rich_help_panel=QUESTIONS_PANEL),
    hidden: str = typer.Option(None, "--hidden", metavar="N", help="Hidden size of the "
                               "recurrent layer (picks the speed evidence nearest it).",
                               rich_help_panel=QUESTIONS_PANEL),
    evidence: list[Path] = typer.Option(None, "--evidence", metavar="DIR", help="A suite folder "
                                        "(claims.json) or compare folder (summary.json); "
                                        "repeatable; takes precedence over shipped evidence."),
    no_shipped: bool = typer.Option(False, "--no-shipped", help="Use only --evidence, not the "
                                    "evidence shipped with gatebench."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; missing answers "
                                  "are unknown (the default when stdin is not a terminal)."),
    as_json: bool = typer.Option(False, "--json", help="Print the advice as JSON on stdout "
                                 "and nothing else."),
    study: Path = typer.Option(None, "--study", metavar="DIR", help="Answer from your own "
                               "compare study (its pick, scored as compare scores it) instead "
                               "of the shipped evidence."),
    priority: str = typer.Option(None, "--priority", help="With --study: what decides when "
                                 "accuracy does not: quality, training or latency (default: "
                                 "from your answers, else quality)."),
) -> None:
    """Answer the GRU-or-LSTM question for your situation, citing the measured evidence."""
    time_budget = opt.renamed(time_per_run, time_budget, new="--time-per-run",
                              old="--time-budget", default=None)
    raw = {"seq_len": seq_len, "train_size": train_size, "latency_budget_ms": latency_budget_ms,
           "device": device, "runtime": runtime, "dependency_range": dependency_range,
           "time_budget": time_budget, "task": task, "batch_size": batch_size,
           "hidden": hidden}
    answers = parse_answers(raw)  # bad flags fail before any prompt or file read
    if priority is not None:
        priority = check_priority(priority)
    if study is not None:
        pick = study_pick(study, answers, priority).to_dict()
        if as_json:
            typer.echo(json.dumps(pick, indent=2, allow_nan=False))
        else:
            render_decision(pick, Console())
        return
    if not no_input and sys.stdin.isatty():
        answers = parse_answers(_ask_missing(raw, Console(stderr=True)))
    sources = load_evidence(evidence or [], include_shipped=not no_shipped)
    result = advise(answers, sources)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
        return
    render_advice(result, Console())
