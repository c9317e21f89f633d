"""`gatebench compare`: a fair GRU-vs-LSTM bake-off on a file or a reference dataset."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from gatebench.analysis.decision import DEFAULT_PRIORITY, check_priority
from gatebench.api import (
    DEFAULT_MAX_SEEDS,
    DEFAULT_TIME_BUDGET_S,
    Study,
    check_seeding,
    compare,
    study_dir,
)
from gatebench.cli import options as opt
from gatebench.cli.display import RichProgress, plan_text, render_summary, render_tuning
from gatebench.cli.execution import (
    ADDRESS,
    COMPARE_EXECUTOR,
    CPUS_PER_TRIAL,
    GPUS_PER_TRIAL,
    WORKERS,
    build_executor,
)
from gatebench.cli.flags import floored_flags_set
from gatebench.cli.lists import name_list
from gatebench.cli.main import app
from gatebench.cli.mlflow import MLFLOW, TRACKING_URI, describe, start_tracking
from gatebench.errors import SpecError
from gatebench.protocol import DEFAULT_CELLS, parse_arms
from gatebench.tracking import TrackingResult

MODEL = opt.MODEL
OUTPUT = "Output"
TUNING = "Equal-budget tuning"


def seed_count(text: str) -> int | str:
    """`--seeds`: a positive number of pairs, or "auto"."""
    value = text.strip().lower()
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise SpecError(f"--seeds takes a number of seed pairs or 'auto', got {text!r}") from None


CELLS = typer.Option(",".join(DEFAULT_CELLS), "--cells", help="Cells to compare, "
                     "comma-separated (gru, lstm, mingru, minlstm; two or more: "
                     "pairwise verdicts with Holm and a ranking); a repeated cell "
                     "(lstm,lstm) is an A/A check: arms differing only by seed.",
                     rich_help_panel=MODEL)
ARMS = typer.Option(None, "--arms", help="Labelled arms instead of --cells: "
                    "label=cell[:key=value...], comma-separated (keys: lr, "
                    "weight_decay, dropout, forget_bias, hidden); e.g. "
                    "a=lstm:lr=0.001,b=lstm:lr=0.004.", rich_help_panel=MODEL)
REFERENCE = typer.Option(None, "--reference", help="With three arms or more: "
                         "compare each arm against this one only (its label), not "
                         "every pair.", rich_help_panel=MODEL, show_default=False)
SEEDS = typer.Option(None, "--seeds", help="Seed pairs (pair k of every arm shares "
                     "the data split and batch order; each arm has its own "
                     "initialisation stream), or 'auto': add pairs until the verdict "
                     "is decided or the budget is spent (default: auto; 3 fixed pairs "
                     "with more than two arms).", show_default=False,
                     rich_help_panel=MODEL)
MAX_SEEDS = typer.Option(DEFAULT_MAX_SEEDS, "--max-seeds", help="With --seeds auto: "
                         "the most seed pairs to run (a rerun with a larger one "
                         "continues the same study).", rich_help_panel=MODEL)
TIME_BUDGET = typer.Option(DEFAULT_TIME_BUDGET_S, "--time-budget", help="With "
                           "--seeds auto: seconds this run may spend on pairs and "
                           "health remedies; it stops adding pairs when the next "
                           "would not fit.", rich_help_panel=MODEL)
PRIORITY = typer.Option(DEFAULT_PRIORITY, "--priority", help="What decides the pick "
                        "when accuracy does not: quality (then training time), "
                        "training or latency.", rich_help_panel=OUTPUT)
MATCH = typer.Option("params", "--match", help="params: solve each hidden size to "
                     "the same parameter budget (within 1%); hidden: one hidden size.",
                     rich_help_panel=MODEL)
PARAM_BUDGET = typer.Option(None, "--param-budget", help="Explicit parameter budget for the "
                            "recurrent layers and head (formerly --budget).",
                            rich_help_panel=MODEL, show_default=False)
LAYERS = typer.Option(1, "--layers", rich_help_panel=MODEL)
DROPOUT = typer.Option(0.0, "--dropout", rich_help_panel=MODEL)
BIDIRECTIONAL = typer.Option(False, "--bidirectional", rich_help_panel=MODEL)
EMBED_DIM = typer.Option(128, "--embed-dim", help="text: embedding width.",
                         rich_help_panel=MODEL)
FORGET_BIAS = typer.Option(1.0, "--forget-bias", help="LSTM forget-gate bias at "
                           "init (Jozefowicz et al. 2015); 0 for PyTorch's default.",
                           rich_help_panel=MODEL)
MARGIN = typer.Option(None, "--margin", help="Equivalence margin: accuracy points, "
                      "or % lower error for error metrics (default: 10% of the "
                      "arms' skill over the trivial baseline).",
                      rich_help_panel=MODEL)
CLIP = typer.Option(1.0, "--clip", help="Gradient-norm clipping (0: off).",
                    rich_help_panel=opt.TRAIN)
OUT = typer.Option(None, "--out", help="Study folder (results.sqlite, summary.json, "
                   "report) (default: runs/<data name>).", rich_help_panel=OUTPUT)
FRESH = typer.Option(False, "--fresh", help="Discard this study's stored trials and "
                     "start over (default: resume).", rich_help_panel=OUTPUT)
LATENCY = typer.Option(True, "--latency/--no-latency", help="Time the trained "
                       "models' inference (batch 1; eager, TorchScript, ONNX "
                       "Runtime) for the summary.", rich_help_panel=OUTPUT)
JSON_OUT = typer.Option(False, "--json", help="Print the summary as JSON on stdout "
                        "and nothing else.", rich_help_panel=OUTPUT)
TUNE = typer.Option(None, "--tune", help="Tune every arm first, with the same "
                    "search space, sampler and trials: lr, hidden, dropout, "
                    "weight_decay, comma-separated, each optionally =low:high "
                    "(e.g. lr=1e-4:1e-2). Selected on the validation split only.",
                    rich_help_panel=TUNING, show_default=False)
TRIALS = typer.Option(20, "--trials", help="Search trials per arm with --tune (the "
                      "first is the arm's default configuration).",
                      rich_help_panel=TUNING)


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    data: Path = opt.DATA_ARG,
    dataset: str = opt.DATASET,
    task: str = opt.TASK,
    text_col: str = opt.TEXT_COL,
    label_col: str = opt.LABEL_COL,
    split_col: str = opt.SPLIT_COL,
    max_len: int = opt.MAX_LEN,
    target_col: str = opt.TARGET_COL,
    time_col: str = opt.TIME_COL,
    id_col: str = opt.ID_COL,
    lookback: int = opt.LOOKBACK,
    horizon: int = opt.HORIZON,
    predict: str = opt.PREDICT,
    features: str = opt.FEATURES,
    seq_len: int = opt.SEQ_LEN,
    cells: str = CELLS,
    arms: str = ARMS,
    reference: str = REFERENCE,
    seeds: str = SEEDS,
    max_pairs: int = MAX_SEEDS,
    time_budget: float = TIME_BUDGET,
    priority: str = PRIORITY,
    match: str = MATCH,
    hidden: int = opt.HIDDEN,
    param_budget: int = PARAM_BUDGET,
    budget: int = opt.old_name("--budget"),
    layers: int = LAYERS,
    dropout: float = DROPOUT,
    bidirectional: bool = BIDIRECTIONAL,
    embed_dim: int = EMBED_DIM,
    forget_bias: float = FORGET_BIAS,
    margin: float = MARGIN,
    lr: float = opt.LR,
    batch_size: int = opt.BATCH_SIZE,
    max_epochs: int = opt.MAX_EPOCHS,
    patience: int = opt.PATIENCE,
    clip: float = CLIP,
    threads: int = opt.THREADS,
    device: str = opt.DEVICE,
    out: Path = OUT,
    fresh: bool = FRESH,
    latency: bool = LATENCY,
    as_json: bool = JSON_OUT,
    tune: str = TUNE,
    trials: int = TRIALS,
    executor: str = COMPARE_EXECUTOR,
    workers: int = WORKERS,
    address: str = ADDRESS,
    cpus_per_trial: float = CPUS_PER_TRIAL,
    gpus_per_trial: float = GPUS_PER_TRIAL,
    mlflow: bool = MLFLOW,
    tracking_uri: str = TRACKING_URI,
) -> None:
    """Run a fair GRU-vs-LSTM bake-off and print a verdict with confidence intervals."""
    priority, param_budget, seeds_value = _checked_flags(priority, param_budget, budget, seeds,
                                                         max_pairs, time_budget)
    tracker = start_tracking(mlflow, tracking_uri, study_dir(data, dataset, out)
                             if (data is None) != (dataset is None) else None)
    progress = RichProgress(Console(stderr=True), "" if as_json else plan_text(
        seeds_value, max_pairs, time_budget, priority))
    with build_executor(executor, workers, address, cpus_per_trial,
                        gpus_per_trial) as runner, progress:
        study = compare(
            data, dataset=dataset, task=task, out=out, fresh=fresh, executor=runner,
            progress=tracker.progress(progress) if tracker else progress, latency=latency,
            task_options=opt.task_options(
                text_col=text_col, label_col=label_col, split_col=split_col, max_len=max_len,
                target_col=target_col, time_col=time_col, id_col=id_col, lookback=lookback,
                horizon=horizon, predict=predict, features=features, seq_len=seq_len),
            cells=name_list(cells), arms=parse_arms(arms) if arms else (), seeds=seeds_value,
            max_pairs=max_pairs, time_budget=time_budget, match=match, hidden=hidden,
            budget=param_budget, layers=layers, dropout=dropout, bidirectional=bidirectional,
            embed_dim=embed_dim, forget_bias=forget_bias, reference=reference, lr=lr,
            batch_size=batch_size, max_epochs=max_epochs, patience=patience, clip_norm=clip,
            threads=threads, device=device, margin=margin, explicit=floored_flags_set(ctx),
            tune=tune, trials=trials, priority=priority,
        )
    _print_study(study, tracker.finish() if tracker else None, as_json)


def _checked_flags(priority: str, param_budget: int | None, budget: int | None,
                   seeds: str | None, max_pairs: int, time_budget: float
                   ) -> tuple[str, int | None, int | None]:
    """The flags checked before anything is read or written: the priority, the parameter
    budget (under its old name too) and the seeds (None: auto)."""
    priority = check_priority(priority)
    param_budget = opt.renamed(param_budget, budget, new="--param-budget", old="--budget",
                               default=None)
    check_seeding(max_pairs, time_budget)
    return priority, param_budget, None if seeds is None else seed_count(seeds)


def _print_study(study: Study, tracked: TrackingResult | None, as_json: bool) -> None:
    """The summary on stdout: JSON only, or the verdict, the pick and where the files are."""
    if as_json:
        typer.echo(study.to_json())
        return
    console = Console()
    render_summary(study.summary_data, console)
    render_tuning(study.summary_data, console)
    # soft_wrap: paths stay whole on one line, so they can be copied (and clicked)
    console.print(f"Study folder: {study.out_dir} (results.sqlite, summary.json); "
                  f"report: {study.out_dir / 'report.html'}", soft_wrap=True)
    if tracked:
        console.print(describe(tracked), soft_wrap=True)
