"""The data and training options every study command shares, declared once (help included)."""

from __future__ import annotations

from typing import Any, TypeVar

import typer

from gatebench.errors import SpecError

T = TypeVar("T")

DATA = "Data"
MODEL = "Model and fairness"
TRAIN = "Training"

DATA_ARG = typer.Argument(None, help="Your data file (or folder, for audio).",
                          show_default=False)
DATASET = typer.Option(None, "--dataset", help="A reference dataset instead of a file (see "
                       "`gatebench tasks`).", rich_help_panel=DATA)
TASK = typer.Option("text", "--task", help="How to read DATA: text, forecast, sequence or "
                    "audio.", rich_help_panel=DATA)
TEXT_COL = typer.Option(None, "--text-col", help="text: the column with the text "
                        "(default: text).", rich_help_panel=DATA)
LABEL_COL = typer.Option(None, "--label-col", help="text/sequence: the label column "
                         "(default: label).", rich_help_panel=DATA)
SPLIT_COL = typer.Option(None, "--split-col", help="A column saying train/val/test per row; "
                         "default: a stratified 80/10/10 split.", rich_help_panel=DATA)
MAX_LEN = typer.Option(None, "--max-len", help="text: cap on tokens per text (default: the "
                       "95th percentile of training lengths).", rich_help_panel=DATA)
TARGET_COL = typer.Option(None, "--target-col", help="forecast: the column to predict (needed "
                          "when there are several numeric columns).", rich_help_panel=DATA)
TIME_COL = typer.Option(None, "--time-col", help="forecast/sequence: the time column.",
                        rich_help_panel=DATA)
ID_COL = typer.Option(None, "--id-col", help="sequence (long-format CSV): the column naming "
                      "each sequence.", rich_help_panel=DATA)
LOOKBACK = typer.Option(None, "--lookback", help="forecast: input window length.",
                        rich_help_panel=DATA)
HORIZON = typer.Option(None, "--horizon", help="forecast: steps to predict.",
                       rich_help_panel=DATA)
PREDICT = typer.Option(None, "--predict", help="forecast: change (from the last observed "
                       "value; a zero output is the naive forecast) or level (default: "
                       "change).", rich_help_panel=DATA)
FEATURES = typer.Option(None, "--features", help="audio: mfcc or logmel.", rich_help_panel=DATA)
SEQ_LEN = typer.Option(None, "--seq-len", help="synthetic probes: sequence length.",
                       rich_help_panel=DATA)

HIDDEN = typer.Option(128, "--hidden", help="Hidden size of the LSTM, the parameter budget's "
                      "reference (compare --match hidden: of every cell).", rich_help_panel=MODEL)
LR = typer.Option(2e-3, "--lr", help="Adam's learning rate.", rich_help_panel=TRAIN)
BATCH_SIZE = typer.Option(64, "--batch-size", help="Training batch size (raised to the "
                          "optimiser-step floor's needs unless given).", rich_help_panel=TRAIN)
MAX_EPOCHS = typer.Option(20, "--max-epochs", help="Most epochs per trial.",
                          rich_help_panel=TRAIN)
PATIENCE = typer.Option(3, "--patience", help="Stop after this many epochs without a better "
                        "validation metric.", rich_help_panel=TRAIN)
THREADS = typer.Option(0, "--threads", help="Intra-op threads (0: all cores, or each parallel "
                       "worker's share).", rich_help_panel=TRAIN)
DEVICE = typer.Option("auto", "--device", help="auto, cpu or cuda.", rich_help_panel=TRAIN)


def task_options(**given: Any) -> dict[str, Any]:
    """The task-reading options the user set (None: the task's default)."""
    return {name: value for name, value in given.items() if value is not None}


# -- renamed flags ------------------------------------------------------------------------------
# One word, one meaning (README: Glossary). A renamed flag keeps its old name for one release,
# hidden from --help, with a one-line note when used.


def old_name(flag: str) -> Any:
    """The hidden option for a flag's old name (None when not given)."""
    return typer.Option(None, flag, hidden=True, show_default=False)


def renamed(value: T, old_value: T | None, *, new: str, old: str, default: T) -> T:
    """The flag's value, given under its new name or (with a note on stderr) its old one."""
    if old_value is None:
        return value
    if value != default:
        raise SpecError(f"{old} and {new} are the same option (renamed); give {new} only")
    typer.echo(f"note: {old} is now {new}; the old name works in this release only", err=True)
    return old_value
