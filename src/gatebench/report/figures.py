"""Matplotlib figures for the report, drawn off-screen (Agg, no pyplot) and sent back as PNG URIs.

Every figure of the report lives here, those of the optional sections (data fractions, long
range, latency; report/extras.py) included.

Each figure function returns a Figure, or None when its data is absent, so a section can skip
an empty plot instead of showing blank axes.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from gatebench.analysis.documents import LatencyRow, SeedingState, SummaryDoc
from gatebench.analysis.pairing import arm_of, arms_in
from gatebench.claims.catalogue import FOLKLORE_CELLS
from gatebench.claims.long import Crossover
from gatebench.numbers import is_finite
from gatebench.protocol.record import TrialRecord

SAVE_DPI = 150  # 1.5x the display size: sharp on high-density screens, still small files
DISPLAY_DPI = 100
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
CELL_COLORS = {"gru": "#0072B2", "lstm": "#D55E00", "mingru": "#009E73", "minlstm": "#CC79A7"}
OTHER_COLORS = ("#E69F00", "#56B4E9", "#F0E442", "#000000")
RUNTIME_STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"))
NEUTRAL = "#555555"
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
}


class ScoreRow(TypedDict):
    """One cell's long-range score at one length, as the report draws it (extras checks it)."""

    task: str  # "" when the file names none
    cell: str
    seq_len: float
    score: float  # in [0, 1]: 1 = solved
    n: float | None  # seeds, where given
    ci: list[float] | None


@dataclass(frozen=True)
class Image:
    """A rendered figure: a data URI and its display size in CSS pixels."""

    uri: str
    width: int
    height: int


def render(draw: Callable[..., Figure | None], *args: Any, **kwargs: Any) -> Image | None:
    """Draw a figure under the report style and encode it; None when there is nothing to draw."""
    # rc_context, not rcParams: a notebook that builds a report keeps its own style.
    with matplotlib.rc_context(STYLE):
        fig = draw(*args, **kwargs)
        if fig is None:
            return None
        FigureCanvasAgg(fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=SAVE_DPI, metadata={"Software": None})
    width, height = fig.get_size_inches() * DISPLAY_DPI
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Image(uri, int(round(width)), int(round(height)))


def cell_color(cell: str, cells: Sequence[str]) -> str:
    """A fixed colour per cell: GRU blue and LSTM vermillion in every figure."""
    if cell in CELL_COLORS:
        return CELL_COLORS[cell]
    others = [c for c in cells if c not in CELL_COLORS]
    return OTHER_COLORS[others.index(cell) % len(OTHER_COLORS)] if cell in others else NEUTRAL


def new_figure(width: float, height: float) -> Figure:
    """A figure with constrained layout, so labels never run into the next panel."""
    return Figure(figsize=(width, height), layout="constrained")


def _cells(records: Sequence[TrialRecord]) -> list[str]:
    return arms_in(records)


# -- training -------------------------------------------------------------------------------


def by_epoch(records: Sequence[TrialRecord], key: str) -> tuple[list, list, list, list]:
    """Epochs with their mean, min and max of `key` over the seeds that reached that epoch."""
    values: dict[int, list[float]] = {}
    for r in records:
        for h in r.history:
            v = h.get(key)
            if is_finite(v) and isinstance(h.get("epoch"), int):
                values.setdefault(h["epoch"], []).append(float(v))
    epochs = sorted(values)
    return (epochs, [sum(values[e]) / len(values[e]) for e in epochs],
            [min(values[e]) for e in epochs], [max(values[e]) for e in epochs])


