"""The importance study's report: variance shares as a table and a bar chart with intervals."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from gatebench.analysis.importance import ImportancePart, ImportanceResult
from gatebench.fileio import write_atomic
from gatebench.report import figures as F
from gatebench.report.blocks import FigureBlock, Paragraph, Report, Section, Table, interval, num
from gatebench.report.html import render_html
from gatebench.report.markdown import render_markdown

LABELS = {"seed": "seed noise", "interactions": "interactions"}


def part_label(name: str) -> str:
    """A part's display name: factors as named, "seed" as seed noise."""
    return LABELS.get(name, name)


def _pct(x: Any) -> str:
    return num(100 * x, ".1f") + "%" if isinstance(x, (int, float)) else num(x)


def _pct_ci(ci: Any) -> str:
    if not isinstance(ci, (list, tuple)) or None in ci:
        return ""
    return interval([100 * ci[0], 100 * ci[1]], lambda v: num(v, ".1f"))


def share_bars(result: ImportanceResult) -> Figure | None:
    """Horizontal bars: each part's share of the test metric's and training time's variance."""
    panels = [(key, title) for key, title in (("metric", "test metric"),
                                               ("time", "log training time"))
              if (result.get(key) or {}).get("parts")]
    if not panels:
        return None
    fig = F.new_figure(3.4 * len(panels), 0.35 * len(result[panels[0][0]]["parts"]) + 1.2)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (key, title) in zip(axes, panels, strict=True):
        parts = result[key]["parts"]
        names = [part_label(p["name"]) for p in parts]
        values = [100 * p["share"] for p in parts]
        lows = [max(v - 100 * (p["ci"][0] if p["ci"][0] is not None else p["share"]), 0)
                for v, p in zip(values, parts, strict=True)]
        highs = [max(100 * (p["ci"][1] if p["ci"][1] is not None else p["share"]) - v, 0)
                 for v, p in zip(values, parts, strict=True)]
        colors = [F.CELL_COLORS["lstm"] if p["name"] == "cell" else F.NEUTRAL for p in parts]
        ax.barh(range(len(parts)), values, xerr=[lows, highs], color=colors, capsize=2)
        ax.set_yticks(range(len(parts)), names)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("net share of variance (%)")
        ax.set_title(title)
    return fig


def effect_text(part: ImportancePart) -> str:
    """"+0.21 [+0.18, +0.24] (0.008 − 0.0005)": a part's effect in the metric's units."""
    eff = part.get("effect")
    if not eff or eff.get("value") is None:
        return ""
    lo, hi = eff.get("ci") or (None, None)
    ci = f" [{num(lo, '+.3g')}, {num(hi, '+.3g')}]" if lo is not None and hi is not None else ""
    return f"{num(eff['value'], '+.3g')}{ci} ({eff.get('what', '')})"


def importance_section(result: ImportanceResult, draw: bool = True) -> Section:
    """What moves the metric: effects and net shares with intervals, the ranges, the method."""
    task = result.get("task") or {}
    metric = task.get("metric", "metric")
    design = result.get("design") or {}
    rows = []
    time_parts = {p["name"]: p for p in (result.get("time") or {}).get("parts", [])}
    for part in (result.get("metric") or {}).get("parts", []):
        t = time_parts.get(part["name"], {})
        rows.append([
            part_label(part["name"]), effect_text(part), _pct(part["share"]),
            _pct_ci(part["ci"]), _pct(t.get("share")), _pct_ci(t.get("ci")),
        ])
    credited = (result.get("metric") or {}).get("credited")
    if credited:
        rows.append(["cell with its interactions", "", _pct(credited["share"]),
                     _pct_ci(credited["ci"]), "", ""])
    resolution = design.get("resolution")
    blocks: list[Any] = [
        Paragraph(f"A designed experiment on {task.get('name', '?')}: "
                  f"{design.get('kind', '?')}"
                  f"{f' (resolution {resolution})' if resolution else ''}, "
                  f"{design.get('points', '?')} configurations \u00d7 "
                  f"{design.get('replicates', '?')} seeds = {design.get('trials', '?')} "
                  f"trials. Each factor's effect on the test {metric} in its own units (high "
                  f"level minus low, with a 95% interval from the seeds' pure error) and its "
                  f"share of the variance net of noise, (SS \u2212 df\u00b7MSE) / total; the "
                  f"same for log training time. Trials that did not finish are scored as the "
                  f"worst value ({(result.get('metric') or {}).get('n_worst', 0)} here)."),
        Table(["part", f"effect on test {metric} (95% CI)", f"net share of {metric} variance",
               "95% CI", "net share of time variance", "95% CI"], rows, numeric=(2, 3, 4, 5)),
    ]
    if draw:
        blocks.append(FigureBlock("Net share of variance by factor",
                                  "Bars: share of the variance net of noise; whiskers: 95% "
                                  "interval from seeds resampled within design points. The "
                                  "cell is coloured.",
                                  F.render(share_bars, result)))
    factors = "; ".join(f"{f['name']}: {f['what']} ({', '.join(map(str, f['levels']))})"
                        for f in result.get("factors", []))
    cost = result.get("cost") or {}
    blocks += [Paragraph(f"Factors and levels: {factors}. The shares hold for these ranges "
                         "only: wider ranges give a factor a larger share.", note=True),
               Paragraph(f"Method: {result.get('method', '?')}.", note=True),
               Paragraph(f"Cost: {num(cost.get('trial_s'), '.0f')} s of trial time "
                         f"({cost.get('executor', '?')} executor"
                         f"{', concurrent trials' if cost.get('concurrent') else ''}).",
                         note=True)]
    return Section("importance", "What matters more than the cell", blocks)


def build_importance_report(out_dir: str | os.PathLike, result: ImportanceResult) -> Path:
    """Write report.html and report.md for an importance study folder; returns the HTML path."""
    import gatebench

    out = Path(out_dir)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    task = (result.get("task") or {}).get("name", "?")
    report = Report(f"What matters on {task}",
                    f"{(result.get('design') or {}).get('trials', '?')} trials \u00b7 "
                    f"generated {now}", None, [importance_section(result)],
                    f"gatebench {gatebench.__version__} \u00b7 from importance.json in {out}")
    html = out / "report.html"
    write_atomic(html, render_html(report, gatebench.__version__))
    write_atomic(out / "report.md", render_markdown(report))
    return html


__all__ = ["build_importance_report", "importance_section", "part_label", "share_bars"]
