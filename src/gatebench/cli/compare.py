"""`gatebench compare`: a fair GRU-vs-LSTM bake-off on a file or a reference dataset."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from gatebench.analysis.decision import DEFAULT_PRIORITY, check_priority
from gatebench.api import (
    DEFAULT_MAX_SEEDS,
    DEFAULT_TIME_BUDGET_S,
    check_seeding,
    compare,
    study_dir,
)
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

DATA = "Data"
MODEL = "Model and fairness"
TRAIN = "Training"
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


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    data: Path = typer.Argument(None, help="Your data file (or folder, for audio).",
                                show_default=False),
    dataset: str = typer.Option(None, "--dataset", help="A reference dataset instead of a file "
                                "(see `gatebench tasks`).", rich_help_panel=DATA),
    task: str = typer.Option("text", "--task", help="How to read DATA: text, forecast, "
                             "sequence or audio.", rich_help_panel=DATA),
    text_col: str = typer.Option(None, "--text-col", help="text: the column with the text "
                                 "[default: text].", rich_help_panel=DATA),
    label_col: str = typer.Option(None, "--label-col", help="text/sequence: the label column "
                                  "[default: label].", rich_help_panel=DATA),
    split_col: str = typer.Option(None, "--split-col", help="A column saying train/val/test "
                                  "per row; default: a stratified 80/10/10 split.",
                                  rich_help_panel=DATA),
    max_len: int = typer.Option(None, "--max-len", help="text: cap on tokens per text "
                                "[default: the 95th percentile of training lengths].",
                                rich_help_panel=DATA),
    target_col: str = typer.Option(None, "--target-col", help="forecast: the column to "
                                   "predict (needed when there are several numeric columns).",
                                   rich_help_panel=DATA),
    time_col: str = typer.Option(None, "--time-col", help="forecast/sequence: the time "
                                 "column.", rich_help_panel=DATA),
    id_col: str = typer.Option(None, "--id-col", help="sequence (long-format CSV): the "
                               "column naming each sequence.", rich_help_panel=DATA),
    lookback: int = typer.Option(None, "--lookback", help="forecast: input window length.",
                                 rich_help_panel=DATA),
    horizon: int = typer.Option(None, "--horizon", help="forecast: steps to predict.",
                                rich_help_panel=DATA),
    predict: str = typer.Option(None, "--predict", help="forecast: change (from the last "
                                "observed value; a zero output is the naive forecast) or level "
                                "[default: change].", rich_help_panel=DATA),
    features: str = typer.Option(None, "--features", help="audio: mfcc or logmel.",
                                 rich_help_panel=DATA),
    seq_len: int = typer.Option(None, "--seq-len", help="synthetic probes: sequence length.",
                                rich_help_panel=DATA),
    cells: str = typer.Option(",".join(DEFAULT_CELLS), "--cells", help="Cells to compare, "
                              "comma-separated (gru, lstm, mingru, minlstm; two or more: "
                              "pairwise verdicts with Holm and a ranking); a repeated cell "
                              "(lstm,lstm) is an A/A check: arms differing only by seed.",
                              rich_help_panel=MODEL),
    arms: str = typer.Option(None, "--arms", help="Labelled arms instead of --cells: "
                             "label=cell[:key=value...], comma-separated (keys: lr, "
                             "weight_decay, dropout, forget_bias, hidden); e.g. "
                             "a=lstm:lr=0.001,b=lstm:lr=0.004.", rich_help_panel=MODEL),
    reference: str = typer.Option(None, "--reference", help="With three arms or more: "
                                  "compare each arm against this one only (its label), not "
                                  "every pair.", rich_help_panel=MODEL, show_default=False),
    seeds: str = typer.Option(None, "--seeds", help="Seed pairs (pair k of every arm shares "
                              "the data split and batch order; each arm has its own "
                              "initialisation stream), or 'auto': add pairs until the verdict "
                              "is decided or the budget is spent (default: auto; 3 fixed pairs "
                              "with more than two arms).", show_default=False,
                              rich_help_panel=MODEL),
    max_seeds: int = typer.Option(DEFAULT_MAX_SEEDS, "--max-seeds", help="With --seeds auto: "
                                  "the most seed pairs to run (a rerun with a larger one "
                                  "continues the same study).", rich_help_panel=MODEL),
    time_budget: float = typer.Option(DEFAULT_TIME_BUDGET_S, "--time-budget", help="With "
                                      "--seeds auto: seconds this run may spend on pairs and "
                                      "health remedies; it stops adding pairs when the next "
                                      "would not fit.", rich_help_panel=MODEL),
    priority: str = typer.Option(DEFAULT_PRIORITY, "--priority", help="What decides the pick "
                                 "when accuracy does not: quality (then training time), "
                                 "training or latency.", rich_help_panel=OUTPUT),
    match: str = typer.Option("params", "--match", help="params: solve each hidden size to "
                              "the same parameter budget (within 1%); hidden: one hidden size.",
                              rich_help_panel=MODEL),
    hidden: int = typer.Option(128, "--hidden", help="Hidden size of the LSTM (the budget's "
                               "reference) or of every cell with --match hidden.",
                               rich_help_panel=MODEL),
    budget: int = typer.Option(None, "--budget", help="Explicit parameter budget for the "
                               "recurrent layers and head.", rich_help_panel=MODEL),
    layers: int = typer.Option(1, "--layers", rich_help_panel=MODEL),
    dropout: float = typer.Option(0.0, "--dropout", rich_help_panel=MODEL),
    bidirectional: bool = typer.Option(False, "--bidirectional", rich_help_panel=MODEL),
    embed_dim: int = typer.Option(128, "--embed-dim", help="text: embedding width.",
                                  rich_help_panel=MODEL),
    forget_bias: float = typer.Option(1.0, "--forget-bias", help="LSTM forget-gate bias at "
                                      "init (Jozefowicz et al. 2015); 0 for PyTorch's default.",
                                      rich_help_panel=MODEL),
    margin: float = typer.Option(None, "--margin", help="Equivalence margin: accuracy points, "
                                 "or % lower error for error metrics [default: 10% of the "
                                 "arms' skill over the trivial baseline].",
                                 rich_help_panel=MODEL),
    lr: float = typer.Option(2e-3, "--lr", rich_help_panel=TRAIN),
    batch_size: int = typer.Option(64, "--batch-size", rich_help_panel=TRAIN),
    max_epochs: int = typer.Option(20, "--max-epochs", rich_help_panel=TRAIN),
    patience: int = typer.Option(3, "--patience", help="Stop after this many epochs without "
                                 "a better validation metric.", rich_help_panel=TRAIN),
    clip: float = typer.Option(1.0, "--clip", help="Gradient-norm clipping (0: off).",
                               rich_help_panel=TRAIN),
    threads: int = typer.Option(0, "--threads", help="Intra-op threads (0: all cores, or each "
                                "parallel worker's share).", rich_help_panel=TRAIN),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda.",
                               rich_help_panel=TRAIN),
    out: Path = typer.Option(None, "--out", help="Study folder (results.sqlite, summary.json, "
                             "report) [default: runs/<data name>].", rich_help_panel=OUTPUT),
    fresh: bool = typer.Option(False, "--fresh", help="Discard this study's stored trials and "
                               "start over (default: resume).", rich_help_panel=OUTPUT),
    latency: bool = typer.Option(True, "--latency/--no-latency", help="Time the trained "
                                 "models' inference (batch 1; eager, TorchScript, ONNX "
                                 "Runtime) for the summary.", rich_help_panel=OUTPUT),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout "
                                 "and nothing else.", rich_help_panel=OUTPUT),
    tune: str = typer.Option(None, "--tune", help="Tune every arm first, with the same "
                             "search space, sampler and trials: lr, hidden, dropout, "
                             "weight_decay, comma-separated, each optionally =low:high "
                             "(e.g. lr=1e-4:1e-2). Selected on the validation split only.",
                             rich_help_panel=TUNING, show_default=False),
    trials: int = typer.Option(20, "--trials", help="Search trials per arm with --tune (the "
                               "first is the arm's default configuration).",
                               rich_help_panel=TUNING),
    executor: str = COMPARE_EXECUTOR,
    workers: int = WORKERS,
    address: str = ADDRESS,
    cpus_per_trial: float = CPUS_PER_TRIAL,
    gpus_per_trial: float = GPUS_PER_TRIAL,
    mlflow: bool = MLFLOW,
    tracking_uri: str = TRACKING_URI,
) -> None:
    """Run a fair GRU-vs-LSTM bake-off and print a verdict with confidence intervals."""
    err = Console(stderr=True)
    options = {
        "text_col": text_col, "label_col": label_col, "split_col": split_col,
        "max_len": max_len, "target_col": target_col, "time_col": time_col, "id_col": id_col,
        "lookback": lookback, "horizon": horizon, "predict": predict, "features": features,
        "seq_len": seq_len,
    }
    priority = check_priority(priority)  # bad flags fail before anything is read or written
    seeds_value = None if seeds is None else seed_count(seeds)
    check_seeding(max_seeds, time_budget)
    # The tracking URI is checked before any training (a bad one: one line, nothing written).
    tracker = start_tracking(mlflow, tracking_uri, study_dir(data, dataset, out)
                             if (data is None) != (dataset is None) else None)
    progress = RichProgress(err, "" if as_json else plan_text(seeds_value, max_seeds,
                                                                time_budget, priority))
    with build_executor(executor, workers, address, cpus_per_trial,
                        gpus_per_trial) as runner, progress:
        study = compare(
            data, dataset=dataset, task=task, out=out, fresh=fresh,
            executor=runner, progress=tracker.progress(progress) if tracker else progress,
            latency=latency,
            task_options={k: v for k, v in options.items() if v is not None},
            cells=name_list(cells), arms=parse_arms(arms) if arms else (),
            seeds=seeds_value, max_seeds=max_seeds, time_budget=time_budget,
            match=match, hidden=hidden, budget=budget, layers=layers,
            dropout=dropout, bidirectional=bidirectional, embed_dim=embed_dim,
            forget_bias=forget_bias, reference=reference, lr=lr, batch_size=batch_size,
            max_epochs=max_epochs,
            patience=patience, clip_norm=clip, threads=threads, device=device, margin=margin,
            explicit=floored_flags_set(ctx),
            tune=tune, trials=trials, priority=priority,
        )
    tracked = tracker.finish() if tracker else None
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