def learning_curves(records: Sequence[TrialRecord], metric: str) -> Figure | None:
    """Training loss, validation loss and validation metric per epoch: seed mean, min-max band."""
    panels = (("train_loss", "training loss"), ("val_loss", "validation loss"),
              ("val_metric", f"validation {metric}"))
    cells = _cells(records)
    fig = new_figure(10, 3.1)
    axes = fig.subplots(1, 3)
    drawn = False
    for ax, (key, label) in zip(axes, panels, strict=True):
        for cell in cells:
            epochs, mean, lo, hi = by_epoch([r for r in records if arm_of(r) == cell], key)
            if not epochs:
                continue
            drawn = True
            color = cell_color(cell, cells)
            ax.plot(epochs, mean, color=color, marker="o", ms=3, lw=1.6, label=cell.upper())
            ax.fill_between(epochs, lo, hi, color=color, alpha=0.18, lw=0)
        ax.set_title(label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not drawn:
        return None
    axes[0].legend(loc="best")
    return fig


def time_to_metric(
    records: Sequence[TrialRecord], metric: str, baseline: float | None = None
) -> Figure | None:
    """Validation metric against wall time since training began: one line per trial."""
    cells = _cells(records)
    fig = new_figure(6.6, 3.4)
    ax = fig.subplots()
    drawn = False
    for r in records:
        points = [(h.get("wall_s"), h.get("val_metric")) for h in r.history]
        points = [(x, y) for x, y in points if is_finite(x) and is_finite(y)]
        if not points:
            continue
        drawn = True
        color = cell_color(arm_of(r), cells)
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=color, lw=1.2, marker="o", ms=2.5, alpha=0.8)
        best = r.best_epoch
        if isinstance(best, int) and 1 <= best <= len(r.history):
            h = r.history[best - 1]
            if is_finite(h.get("wall_s")) and is_finite(h.get("val_metric")):
                ax.plot(h["wall_s"], h["val_metric"], marker="*", ms=10, color=color,
                        mec="white", mew=0.6, zorder=4)
    if not drawn:
        return None
    handles = [Line2D([], [], color=cell_color(c, cells), marker="o", ms=3, label=c.upper())
               for c in cells]
    handles.append(Line2D([], [], color=NEUTRAL, marker="*", ms=9, ls="", label="best epoch"))
    if baseline is not None and is_finite(baseline):
        ax.axhline(baseline, color=NEUTRAL, ls=":", lw=1)
        handles.append(Line2D([], [], color=NEUTRAL, ls=":", label="baseline"))
    ax.set_xlabel("wall time since training began (s; includes batching and validation)")
    ax.set_ylabel(f"validation {metric}")
    ax.set_xlim(left=0)
    ax.legend(handles=handles, loc="best")
    return fig


# -- the paired comparison --------------------------------------------------------------------


def paired_seeds(summary: SummaryDoc) -> Figure | None:
    """Left: each seed's test metric, GRU and LSTM joined. Right: per-pair differences, margin."""
    pairwise = summary.get("pairwise") or []  # k arms: the comparison "difference" describes
    cells = ([pairwise[0]["a"], pairwise[0]["b"]] if pairwise
             else list(summary.get("cells") or ())[:2])
    if len(cells) != 2:
        return None
    a, b = cells
    va = (summary["cells"][a].get("test") or {}).get("values") or []
    vb = (summary["cells"][b].get("test") or {}).get("values") or []
    if not va or len(va) != len(vb):
        return None
    fig = new_figure(9.6, max(3.0, 1.3 + 0.3 * (len(va) + 1)))
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.35])
    _each_seed(left, summary, cells, (va, vb))
    _pair_differences(right, summary, cells, len(va))
    return fig


def _mean_error(mean: float, ci: list[Any]) -> list[list[float]] | None:
    """An errorbar's (below, above) extent for a mean and its interval, when both ends exist."""
    return [[mean - ci[0]], [ci[1] - mean]] if is_finite(ci[0]) and is_finite(ci[1]) else None


def _each_seed(ax: Any, summary: SummaryDoc, cells: list[str],
               values: tuple[list[float], list[float]]) -> None:
    """Each seed's test metric per arm, a pair joined by a line, with each arm's mean and CI."""
    va, vb = values
    for x, y in zip(va, vb, strict=True):
        if is_finite(x) and is_finite(y):
            ax.plot([0, 1], [x, y], color="#999999", lw=1, zorder=1)
    for pos, cell, vals in ((0, cells[0], va), (1, cells[1], vb)):
        color = cell_color(cell, cells)
        ys = [v for v in vals if is_finite(v)]
        ax.scatter([pos] * len(ys), ys, s=28, color=color, zorder=3, edgecolor="white", lw=0.5)
        stats = summary["cells"][cell].get("test") or {}
        mean = stats.get("mean")
        if is_finite(mean):
            ax.errorbar([pos + (-0.22 if pos == 0 else 0.22)], [mean],
                        yerr=_mean_error(mean, stats.get("ci") or [None, None]), fmt="D", ms=5,
                        color=color, capsize=3, lw=1.4, zorder=3)
    lost = [(pos, vals) for pos, vals in ((0, va), (1, vb))
            if any(not is_finite(v) for v in vals)]
    top = ax.get_ylim()[1] if lost else 0.0
    for pos, vals in lost:  # an infinite error (diverged) has no place on the axis: mark it
        ax.plot([pos], [top], marker="x", ms=8, mew=2, color="#cf222e", clip_on=False)
        ax.annotate(f"{sum(not is_finite(v) for v in vals)} diverged", (pos, top),
                    xytext=(7, -3), textcoords="offset points", fontsize=7, color="#cf222e")
    ax.set_xticks([0, 1], [c.upper() for c in cells])
    ax.set_xlim(-0.6, 1.6)
    ax.grid(axis="x", visible=False)
    better = "higher" if summary.get("higher_is_better", True) else "lower"
    ax.set_ylabel(f"test {summary.get('metric', 'metric')} ({better} is better)")
    ax.set_title("each seed (lines join a pair; \u25c6 mean, 95% CI)")


