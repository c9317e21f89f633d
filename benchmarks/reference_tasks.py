"""One small GRU-vs-LSTM run on every reference task: size, length, trivial baseline, metrics.

A smoke-sized budget (1 seed, a few epochs, hidden 32, one hidden size for both cells), so the
numbers show each task loads offline and trains end to end, not which cell is better.

    .venv/bin/python benchmarks/reference_tasks.py [--epochs 3] [--tasks co2,adding]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gatebench.api import compare
from gatebench.tasks.registry import all_tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--tasks", help="comma-separated names (default: all)")
    parser.add_argument("--out", type=Path, default=Path("runs/reference-tasks"))
    args = parser.parse_args()
    names = args.tasks.split(",") if args.tasks else [t.name for t in all_tasks() if t.reference]
    print(f"{'task':<16}{'family':<10}{'n_train':>8}{'seq len (median)':>18}  "
          f"{'metric':<9}{'baseline':>9}{'GRU':>9}{'LSTM':>9}{'wall s':>8}")
    for name in names:
        start = time.perf_counter()
        study = compare(dataset=name, out=args.out / name, seeds=1, match="hidden",
                        hidden=args.hidden, embed_dim=32, max_epochs=args.epochs, patience=2,
                        latency=False)
        s = study.summary_data
        desc = s["task"]["description"]
        length = desc.get("seq_len") or {}
        baseline = (desc.get("baseline") or {}).get("value")
        cells = {c: s["cells"][c]["test"]["mean"] for c in ("gru", "lstm")}
        print(f"{name:<16}{s['task']['family']:<10}{desc.get('n_train', 0):>8}"
              f"{length.get('median', float('nan')):>18g}  {s['metric']:<9}"
              f"{_num(baseline):>9}{_num(cells['gru']):>9}{_num(cells['lstm']):>9}"
              f"{time.perf_counter() - start:>8.1f}")


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


if __name__ == "__main__":
    main()
