"""Rewrite the README's generated parts: claims, advise session, calibration, decisiveness,
scaling tables.

    python tools/readme_tables.py            # rewrite README.md in place
    python tools/readme_tables.py --check    # exit 1 if README.md is out of date

Each table lives between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers; TABLES maps
NAME to the function that renders it from the shipped claims.json (the decisiveness table
from benchmarks/results/decisiveness.json). Everything outside the markers is left as written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gatebench.claims.table import claims_rows  # noqa: E402

README = ROOT / "README.md"
EVIDENCE = ROOT / "src" / "gatebench" / "advisor" / "evidence" / "claims.json"


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text if text not in (None, "") else "\u2013").replace("|", "\\|").replace(
        "\n", " ")


def claims_table(evidence: dict[str, Any]) -> str:
    """One row per claim: statement, verdict, key number, what would change the verdict."""
    lines = ["| claim | verdict | key number | what would change this verdict |",
             "|---|---|---|---|"]
    by_id = {c["id"]: c for c in evidence.get("claims") or ()}
    for row in claims_rows(evidence.get("claims") or ()):
        verdict = row["verdict"] + (f" (depends on {row['depends_on']})"
                                    if row.get("depends_on") else "")
        lines.append(f"| **{row['id']}**: {_cell(row['statement'])} | {_cell(verdict)} | "
                     f"{_cell(row['key'])} | {_cell(by_id[row['id']].get('would_change'))} |")
    provenance = ", ".join(str(x) for x in (evidence.get("command"), evidence.get("cost"),
                                            evidence.get("generated")) if x)
    if provenance:
        lines += ["", f"*From `{EVIDENCE.relative_to(ROOT)}`: {provenance}.*"]
    return "\n".join(lines)


# The README's advise session: the real command against the shipped evidence.
ADVISE_ARGS = ("--seq-len", "40", "--train-size", "2000", "--device", "cpu", "--runtime", "onnx",
               "--dependency-range", "short", "--latency-budget-ms", "5", "--time-per-run", "fast",
               "--no-input")


def advise_session(evidence: dict[str, Any]) -> str:
    """The advise transcript, run now (100 columns wide) on the shipped evidence."""
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1",
           "TERM": "dumb"}
    out = subprocess.run([sys.executable, "-m", "gatebench.cli", "advise", *ADVISE_ARGS],
                         capture_output=True, text=True, env=env, check=True, cwd=ROOT).stdout
    pairs = [" ".join(ADVISE_ARGS[i:i + 2]) for i in range(0, len(ADVISE_ARGS) - 1, 2)]
    command = "$ gatebench advise " + " ".join(pairs[:4]) + " \\\n    " + " ".join(
        pairs[4:]) + " " + ADVISE_ARGS[-1]
    return "```\n" + command + "\n" + out.rstrip() + "\n```"


def calibration(evidence: dict[str, Any]) -> str:
    """The simulated error-rate table, exactly as `gatebench calibrate --markdown` prints it."""
    from gatebench.analysis.calibration import calibration_report, markdown_table

    return markdown_table(calibration_report())


def _effect(effect: dict[str, Any] | None) -> str:
    """"+0.021 [+0.004, +0.038] (0.008 − 0.0005)", or a dash."""
    if not effect or effect.get("value") is None:
        return "\u2013"
    lo, hi = effect.get("ci") or [None, None]
    span = f" [{lo:+.3g}, {hi:+.3g}]" if lo is not None and hi is not None else ""
    return f"{effect['value']:+.3g}{span} ({effect.get('what', '')})".replace("-", "\u2212")


def importance_tables(evidence: dict[str, Any]) -> str:
    """Per task of the cell-vs-rest claim: each factor's share of the test metric's variance."""
    claim = next((c for c in evidence.get("claims") or () if c["id"] == "cell-vs-rest"), None)
    rows = [r for r in (claim or {}).get("evidence") or () if r.get("parts")]
    if not rows:
        return ("*The shipped evidence has no importance studies: run `gatebench suite --claims "
                "cell-vs-rest` and ship its claims.json.*")
    blocks = []
    for r in rows:
        lines = [f"*{r['task']}* ({r.get('family')}; test {r.get('metric') or 'metric'}):", "",
                 "| factor | effect on the test metric [95% CI] | net share of its variance "
                 "[95% CI] |", "|---|---:|---:|"]
        for part in sorted(r["parts"], key=lambda p: -(p.get("share") or 0)):
            ci = part.get("ci") or [None, None]
            span = (f" [{ci[0] * 100:.0f}, {ci[1] * 100:.0f}]" if None not in ci else "")
            name = "seed noise" if part["name"] == "seed" else part["name"]
            lines.append(f"| {name} | {_effect(part.get('effect'))} | "
                         f"{(part.get('share') or 0) * 100:.0f}%{span} |")
        ranges = "; ".join(f"{f} {'/'.join(map(str, v))}"
                           for f, v in (r.get("ranges") or {}).items())
        if ranges:
            lines += ["", f"Levels (the shares hold for these ranges only): {ranges}."]
        blocks.append("\n".join(lines))
    verdict = f"cell-vs-rest: **{claim['verdict']}** — {_cell(claim.get('reason'))}"
    return "\n\n".join(blocks + [verdict])


DECISIVENESS = ROOT / "benchmarks" / "results" / "decisiveness.json"


def decisiveness(evidence: dict[str, Any], path: Path | None = None) -> str:
    """The last `benchmarks/decisiveness.py` run: one row per task, then the share decided."""
    path = path or DECISIVENESS
    if not path.is_file():
        return ("*No decisiveness run recorded: run `python benchmarks/decisiveness.py`, then "
                "`make readme`.*")
    run = json.loads(path.read_text(encoding="utf-8"))
    lines = ["| task | verdict | pairs | wall s | budget used | bound (undecided) | pick |",
             "|---|---|---:|---:|---:|---:|---|"]
    for r in run["rows"]:
        bound = f"\u00b1{r['bound']:.3g} {r.get('unit') or ''}".strip() \
            if r.get("bound") is not None else "\u2013"
        lines.append(f"| {r['task']} | {_cell(r['verdict'])} | {r['pairs']} | "
                     f"{r['wall_s']:.0f} | {r['budget_share']:.0%} | {_cell(bound)} | "
                     f"{_cell(r['pick'])} |")
    n = len(run["rows"])
    lines += ["", f"Decided (a winner or equivalence): **{run['decided']} of {n}** tasks. "
                  f"*`{run['command']}` on {run['machine']}, {run['generated']}"
                  f"{_load(run)}.*"]
    return "\n".join(lines)


def _load(run: dict) -> str:
    load = run.get("load_average")
    return (f"; load average {load['start']:.1f} at the start, {load['end']:.1f} at the end"
            if load else "")


TIME_TO_DECISION = ROOT / "benchmarks" / "results" / "time_to_decision.json"


def time_to_decision(evidence: dict[str, Any], path: Path | None = None) -> str:
    """The last `benchmarks/time_to_decision.py` run: default (parallel) vs local, per task."""
    path = path or TIME_TO_DECISION
    if not path.is_file():
        return ("*No time-to-decision run recorded: run `python benchmarks/time_to_decision.py`, "
                "then `make readme`.*")
    run = json.loads(path.read_text(encoding="utf-8"))
    lines = ["| task | verdict | pairs (default / local) | wall s, default | wall s, local | "
             "default / local | at best* | training time GRU/LSTM, default [95% CI] | "
             "local [95% CI] |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in run["rows"]:
        d, loc = r["default"], r["local"]
        verdict = d["verdict"] if r["same_verdict"] else f"{d['verdict']} / {loc['verdict']}"
        lines.append(f"| {r['task']} | {_cell(verdict)} | {d['pairs']} / {loc['pairs']} | "
                     f"{d['wall_s']:.0f} | {loc['wall_s']:.0f} | {r['wall_ratio']:.2f} | "
                     f"{_ratio_or_dash(r.get('ideal_wall_ratio'))} | {_time_ratio(d)} | "
                     f"{_time_ratio(loc)} |")
    n, same = len(run["rows"]), sum(r["same_verdict"] for r in run["rows"])
    agree = sum(r["ratio_agrees"] for r in run["rows"])
    lines += ["", f"Geometric mean of default / local wall time: **{run['geomean_wall_ratio']:.2f}"
                  f"**; the same verdict on {same} of {n} tasks; the two training-time "
                  f"intervals overlap on {agree} of {n}. *`{run['command']}` on "
                  f"{run['machine']}, {run['generated']}{_load(run)}.*"]
    if run.get("geomean_ideal_wall_ratio"):
        lines += ["", f"\\* At best: the ratio parallel trials could reach if local's trials "
                      f"stage were split perfectly over every core and its other stages (the "
                      f"timing and latency passes, which both executors run alone, imports, the "
                      f"report) stayed as they are (Amdahl's law); geometric mean "
                      f"**{run['geomean_ideal_wall_ratio']:.2f}**."]
    return "\n".join(lines + _stage_table(run["rows"]))


def _ratio_or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


STAGES = ("set-up", "timing pass", "trials", "inference latency")


def _stage_table(rows: list[dict[str, Any]]) -> list[str]:
    """Where each run's wall seconds went, by the stages compare notes in its summary."""
    if not any(r[m].get("stages_s") for r in rows for m in ("default", "local")):
        return []
    lines = ["", "Where the time went (seconds; \"rest\": start-up imports, the report and "
             "whatever else the process did):", "",
             "| task | executor | " + " | ".join(STAGES) + " | rest | total |",
             "|---|---|" + "---:|" * (len(STAGES) + 2)]
    for r in rows:
        for mode in ("default", "local"):
            run = r[mode]
            noted = run.get("stages_s") or {}
            known = [noted.get(stage, 0.0) for stage in STAGES]
            rest = run["wall_s"] - sum(known)
            lines.append(f"| {r['task']} | {mode} | "
                         + " | ".join(f"{v:.1f}" for v in [*known, rest, run["wall_s"]]) + " |")
    trials = [(r["task"], r["default"].get("stages_s", {}).get("trials"),
               r["local"].get("stages_s", {}).get("trials")) for r in rows]
    lines += ["", "The quality trials alone, default / local: " + ", ".join(
        f"{task} {d / loc:.2f}" for task, d, loc in trials if d and loc) + "."]
    return lines