def _pair_differences(ax: Any, summary: SummaryDoc, cells: list[str], n: int) -> None:
    """Each pair's difference, the margin band and the verdict's mean with its interval."""
    a, b = (c.upper() for c in cells)
    diffs = (summary.get("difference") or {}).get("values") or []
    seeds = summary.get("seeds") or list(range(n))
    verdict = summary.get("verdict") or {}
    margin = verdict.get("margin")
    if is_finite(margin):
        ax.axvspan(-margin, margin, color="#2ca02c", alpha=0.12, lw=0,
                   label=f"equivalence margin \u00b1{margin:g}")
    ax.axvline(0, color=NEUTRAL, lw=0.8)
    rows = list(range(n, 0, -1))
    finite = [(y, d) for y, d in zip(rows, diffs, strict=False) if is_finite(d)]
    if finite:
        ax.scatter([d for _, d in finite], [y for y, _ in finite], s=26, color=NEUTRAL,
                   zorder=3)
    mean = verdict.get("mean")
    if is_finite(mean):
        ax.errorbar([mean], [0], xerr=_mean_error(mean, verdict.get("ci") or [None, None]),
                    fmt="D", ms=6, color="black", capsize=4, lw=1.6, zorder=4)
    ax.set_yticks([*rows, 0], [*(f"seed {s}" for s in seeds[:n]), "mean (95% CI)"])
    ax.set_ylim(-0.8, n + 0.8)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"{a} \u2212 {b} ({summary.get('unit', 'points')}); right of 0: {a} better")
    ax.set_title("paired differences")
    if is_finite(margin):
        ax.legend(loc="lower right", fontsize=7)


def _ratio_text(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:,.0f}"


def _ratio_limits(points: list[float]) -> tuple[float, float]:
    lo, hi = min(points), max(points)
    return lo / 1.5, hi * 1.5


def time_ratio(summary: SummaryDoc) -> Figure | None:
    """Training-time ratios (per epoch, total) on a log axis: per-pair dots, geomean with CI."""
    cells = list(summary.get("cells") or ())[:2]
    rows = [(label, summary.get(key) or {}) for key, label in
            (("time_ratio", "per epoch"), ("total_time_ratio", "total training"))]
    rows = [(label, r) for label, r in rows if is_finite(r.get("geomean"))]
    if len(cells) != 2 or not rows:
        return None
    a, b = (c.upper() for c in cells)
    folklore = tuple(cells) == FOLKLORE_CELLS
    points = [1.0] + [r["geomean"] for _, r in rows]
    points += [v for _, r in rows for v in r.get("values") or () if is_finite(v) and v > 0]
    if folklore:
        points += [0.7, 0.8]
    lo, hi = _ratio_limits(points)
    fig = new_figure(5.4, 1.3 + 0.55 * len(rows))
    ax = fig.subplots()
    top = len(rows) + 0.95
    if folklore:
        ax.axvspan(0.7, 0.8, color="#E69F00", alpha=0.22, lw=0)
        ax.text(0.75, top - 0.05, "folklore:\nGRU 20\u201330%\nfaster", ha="center", va="top",
                fontsize=6.5, color="#8a5a00", linespacing=1.0)
    ax.axvline(1.0, color=NEUTRAL, lw=0.8)
    labels = []
    for y, (label, r) in zip(range(len(rows), 0, -1), rows, strict=True):
        values = [v for v in r.get("values") or () if is_finite(v) and v > 0]
        ax.scatter(values, [y] * len(values), s=18, color=NEUTRAL, alpha=0.6, zorder=3)
        g, ci = r["geomean"], r.get("ci") or [None, None]
        text = f"{label}\n{g:.2f}\u00d7"
        if is_finite(ci[0]) and is_finite(ci[1]):
            c0, c1 = max(ci[0], lo), min(ci[1], hi)  # draw inside the axes, say the rest
            ax.plot([c0, c1], [y, y], color="black", lw=1.6, zorder=4)
            for edge, clipped, marker in ((c0, ci[0] < lo, "<"), (c1, ci[1] > hi, ">")):
                ax.plot([edge], [y], marker=marker if clipped else "|", ms=7, color="black")
            text += f" [{_ratio_text(ci[0])}, {_ratio_text(ci[1])}]"
        ax.plot([g], [y], "D", ms=6, color="black", zorder=5)
        labels.append((y, text))
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}\u00d7"))
    ax.xaxis.set_minor_locator(NullLocator())
    # Dense ticks only on a narrow axis: on a wide one they would print over each other.
    candidates = (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2) if hi / lo < 5 else (
        0.125, 0.25, 0.5, 1, 2, 4, 8)
    ticks = [t for t in candidates if lo <= t <= hi]
    ax.set_xticks(ticks)
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels])
    ax.set_ylim(0.4, top + (0.5 if folklore else 0))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"{a} / {b} training compute time (left of 1\u00d7: {a} faster)")
    return fig


