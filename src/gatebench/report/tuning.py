"""The equal-budget search behind a tuned study: each arm's trials, choice and default's gap."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from gatebench.analysis.documents import TuningReport
from gatebench.numbers import is_finite
from gatebench.report import figures as F
from gatebench.report.blocks import FigureBlock, Paragraph, Section, Table, num, signed
from gatebench.report.load import StudyData


def _params(params: dict[str, Any] | None) -> str:
    if not params:
        return "\u2014"
    return ", ".join(f"{k} {num(v, '.3g')}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in params.items())


def search_curves(tuning: TuningReport, higher_is_better: bool) -> Figure | None:
    """Validation metric of every search trial per arm, with the best so far as a line."""
    arms = tuning.get("arms") or {}
    if not arms:
        return None
    fig = F.new_figure(5.0, 2.8)
    ax = fig.subplots()
    labels = list(arms)
    for label, arm in arms.items():
        color = F.cell_color(arm.get("cell", label), [a.get("cell", k) for k, a in arms.items()])
        if len(set(a.get("cell") for a in arms.values())) < len(arms):
            color = F.OTHER_COLORS[labels.index(label) % len(F.OTHER_COLORS)]
        points = [(i + 1, t["value"]) for i, t in enumerate(arm.get("trials") or [])
                  if is_finite(t.get("value"))]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        best, running = [], None
        for y in ys:
            running = y if running is None else (max if higher_is_better else min)(running, y)
            best.append(running)
        ax.scatter(xs, ys, color=color, s=14, alpha=0.6)
        ax.plot(xs, best, color=color, label=f"{label} (best so far)")
    ax.set_xlabel("search trial (1: the default configuration)")
    ax.set_ylabel("validation metric")
    ax.legend()
    return fig


def tuning_section(data: StudyData, draw: bool = True) -> Section | None:
    """The search per arm; None for a study that was not tuned."""
    summary = data.summary or {}
    tuning = summary.get("tuning")
    if not tuning:
        return None
    metric = summary.get("metric", "metric")
    rows = []
    for label, arm in (tuning.get("arms") or {}).items():
        rows.append([label, str(len(arm.get("trials") or [])), _params(arm.get("best")),
                     num(arm.get("best_value"), ".4g"), _params(arm.get("default")),
                     num(arm.get("default_value"), ".4g"),
                     signed(arm.get("gain_over_default"), 3)])
    space = "; ".join(f"{k} {num(v['low'], '.3g')}\u2013{num(v['high'], '.3g')}"
                      f"{' (log)' if v.get('log') else ''}"
                      for k, v in (tuning.get("space") or {}).items())
    blocks: list[Any] = [
        Paragraph(f"Every arm was searched with the same space ({space}), sampler "
                  f"({tuning.get('sampler')}) and {tuning.get('trials_per_arm')} trials. "
                  f"Selection: {tuning.get('selection')}. The seed pairs above ran each arm's "
                  "chosen configuration."),
        Table(["arm", "trials", "chosen", f"best validation {metric}", "default",
               f"default validation {metric}", "gain over default"], rows,
              numeric=(1, 3, 5, 6)),
    ]
    if draw:
        blocks.append(FigureBlock("Search per arm", "Dots: each trial's validation metric; "
                                  "line: best so far.",
                                  F.render(search_curves, tuning,
                                           bool(summary.get("higher_is_better", True)))))
    trials = [[label, str(t["number"]), _params(t.get("params")), num(t.get("value"), ".4g"),
               t.get("state", "")]
              for label, arm in (tuning.get("arms") or {}).items()
              for t in arm.get("trials") or []]
    blocks.append(Table(["arm", "trial", "configuration", f"validation {metric}", "state"],
                        trials, caption="Every search trial", numeric=(1, 3), folded=True))
    blocks.append(Paragraph(f"Search storage: {tuning.get('storage')} in the study folder "
                            "(Optuna); rerunning the command resumes the search.", note=True))
    return Section("tuning", "Equal-budget tuning", blocks)


__all__ = ["search_curves", "tuning_section"]
