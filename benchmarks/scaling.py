"""How a trial's cost grows: one trial per cell as the training set and the sequence length grow.

Each trial is gatebench's own (`run_trial`, one at a time, each in a fresh process) on the
generated adding problem, so rows and length can be set freely. Per trial it records seconds of
training compute per epoch, real tokens per second and the trial's peak resident memory (and
what the trial added to the resident set it started with, the data loaded: model, batches,
activations, optimiser state), and per cell the fitted log-log slope of each against rows and
against T (1.0: grows in proportion). Writes benchmarks/results/scaling.json, which
`make readme` quotes.

    .venv/bin/python benchmarks/scaling.py                   # rows 1k..64k, T 16..1024
    .venv/bin/python benchmarks/scaling.py --quick           # rows 1k..16k, T 16..256
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from gatebench.measure import fingerprint, resolve_device
from gatebench.protocol import ModelOptions, SizingConfig, TaskSpec, TrainConfig, TrialSpec
from gatebench.protocol.arms import DEFAULT_CELLS
from gatebench.run.trial import cached_task, run_trial

RESULTS = Path(__file__).resolve().parent / "results" / "scaling.json"
FIGURES = ("per_epoch_s", "tokens_per_s", "peak_rss_mb", "added_rss_mb")


def trial(cell: str, n_train: int, seq_len: int, args: argparse.Namespace) -> dict:
    """One trial's cost figures: one epoch of training on `n_train` rows of length `seq_len`."""
    task = TaskSpec.make("adding", n_train=n_train, n_val=args.n_eval, n_test=args.n_eval,
                         seq_len=seq_len)
    spec = TrialSpec(task=task, cell=cell, seed=0,
                     sizing=SizingConfig(match="hidden", reference_hidden=args.hidden),
                     model=ModelOptions(), train=TrainConfig(
                         batch_size=args.batch, max_epochs=args.epochs,
                         patience=args.epochs + 1, threads=args.threads))
    record = run_trial(spec, data=cached_task(task, None))  # data resident before the trial
    timing, memory = record.timing, record.memory or {}
    return {"cell": cell, "n_train": n_train, "seq_len": seq_len,
            "hidden_size": record.hidden_size, "per_epoch_s": timing.per_epoch_s,
            "tokens_per_s": timing.items_per_s,
            "peak_rss_mb": memory["peak_rss_mb"],
            "added_rss_mb": memory.get("added_rss_mb"), "kernel": record.kernel,
            "threads": record.threads}


def slope(points: list[dict], x: str, y: str) -> float | None:
    """Least-squares slope of log y on log x (the growth exponent)."""
    pairs = [(p[x], p[y]) for p in points if p.get(y) and p[y] > 0]
    if len(pairs) < 2:
        return None
    xs, ys = np.log([a for a, _ in pairs]), np.log([b for _, b in pairs])
    return float(np.polyfit(xs, ys, 1)[0])


def sweep(name: str, grid: list[tuple[int, int]], x: str, args: argparse.Namespace) -> dict:
    """Every cell at every (rows, T) of the grid, cells alternating; slopes per cell."""
    points = []
    for n_train, seq_len in grid:
        for cell in args.cells:
            started = time.perf_counter()
            # a fresh process per trial: its peak memory is not an earlier trial's leftovers
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                     max_tasks_per_child=1) as pool:
                points.append(pool.submit(trial, cell, n_train, seq_len, args).result())
            p = points[-1]
            print(f"{name}: {cell.upper():>5} rows {n_train:>6,} T {seq_len:>5}: "
                  f"{p['per_epoch_s']:8.3f} s/epoch {p['tokens_per_s']:>12,.0f} tok/s "
                  f"{p['peak_rss_mb']:8.0f} MiB peak (+{p['added_rss_mb'] or 0:.0f}) "
                  f"({time.perf_counter() - started:.0f} s)",
                  flush=True)
    slopes = {cell: {f: slope([p for p in points if p["cell"] == cell], x, f) for f in FIGURES}
              for cell in args.cells}
    return {"x": x, "points": points, "slopes": slopes}


def print_table(result: dict) -> None:
    """The fitted slopes: how each figure grows with rows and with T."""
    print("\nslope of log(figure) on log(rows) or log(T); 1.0 grows in proportion")
    print(f"{'sweep':<8} {'cell':<6} " + " ".join(f"{f:>13}" for f in FIGURES))
    for name in ("rows", "length"):
        for cell, s in result[name]["slopes"].items():
            print(f"{name:<8} {cell:<6} " + " ".join(
                f"{s[f]:>13.2f}" if s[f] is not None else f"{'-':>13}" for f in FIGURES))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a shorter grid (minutes)")
    parser.add_argument("--rows", type=int, nargs="*", help="training-set sizes")
    parser.add_argument("--lengths", type=int, nargs="*", help="sequence lengths")
    parser.add_argument("--rows-length", type=int, default=64, help="T of the rows sweep")
    parser.add_argument("--length-rows", type=int, default=1024, help="rows of the T sweep")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--n-eval", type=int, default=256, help="validation and test rows")
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("--cells", nargs="*", default=list(DEFAULT_CELLS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = args.rows or ([1000, 4000, 16000] if args.quick else [1000, 4000, 16000, 64000])
    lengths = args.lengths or ([16, 64, 256] if args.quick else [16, 64, 256, 1024])
    started = time.perf_counter()
    result = {
        "rows": sweep("rows", [(n, args.rows_length) for n in rows], "n_train", args),
        "length": sweep("length", [(args.length_rows, t) for t in lengths], "seq_len", args),
    }
    print_table(result)
    result["setup"] = {
        "task": "adding (generated; 2 features per step)", "hidden": args.hidden,
        "batch": args.batch, "epochs": args.epochs, "rows_length": args.rows_length,
        "length_rows": args.length_rows, "one trial at a time": True,
        "command": "python benchmarks/scaling.py " + " ".join(sys.argv[1:] if argv is None
                                                             else argv),
        "seconds": math.ceil(time.perf_counter() - started),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "env": fingerprint(resolve_device("cpu")),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