def param_counts(summary: SummaryDoc) -> Figure | None:
    """Recurrent-layer-and-head parameters per cell, with hidden sizes and the budget."""
    cells = list(summary.get("cells") or ())
    counts = [((summary["cells"][c].get("params") or {}).get("core"), c) for c in cells]
    counts = [(n, c) for n, c in counts if is_finite(n)]
    if not counts:
        return None
    fig = new_figure(5.4, 1.2 + 0.45 * len(counts))
    ax = fig.subplots()
    ys = list(range(len(counts), 0, -1))
    for y, (n, c) in zip(ys, counts, strict=True):
        ax.barh(y, n, color=cell_color(c, cells), height=0.6)
        hidden = summary["cells"][c].get("hidden_size")
        ax.text(n, y, f"  {n:,.0f}  (H = {hidden})", va="center", fontsize=8)
    budget = (summary["cells"][counts[0][1]].get("params") or {}).get("budget")
    if is_finite(budget):
        ax.axvline(budget, color=NEUTRAL, ls="--", lw=1, label=f"budget {budget:,.0f}")
        ax.legend(loc="lower right", fontsize=7)
    ax.set_yticks(ys, [c.upper() for _, c in counts])
    ax.set_xlim(0, max(n for n, _ in counts) * 1.45)  # room for the labels
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("parameters: recurrent layers + head (shared embedding excluded)")
    return fig


def seeding_looks(seeding: SeedingState, margin: float, unit: str,
                  names: Sequence[str]) -> Figure | None:
    """Adaptive seeding's looks: the estimate and interval after each added pair, the margin."""
    looks = [lk for lk in seeding.get("looks") or () if is_finite(lk.get("estimate"))]
    if not looks:
        return None
    fig = new_figure(5.4, 2.6)
    ax = fig.subplots()
    ax.axhspan(-margin, margin, color="#009E73", alpha=0.12, lw=0, label="equivalence margin")
    ax.axhline(0.0, color=NEUTRAL, lw=0.8)
    for lk in looks:
        x, y = lk["pairs"], lk["estimate"]
        lo, hi = (lk.get("ci") or [None, None])[:2]
        color = "black" if lk.get("final") else NEUTRAL
        if is_finite(lo) and is_finite(hi):
            ax.plot([x, x], [lo, hi], color=color, lw=1.4)
        ax.plot([x], [y], "D" if lk.get("final") else "o", ms=6 if lk.get("final") else 4,
                color=color, zorder=3)
    last = looks[-1]
    ax.annotate(str(last.get("verdict") or last.get("outcome")), (last["pairs"], last["estimate"]),
                xytext=(6, 6), textcoords="offset points", fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    a, b = (str(n).upper() for n in names)
    ax.set_xlabel("seed pairs at the look")
    ax.set_ylabel(f"{a} \u2212 {b} ({unit})")
    ax.legend(loc="upper left")
    return fig


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


def long_range_curves(
    panels: Sequence[tuple[str, list[ScoreRow], Crossover | None]],
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


def latency_curves(rows: Sequence[LatencyRow], cells: Sequence[str]) -> Figure | None:
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
