"""Figures for the sections shown where their data exists: data fractions, long range, latency."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, NullLocator

from gatebench.numbers import is_finite
from gatebench.report.figures import (
    NEUTRAL,
    RUNTIME_STYLES,
    cell_color,
    new_figure,
)


def fraction_curve(rows: Sequence[dict[str, Any]], cells: Sequence[str], metric: str) -> Figure:
    """Test metric and train-validation gap against the fraction of training data used."""
    fig = new_figure(10, 3.2)
    left, right = fig.subplots(1, 2)
    xs = [r["data_fraction"] for r in rows]
    for i, cell in enumerate(cells):
        color = cell_color(cell, cells)
        shift = 1 + (i - (len(cells) - 1) / 2) * 0.03  # side by side on the log axis
        means = [(r.get(cell) or {}).get("mean") for r in rows]
        cis = [(r.get(cell) or {}).get("ci") or [None, None] for r in rows]
        ok = [j for j, m in enumerate(means) if is_finite(m)]
        left.plot([xs[j] * shift for j in ok], [means[j] for j in ok], color=color,
                  marker="o", ms=4, lw=1.6, label=cell.upper())
        for j in ok:
            lo, hi = cis[j]
            if is_finite(lo) and is_finite(hi):
                left.plot([xs[j] * shift] * 2, [lo, hi], color=color, lw=1.2, alpha=0.7)
            seeds = [v for v in (rows[j].get(cell) or {}).get("values") or () if is_finite(v)]
            left.scatter([xs[j] * shift] * len(seeds), seeds, s=9, color=color, alpha=0.35)
        gaps = [((r.get(cell) or {}).get("gap") or {}).get("mean") for r in rows]
        ok = [j for j, g in enumerate(gaps) if is_finite(g)]
        right.plot([xs[j] for j in ok], [gaps[j] for j in ok], color=color, marker="o", ms=4,
                   lw=1.6, label=cell.upper())
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:.0%}" if x >= 0.01 else f"{x:.1%}" for x in xs])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("fraction of the training split used")
    left.set_ylabel(f"test {metric}")
    left.set_title(f"test {metric} (mean, 95% CI, dots: seeds)")
    right.axhline(0, color=NEUTRAL, lw=0.8)
    right.set_ylabel("validation \u2212 training loss")
    right.set_title("overfitting gap at the best epoch (higher: more)")
    left.legend(loc="best")
    return fig


def long_range(
    panels: Sequence[tuple[str, list[dict[str, Any]], dict[str, Any] | None]],
    cells: Sequence[str],
) -> Figure | None:
    """Score (1 = solved) against sequence length per task, the claim's crossover marked."""
    if not panels:
        return None
    fig = new_figure(min(10, 4.2 * len(panels) + 1), 3.3)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (task, rows, crossover) in zip(axes, panels, strict=True):
        lengths = sorted({r["seq_len"] for r in rows})
        for k, cell in enumerate(cells):
            mine = sorted((r for r in rows if r["cell"] == cell), key=lambda r: r["seq_len"])
            if not mine:
                continue
            color = cell_color(cell, cells)
            xs = [r["seq_len"] for r in mine]
            # Equal rates are common (both 100%, both 0%): the first cell is drawn wide and
            # pale beneath the others, so a line lying on top of it does not hide it.
            wide = k == 0 and len(cells) > 1
            ax.plot(xs, [r["score"] for r in mine], color=color, marker="o",
                    ms=8 if wide else 4, lw=5 if wide else 1.6, alpha=0.45 if wide else 1.0,
                    label=cell.upper(), zorder=2 if wide else 3)
            band = [r for r in mine if r.get("ci")]
            if band:
                ax.fill_between([r["seq_len"] for r in band], [r["ci"][0] for r in band],
                                [r["ci"][1] for r in band], color=color, alpha=0.12, lw=0)
        if crossover and is_finite(crossover.get("seq_len")):
            x = crossover["seq_len"]
            ax.axvline(x, color="black", ls="--", lw=1)
            ax.annotate(f"crossover\nT = {x:.3g}", (x, 1.02), xytext=(4, -2),
                        textcoords="offset points", fontsize=8, va="top")
        if lengths and lengths[-1] / max(lengths[0], 1) >= 8:
            ax.set_xscale("log")
            ax.set_xticks(lengths, [f"{v:g}" for v in lengths])
            ax.xaxis.set_minor_locator(NullLocator())
        ax.set_ylim(-0.03, 1.05)
        ax.set_xlabel("sequence length T")
        ax.set_title(task or "long-range probe")
    axes[0].set_ylabel("score (1 = solved)")
    axes[0].legend(loc="lower left")
    return fig


