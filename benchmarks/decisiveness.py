"""How often `gatebench compare`, run with its defaults, ends in a decision.

For each reference task whose trial takes under a minute on a 2-core machine, runs compare
with its defaults (--seeds auto, its time budget and maximum, health remedies, latency) and
prints the outcome, the pairs, the wall time, the share of the budget used, the bound when
undecided, the health actions and the pick; at the end, the share of tasks decided (a winner
or equivalence). The rows are also written as JSON, which `make readme` turns into the
README's decisiveness table.

    .venv/bin/python benchmarks/decisiveness.py                       # every task, defaults
    .venv/bin/python benchmarks/decisiveness.py --tasks nile,gunpoint --time-budget 120
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gatebench.api import DEFAULT_TIME_BUDGET_S, compare
from gatebench.numbers import finite

# Reference tasks whose single trial takes under a minute here (2 vCPU): the six small tasks
# measured in issue 19 plus the demo's. The others (spoken digits, 20 newsgroups, the long
# probes, ...) take minutes per trial, so a default budget holds only a few pairs of them.
TASKS = ("italy-power", "japanese-vowels", "sunspots", "nile", "basic-motions", "gunpoint",
         "rotten-tomatoes")
RESULTS = Path(__file__).resolve().parent / "results" / "decisiveness.json"
DECIDED = ("a_better", "b_better", "equivalent")


def task_row(name: str, out: Path, time_budget: float, latency: bool,
             threads: int | None = None) -> dict[str, Any]:
    """One compare run with the defaults; the figures the table shows."""
    start = time.perf_counter()
    extra = {} if threads is None else {"threads": threads}
    study = compare(dataset=name, out=out / name, time_budget=time_budget, latency=latency,
                    **extra)
    wall = time.perf_counter() - start
    s = study.summary_data
    seeding, verdict, decision = s.get("seeding") or {}, s["verdict"], s["decision"]
    quality = next(f for f in decision["factors"] if f["name"] == "quality")
    bound = None
    if verdict.get("outcome") not in DECIDED:
        bound = finite(verdict.get("bound")) or finite(quality["note"].partition("|")[0] or None)
    return {
        "task": name, "outcome": verdict.get("outcome"), "verdict": verdict["label"],
        "pairs": s["n_pairs"], "wall_s": wall, "budget_s": time_budget,
        "budget_share": (seeding.get("elapsed_s") or wall) / time_budget,
        "bound": bound, "unit": verdict.get("unit"),
        "stopped": seeding.get("stopped"),
        "health_actions": [a.get("says") for a in seeding.get("health_actions") or []],
        "pick": decision["headline"],
    }


def print_row(row: dict[str, Any]) -> None:
    """One task, as it finishes."""
    bound = f"±{row['bound']:.3g}" if row["bound"] is not None else "-"
    print(f"{row['task']:<17}{row['verdict']:<26}{row['pairs']:>6}{row['wall_s']:>9.0f}"
          f"{row['budget_share']:>8.0%}{bound:>9}  {row['pick']}", flush=True)
    for action in row["health_actions"]:
        print(f"{'':<17}health: {action}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help=f"comma-separated (default: {','.join(TASKS)})")
    parser.add_argument("--time-budget", type=float, default=DEFAULT_TIME_BUDGET_S,
                        help="seconds per task (default: compare's)")
    parser.add_argument("--no-latency", action="store_true", help="skip the latency pass")
    parser.add_argument("--threads", type=int, help="intra-op threads per trial (default: "
                        "compare's; 1 on a machine others are loading)")
    parser.add_argument("--out", type=Path, default=Path("runs/decisiveness"))
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the rows are written as JSON (for make readme)")
    args = parser.parse_args()
    names = args.tasks.split(",") if args.tasks else list(TASKS)
    print(f"{'task':<17}{'verdict':<26}{'pairs':>6}{'wall s':>9}{'budget':>8}{'bound':>9}  "
          "pick")
    rows, load_before = [], os.getloadavg()[0]
    for name in names:
        rows.append(task_row(name, args.out, args.time_budget, not args.no_latency,
                             args.threads))
        print_row(rows[-1])
    decided = sum(r["outcome"] in DECIDED for r in rows)
    print(f"decided (a winner or equivalence): {decided} of {len(rows)} tasks "
          f"({decided / max(len(rows), 1):.0%})")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({
        "command": "python benchmarks/decisiveness.py "
                   + (f"--tasks {args.tasks} " if args.tasks else "")
                   + f"--time-budget {args.time_budget:g}"
                   + (" --no-latency" if args.no_latency else "")
                   + (f" --threads {args.threads}" if args.threads else ""),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
                   f"{os.cpu_count()} cores",
        # other work on the machine stretches the budgeted studies: a quiet run starts near 0
        "load_average": {"start": load_before, "end": os.getloadavg()[0]},
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows, "decided": decided,
    }, indent=2, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
