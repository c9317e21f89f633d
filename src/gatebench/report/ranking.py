"""Bake-offs of more than two arms: the ranking, every pairwise verdict (Holm) and a figure
with one colour per arm."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from gatebench.analysis.documents import SummaryDoc
from gatebench.numbers import is_finite
from gatebench.report import figures as F
from gatebench.report.blocks import FigureBlock, Paragraph, Section, Table, interval, signed, up
from gatebench.report.load import StudyData


def arms_figure(summary: SummaryDoc) -> Figure | None:
    """Left: each arm's per-seed test metric (a pair's seeds joined) with its mean and CI.
    Right: each comparison's mean difference with its 95% interval, and the margin."""
    arms = list(summary.get("cells") or ())
    pairwise = summary.get("pairwise") or []
    if len(arms) < 3 or not pairwise:
        return None
    values = {a: (summary["cells"][a].get("test") or {}).get("values") or [] for a in arms}
    fig = F.new_figure(10.0, max(3.2, 1.2 + 0.42 * len(pairwise)))
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1.3])
    for i in range(min(len(v) for v in values.values())):
        ys = [values[a][i] for a in arms]
        if all(is_finite(y) for y in ys):
            left.plot(range(len(arms)), ys, color="#bbbbbb", lw=0.8, zorder=1)
    for pos, arm in enumerate(arms):
        color = F.cell_color(arm, arms)
        ys = [v for v in values[arm] if is_finite(v)]
        left.scatter([pos] * len(ys), ys, s=24, color=color, zorder=3, edgecolor="white", lw=0.5)
        stats = summary["cells"][arm].get("test") or {}
        mean, ci = stats.get("mean"), stats.get("ci") or [None, None]
        if is_finite(mean):
            err = ([[mean - ci[0]], [ci[1] - mean]]
                   if is_finite(ci[0]) and is_finite(ci[1]) else None)
            left.errorbar([pos + 0.2], [mean], yerr=err, fmt="D", ms=5, color=color,
                          capsize=3, lw=1.4, zorder=3)
    left.set_xticks(range(len(arms)), [a.upper() for a in arms])
    left.set_xlim(-0.5, len(arms) - 0.3)
    better = "higher" if summary.get("higher_is_better", True) else "lower"
    left.set_ylabel(f"test {summary.get('metric', 'metric')} ({better} is better)")
    left.set_title("each seed (lines join a pair; \u25c6 mean, 95% CI)")
    margin = (summary.get("verdict") or {}).get("margin")
    if is_finite(margin):
        right.axvspan(-margin, margin, color="#2ca02c", alpha=0.12, lw=0,
                      label=f"equivalence margin \u00b1{margin:g}")
    right.axvline(0, color=F.NEUTRAL, lw=0.8)
    for y, row in enumerate(reversed(pairwise)):
        lo, hi = row.get("ci") or [None, None]
        if is_finite(lo) and is_finite(hi):
            right.plot([lo, hi], [y, y], color=F.NEUTRAL, lw=1.6)
        if is_finite(row.get("mean")):
            right.plot([row["mean"]], [y], "o", color=F.cell_color(row["a"], arms), ms=6)
    right.set_yticks(range(len(pairwise)),
                     [f"{up(r['a'])} \u2212 {up(r['b'])}: {r['verdict']['label']}"
                      for r in reversed(pairwise)])
    right.set_xlabel(f"difference ({summary.get('unit', 'points')})")
    right.set_title("each comparison: mean, 95% CI (before Holm)")
    right.legend(loc="best", fontsize=7)
    return fig


def ranking_section(data: StudyData, draw: bool = True) -> Section | None:
    """The ranking and pairwise verdicts of a study of three arms or more (None otherwise)."""
    s = data.summary or {}
    ranking, pairwise = s.get("ranking"), s.get("pairwise") or []
    if not ranking or len(pairwise) < 2:
        return None
    state = "decided" if ranking.get("decided") else "not decided"
    unit = str(s.get("unit", "points"))
    rows = [[f"{up(r['a'])} \u2212 {up(r['b'])}", f"{signed(r.get('mean'), 2)} "
             f"{interval(r.get('ci'), signed)}".strip(), f"{r['holm']['alpha']:.4f}",
             r["verdict"]["label"]] for r in pairwise]
    against = (f" Each arm is compared with {up(ranking['reference'])} only."
               if ranking.get("reference") else "")
    blocks: list[Any] = [
        Paragraph(f"Ranking ({state}): {ranking['text']}. An arm's rank is one more than the "
                  "number of arms significantly better than it; arms the data cannot separate "
                  f"share a rank.{against}"),
        Table(["comparison", f"mean ({unit}) [95% CI]", "Holm \u03b1", "verdict"], rows,
              caption=ranking.get("method", ""), numeric=(1, 2)),
        FigureBlock("Every arm", "Left: each arm's per-seed test metric, in its own colour. "
                    "Right: each comparison's mean difference and 95% interval; the verdicts "
                    "are Holm's.", F.render(arms_figure, s) if draw else None),
    ]
    return Section("ranking", "Ranking of the arms", blocks)