def _plain_log_labels(axis: Any) -> None:
    # 0.1, 1, 10 rather than mathtext powers: easier to read beside the tables' numbers.
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    # Minor ticks: label 2x and 5x a power of ten only, so short axes still get numbers
    # without the labels running into each other.
    axis.set_minor_formatter(FuncFormatter(
        lambda v, _: f"{v:g}" if v > 0 and round(v / 10 ** math.floor(math.log10(v))) in (2, 5)
        else ""))


def _latency_line_panel(ax: Any, rows: list[dict], cells: Sequence[str], runtimes: list) -> list:
    ys = []
    for cell in cells:
        for k, runtime in enumerate(runtimes):
            line = sorted((r for r in rows if r["cell"] == cell and r["runtime"] == runtime),
                          key=lambda r: r["seq_len"])
            if not line:
                continue
            ls, marker = RUNTIME_STYLES[k % len(RUNTIME_STYLES)]
            p50 = [r["p50_ms"] for r in line]
            up = [max(0.0, r["p95_ms"] - r["p50_ms"]) if is_finite(r.get("p95_ms")) else 0.0
                  for r in line]
            ax.errorbar([r["seq_len"] for r in line], p50, yerr=[[0] * len(up), up],
                        color=cell_color(cell, cells), ls=ls, marker=marker, ms=4, lw=1.4,
                        capsize=2, elinewidth=0.8)
            ys += p50 + [p + u for p, u in zip(p50, up, strict=True)]
    lengths = sorted({r["seq_len"] for r in rows})
    if lengths[-1] / max(lengths[0], 1) >= 8:
        ax.set_xscale("log")
        ax.set_xticks(lengths, [f"{v:g}" for v in lengths])
        ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("sequence length T")
    return ys


def _latency_dot_panel(ax: Any, rows: list[dict], cells: Sequence[str], runtimes: list) -> list:
    # One length only (a streaming step): lines against T would be single points, so compare
    # the cells side by side per runtime instead.
    ys = []
    width = 0.6 / max(len(cells), 1)
    here = [rt for rt in runtimes if any(r["runtime"] == rt for r in rows)]
    for i, cell in enumerate(cells):
        for k, runtime in enumerate(here):
            r = next((r for r in rows if r["cell"] == cell and r["runtime"] == runtime), None)
            if r is None:
                continue
            x = k + (i - (len(cells) - 1) / 2) * width
            up = max(0.0, r["p95_ms"] - r["p50_ms"]) if is_finite(r.get("p95_ms")) else 0.0
            style = RUNTIME_STYLES[runtimes.index(runtime) % len(RUNTIME_STYLES)]
            ax.errorbar([x], [r["p50_ms"]], yerr=[[0], [up]], color=cell_color(cell, cells),
                        marker=style[1], ms=6, capsize=3, elinewidth=0.8)
            ys += [r["p50_ms"], r["p50_ms"] + up]
    ax.set_xticks(range(len(here)), here)
    ax.set_xlim(-0.8, len(here) - 0.2)
    ax.grid(axis="x", visible=False)
    length = rows[0].get("seq_len")
    ax.set_xlabel(f"runtime (T = {length:g})" if is_finite(length) else "runtime")
    return ys


def latency(rows: Sequence[dict[str, Any]], cells: Sequence[str]) -> Figure | None:
    """p50 latency against sequence length per cell and runtime; whiskers up to p95."""
    if not rows:
        return None
    groups = sorted({(r.get("mode") or "full", r["batch"]) for r in rows})
    runtimes = list(dict.fromkeys(r["runtime"] for r in rows))
    fig = new_figure(min(10, 4.4 * len(groups) + 1), 3.6)
    axes = fig.subplots(1, len(groups), squeeze=False)[0]
    for ax, (mode, batch) in zip(axes, groups, strict=True):
        mine = [r for r in rows if (r.get("mode") or "full", r["batch"]) == (mode, batch)]
        panel = _latency_line_panel if len({r["seq_len"] for r in mine}) > 1 else \
            _latency_dot_panel
        ys = panel(ax, mine, cells, runtimes)
        positive = [y for y in ys if y > 0]
        if positive and max(positive) / min(positive) > 10:  # a slow tail or a fast runtime
            ax.set_yscale("log")
            _plain_log_labels(ax.yaxis)
        else:
            ax.set_ylim(bottom=0)
        what = "one streaming step" if mode == "step" else "full sequence"
        ax.set_title(f"{what}, batch {batch:g}")
    axes[0].set_ylabel("latency p50 (ms), whisker to p95")
    handles = [Line2D([], [], color=cell_color(c, cells), lw=2, label=c.upper()) for c in cells]
    handles += [Line2D([], [], color=NEUTRAL, ls=RUNTIME_STYLES[k % 4][0],
                       marker=RUNTIME_STYLES[k % 4][1], ms=4, label=rt)
                for k, rt in enumerate(runtimes)]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6))
    return fig