def _time_ratio(run: dict[str, Any]) -> str:
    lo, hi = run.get("time_ratio_ci") or (None, None)
    if run.get("time_ratio") is None or lo is None or hi is None:
        return "\u2013"
    return f"{run['time_ratio']:.2f} [{lo:.2f}, {hi:.2f}]"


SCALING = ROOT / "benchmarks" / "results" / "scaling.json"
SCALING_SWEEPS = (("rows", "training rows"), ("length", "sequence length T"))


def _num(x: Any, fmt: str) -> str:
    return "\u2013" if x is None else format(x, fmt)


def scaling_tables(evidence: dict[str, Any]) -> str:
    """How a trial's cost grows with rows and T, from the shipped benchmarks/scaling.py run."""
    if not SCALING.is_file():
        return f"*No shipped scaling results: run `python benchmarks/scaling.py` ({SCALING.name}).*"
    result = json.loads(SCALING.read_text(encoding="utf-8"))
    lines = ["| cell | rows | T | s / epoch | real tokens / s | peak RSS MiB | added by the "
             "trial MiB |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, _ in SCALING_SWEEPS:
        for p in result[name]["points"]:
            lines.append(f"| {p['cell'].upper()} | {p['n_train']:,} | {p['seq_len']:,} | "
                         f"{_num(p['per_epoch_s'], '.3g')} | {_num(p['tokens_per_s'], ',.0f')} | "
                         f"{_num(p['peak_rss_mb'], ',.0f')} | "
                         f"{_num(p.get('added_rss_mb'), ',.0f')} |")
    lines += ["", "Fitted growth (slope of log figure on log rows or log T; 1.0 grows in "
              "proportion):", "", "| grows with | cell | s / epoch | real tokens / s | "
              "peak RSS | added RSS |", "|---|---|---:|---:|---:|---:|"]
    for name, label in SCALING_SWEEPS:
        for cell, s in result[name]["slopes"].items():
            lines.append(f"| {label} | {cell.upper()} | " + " | ".join(
                _num(s.get(f), "+.2f") for f in ("per_epoch_s", "tokens_per_s", "peak_rss_mb",
                                                 "added_rss_mb")) + " |")
    setup, env = result.get("setup") or {}, (result.get("setup") or {}).get("env") or {}
    threads = sorted({p.get("threads") for name, _ in SCALING_SWEEPS
                      for p in result[name]["points"]} - {None})  # what the trials used
    lines += ["", f"*From `{SCALING.relative_to(ROOT)}`: `{setup.get('command')}`, "
              f"{setup.get('task')}, H={setup.get('hidden')}, batch {setup.get('batch')}, one "
              f"trial at a time, {'/'.join(map(str, threads)) or '?'} thread(s) per trial on "
              f"{env.get('cpu')} ({env.get('cpu_count')} cores), "
              f"{setup.get('seconds')} s, {setup.get('created_at')}.*"]
    return "\n".join(lines)


TABLES: dict[str, Callable[[dict[str, Any]], str]] = {"claims": claims_table,
                                                        "importance": importance_tables,
                                                        "advise": advise_session,
                                                        "calibration": calibration,
                                                        "decisiveness": decisiveness,
                                                        "time-to-decision": time_to_decision,
                                                        "scaling": scaling_tables}
# rewritten where their markers are, not required of every README
OPTIONAL = {"advise", "calibration", "importance", "decisiveness", "time-to-decision",
            "scaling"}


def rewrite(text: str, evidence: dict[str, Any]) -> str:
    """`text` with every known table between its markers regenerated."""
    for name, render in TABLES.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            if name in OPTIONAL:
                continue
            raise SystemExit(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> "
                             f"markers")
        text = pattern.sub(lambda m, r=render: m.group(1) + r(evidence) + "\n" + m.group(2),
                           text)
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, compare) README.md; 1 when --check finds it stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--evidence", type=Path, default=EVIDENCE)
    args = parser.parse_args(argv)
    evidence = json.loads(args.evidence.read_text(encoding="utf-8"))
    old = args.readme.read_text(encoding="utf-8")
    new = rewrite(old, evidence)
    if args.check:
        if new != old:
            print(f"{args.readme} is out of date: run python tools/readme_tables.py")
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
