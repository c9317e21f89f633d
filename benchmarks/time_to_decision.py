"""Time to a decision: `gatebench compare`'s default (parallel trials) against --executor local.

For each task, runs the same compare twice as a user would (a fresh `gatebench` process each,
compare's defaults otherwise), once with the default executor and once with `--executor local`,
alternating which goes first from task to task so drift hits both. Prints each run's wall
time, verdict, pairs and training-time ratio; then, per task, the wall-time ratio default/local,
whether the verdicts agree and whether the two training-time intervals overlap, and where each
run's time went (compare's summary notes it by stage: set-up, timing pass, trials, latency);
at the end the geometric mean of the wall-time ratios, beside the best that parallel trials
could give (Amdahl's law: local's trials split perfectly over every core, its other stages
unchanged). The rows are written as JSON, which
`make readme` turns into the README's table.

    .venv/bin/python benchmarks/time_to_decision.py
    .venv/bin/python benchmarks/time_to_decision.py --tasks italy-power,sunspots
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TASKS = ("italy-power", "japanese-vowels", "sunspots", "rotten-tomatoes")
RESULTS = Path(__file__).resolve().parent / "results" / "time_to_decision.json"
MODES = ("default", "local")


def run_compare(task: str, mode: str, out: Path) -> dict[str, Any]:
    """One `gatebench compare` process; its wall time and the summary's figures."""
    folder = out / f"{task}-{mode}"
    args = [sys.executable, "-m", "gatebench", "compare", "--dataset", task, "--out",
            str(folder), "--fresh", "--json"]
    if mode == "local":
        args += ["--executor", "local"]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    s = json.loads((folder / "summary.json").read_text())
    ratio = s.get("time_ratio") or {}
    return {"mode": mode, "wall_s": wall, "outcome": s["verdict"]["outcome"],
            "verdict": s["verdict"]["label"], "pairs": s["n_pairs"],
            "time_ratio": ratio.get("geomean"), "time_ratio_ci": ratio.get("ci"),
            "time_ratio_source": ratio.get("source"),
            # where the run's time went, as compare noted it (the rest: imports, the report)
            "stages_s": s.get("wall_s") or {}}


def _within(value: float | None, ci: list[float | None] | None) -> bool:
    if value is None or not ci or None in ci:
        return False
    return ci[0] <= value <= ci[1]


def _overlap(a: list[float | None] | None, b: list[float | None] | None) -> bool:
    if not a or not b or None in a or None in b:
        return False
    return a[0] <= b[1] and b[0] <= a[1]


def ideal_ratio(local: dict[str, Any], cores: int) -> float | None:
    """The best default/local wall ratio parallel trials could give: local's run with its
    trials stage split perfectly over every core, every other stage (imports, timing pass,
    latency, report, which both executors run alone) as local's."""
    trials = (local.get("stages_s") or {}).get("trials")
    if trials is None:
        return None
    return (local["wall_s"] - trials + trials / cores) / local["wall_s"]


def task_row(task: str, out: Path, default_first: bool) -> dict[str, Any]:
    """Both runs of one task, in the order given; how they compare."""
    order = MODES if default_first else MODES[::-1]
    runs = {mode: run_compare(task, mode, out) for mode in order}
    d, loc = runs["default"], runs["local"]
    return {"task": task, "first": order[0], "default": d, "local": loc,
            "wall_ratio": d["wall_s"] / loc["wall_s"],
            "ideal_wall_ratio": ideal_ratio(loc, os.cpu_count() or 1),
            "same_verdict": d["outcome"] == loc["outcome"],
            # each executor's pass estimates the same ratio: their intervals must overlap
            "ratio_agrees": _overlap(d["time_ratio_ci"], loc["time_ratio_ci"]),
            "default_ratio_in_local_interval": _within(d["time_ratio"], loc["time_ratio_ci"])}


def _ratio(run: dict[str, Any]) -> str:
    lo, hi = run["time_ratio_ci"] or (None, None)
    if run["time_ratio"] is None:
        return "-"
    return f"{run['time_ratio']:.2f} [{lo:.2f}, {hi:.2f}]"


def stages(run: dict[str, Any]) -> str:
    """'set-up 3 s, timing pass 5 s, ...': the stages compare noted, then the process's rest."""
    noted = run.get("stages_s") or {}
    rest = run["wall_s"] - sum(noted.values())
    return ", ".join(f"{k} {v:.1f} s" for k, v in {**noted, "process rest": rest}.items())


def print_row(row: dict[str, Any]) -> None:
    """One task's two runs and their comparison, as it finishes."""
    for mode in MODES:
        run = row[mode]
        print(f"{row['task']:<17}{mode:<9}{run['wall_s']:>8.1f}{run['pairs']:>7}  "
              f"{run['verdict']:<26}{_ratio(run)}", flush=True)
        print(f"{'':<26}{stages(run)}", flush=True)
    print(f"{'':<17}default/local wall {row['wall_ratio']:.2f} (at best "
          f"{row['ideal_wall_ratio']:.2f}); same verdict: "
          f"{'yes' if row['same_verdict'] else 'NO'}; training-time intervals overlap: "
          f"{'yes' if row['ratio_agrees'] else 'NO'}", flush=True)


def _geomean(values: list[float | None]) -> float:
    return math.exp(statistics.mean(math.log(v) for v in values if v))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help=f"comma-separated (default: {','.join(TASKS)})")
    parser.add_argument("--out", type=Path, default=Path("runs/time-to-decision"))
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the rows are written as JSON (for make readme)")
    args = parser.parse_args()
    names = args.tasks.split(",") if args.tasks else list(TASKS)
    print(f"{'task':<17}{'executor':<9}{'wall s':>8}{'pairs':>7}  {'verdict':<26}"
          "training time gru/lstm [95% CI]")
    rows, load_before = [], os.getloadavg()[0]
    for i, name in enumerate(names):
        rows.append(task_row(name, args.out, default_first=i % 2 == 0))
        print_row(rows[-1])
    geomean = _geomean([r["wall_ratio"] for r in rows])
    ideal = _geomean([r["ideal_wall_ratio"] for r in rows])
    print(f"geometric mean of default/local wall time: {geomean:.2f} over {len(rows)} tasks; "
          f"same verdict on {sum(r['same_verdict'] for r in rows)} of {len(rows)}; with trials "
          f"split perfectly over {os.cpu_count()} cores it could be {ideal:.2f} at best")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({
        "command": "python benchmarks/time_to_decision.py"
                   + (f" --tasks {args.tasks}" if args.tasks else ""),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
                   f"{os.cpu_count()} cores",
        "load_average": {"start": load_before, "end": os.getloadavg()[0]},
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows, "geomean_wall_ratio": geomean, "geomean_ideal_wall_ratio": ideal,
    }, indent=2, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
