"""`gatebench latency`: inference latency of each cell at a size, per runtime, length, batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from gatebench.analysis.documents import LatencyMemory, LatencyRatio, LatencyResult, LatencyRow
from gatebench.cli import options as opt
from gatebench.cli.lists import int_list, name_list
from gatebench.cli.main import app
from gatebench.deploy.latency import LatencyPlan
from gatebench.deploy.sizes import latency_at_size
from gatebench.fileio import write_atomic
from gatebench.numbers import P99_TOO_FEW
from gatebench.protocol import DEFAULT_CELLS


@app.command("latency")
def latency_command(
    hidden: int = typer.Option(128, "--hidden", help="Hidden size (of every cell with --match "
                               "hidden; of the LSTM, the budget's reference, with params)."),
    seq_lens: str = typer.Option("25,100,400", "--seq-lens", help="Full-sequence lengths."),
    cells: str = typer.Option(",".join(DEFAULT_CELLS), "--cells", help="Cells, "
                              "comma-separated; ratios are each cell over the last one."),
    runtimes: str = typer.Option("eager,torchscript,onnx", "--runtimes", help="Any of eager, "
                                 "torchscript, onnx, eager-int8, onnx-int8."),
    batch_sizes: str = typer.Option("1,32", "--batch-sizes", help="Batch sizes (1: one request; "
                                    "larger: a serving batch)."),
    input_size: int = typer.Option(64, "--input-size", help="Input features per step."),
    match: str = typer.Option("hidden", "--match", help="hidden: one hidden size; params: "
                              "each cell sized to the LSTM's parameter count."),
    threads: int = typer.Option(0, "--threads", help="Intra-op threads for every runtime "
                                "(0: all cores)."),
    calls: int = typer.Option(50, "--calls", help="Timed calls per cell and setting, "
                              "after warm-up (formerly --repeats)."),
    repeats: int = opt.old_name("--repeats"),
    streaming: bool = typer.Option(True, "--streaming/--no-streaming", help="Also time one "
                                   "streaming step with carried state."),
    memory: bool = typer.Option(False, "--memory", help="Peak memory per cell and runtime, "
                                "each in a fresh process (slower)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON on stdout "
                                 "and nothing else."),
    out: Path = typer.Option(None, "--out", help="Also write the results (raw samples "
                             "included) to this JSON file."),
) -> None:
    """Time GRU and LSTM side by side (interleaved) in eager, TorchScript and ONNX Runtime."""
    calls = opt.renamed(calls, repeats, new="--calls", old="--repeats", default=50)
    plan = LatencyPlan(
        seq_lens=int_list(seq_lens, "--seq-lens"),
        batch_sizes=int_list(batch_sizes, "--batch-sizes"),
        runtimes=name_list(runtimes), streaming=streaming, repeats=calls, threads=threads,
        memory=memory,
    )
    result = latency_at_size(name_list(cells), hidden, input_size, plan, match=match)
    text = json.dumps(result, indent=2, allow_nan=False)
    if out is not None:
        write_atomic(out, text)
    if as_json:
        typer.echo(text)
        return
    console = Console()
    render_latency(result, console)
    if out is not None:
        console.print(f"Results (raw samples included): {out}")


def render_latency(result: LatencyResult, console: Console) -> None:
    """Percentiles per runtime, setting and cell with the GRU/LSTM ratios, then sizes."""
    plan = result["plan"]
    reference = plan["reference"].upper()
    others = list(dict.fromkeys(r["numerator"].upper() for r in result["ratios"]))
    top = others[0] if len(others) == 1 else "cell"
    caption = (f"ratio = {top}/{reference} of p50s (CI: bootstrap over rounds); below 1: "
               f"{top if len(others) == 1 else 'the cell'} is faster")
    if any(row.get("p99_ms") is None for row in result["results"]):
        caption += f"; p99 – : {P99_TOO_FEW} (raise --calls)"
    table = Table(title=f"Inference latency, ms (threads {plan['threads']}, "
                        f"{plan['rounds']} interleaved rounds x {plan['samples_per_round']})",
                  caption=caption, box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("runtime", "input", "cell", "p50", "p95", "p99", "ratio", "95% CI"):
        table.add_column(column, justify="left" if column in ("runtime", "input", "cell")
                         else "right", no_wrap=column in ("runtime", "input"),
                         min_width=6 if column[0] == "p" else None)
    ratios = {(r["runtime"], r["mode"], r["batch"], r["seq_len"], r["numerator"]): r
              for r in result["ratios"]}
    groups: dict[tuple, list[LatencyRow]] = {}
    for row in result["results"]:
        key = (row["runtime"], row["mode"], row["batch"], row["seq_len"])
        groups.setdefault(key, []).append(row)
    for key, rows in groups.items():
        runtime, mode, batch, seq_len = key
        setting = f"{'step' if mode == 'step' else f'T={seq_len}'} B={batch}"
        for i, row in enumerate(rows):
            first = i == 0
            ratio = ratios.get((*key, row["cell"]))
            table.add_row(
                runtime if first else "", setting if first else "", row["cell"],
                *(_ms(row[f"p{q}_ms"]) for q in (50, 95, 99)),
                *(_ratio_texts(ratio) if ratio else ("", "")),
                end_section=i == len(rows) - 1,
            )
    console.print(table)
    _render_sizes(result, console)
    if "memory" in result:
        _render_memory(result["memory"], console)
    console.print(f"CPU: {result['env'].get('cpu')}")


def _ms(value: float | None) -> str:
    # Three significant digits: 0.0191 and 315 alike; "–" for a p99 from too few samples.
    return "–" if value is None else f"{value:.3g}"


def _ratio_texts(ratio: LatencyRatio) -> tuple[str, str]:
    # The ratio of p95s stays in the JSON; the table keeps to what fits 80 columns.
    low, high = ratio["p50_ratio_ci95"]
    return f"{ratio['p50_ratio']:.2f}", f"{low:.2f}–{high:.2f}"


def _render_sizes(result: LatencyResult, console: Console) -> None:
    table = Table(title="Model size and export checks")
    for column in ("cell", "hidden", "params", "form", "bytes", "max |Δ|"):
        table.add_column(column, justify="left" if column in ("cell", "form") else "right")
    for cell, facts in result["models"].items():
        b = facts["bytes"]
        forms = [("state dict fp32", b["state_dict_fp32"], ""),
                 ("state dict int8", b["state_dict_int8"], "")]
        for rt, info in facts["runtimes"].items():
            forms.append((rt, b[rt], _diff_text(info)))
        for i, (form, nbytes, diff) in enumerate(forms):
            table.add_row(cell if i == 0 else "", str(facts["hidden_size"]) if i == 0 else "",
                          f"{facts['core_params']:,}" if i == 0 else "", form, f"{nbytes:,}",
                          diff, end_section=i == len(forms) - 1)
    console.print(table)


def _diff_text(info: dict[str, Any]) -> str:
    # fp32 exports are checked against PyTorch; int8 forms only report how far they drift.
    if info.get("max_abs_diff"):
        return f"{max(info['max_abs_diff'].values()):.1e} (≤ {info['atol']:g})"
    if info.get("max_abs_diff_vs_fp32"):
        return f"{max(info['max_abs_diff_vs_fp32'].values()):.1e} vs fp32"
    return ""


def _render_memory(memory: LatencyMemory, console: Console) -> None:
    table = Table(title=f"Peak resident memory, MiB (fresh process; batch {memory['batch']}, "
                        f"T={memory['seq_len']}): after import / + load / + run")
    runtimes = list(next(iter(memory["cells"].values())))
    table.add_column("cell")
    for rt in runtimes:
        table.add_column(rt, justify="right")
    for cell, per_runtime in memory["cells"].items():
        table.add_row(cell, *(
            m.get("error", "{:.0f} / +{:.1f} / +{:.1f}".format(
                m.get("baseline_mb", 0), m.get("load_mb", 0), m.get("run_mb", 0)))
            for m in (per_runtime[rt] for rt in runtimes)))
    console.print(table)
