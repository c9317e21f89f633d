"""Terminal output: a live progress display while training and the final summary table."""

from __future__ import annotations

import itertools
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from gatebench.analysis.documents import Look, MeanCI, SeedingState, StudyLatency, SummaryDoc
from gatebench.cli.pick import render_decision
from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.report.sections import timing_source
from gatebench.run import StudyProgress
from gatebench.train import EpochRecord


class RichProgress(StudyProgress):
    """Two bars on stderr: trials done in the study, epochs of the running trial."""

    def __init__(self, console: Console, plan: str = "") -> None:
        self.metric = "metric"
        self.plan = plan  # printed when the first study starts (plan_text)
        self.bars = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
        )
        self.study_bar = self.trial_bar = None

    def study_start(self, total: int, done: int, metric: str = "metric") -> None:
        if self.plan:  # once, after the input was checked and the data loaded
            self.bars.console.print(self.plan, style="dim", highlight=False)
            self.plan = ""
        self.metric = metric
        self.bars.start()
        label = f"trials ({done} resumed)" if done else "trials"
        self.study_bar = self.bars.add_task(label, total=total, completed=done)

    def grow(self, total: int) -> None:
        if self.study_bar is not None:
            self.bars.update(self.study_bar, total=total)

    def look(self, look: Look) -> None:
        ci = look.get("ci") or (None, None)
        interval = (f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if None not in ci else "")
        mean = look.get("estimate")
        est = f"{mean:+.2f}{interval}" if mean is not None else "no estimate yet"
        then = "stop" if look.get("final") else "add seeds"
        if "decided" in look:  # k arms: the look is the ranking, no single estimate
            est = "ranking decided" if look["decided"] else "ranking not decided"
        self.bars.console.print(f"look at {look['pairs']} pairs: {est} → "
                                f"{look.get('verdict')} ({then})")

    def trial_start(self, spec: TrialSpec) -> None:
        if self.trial_bar is not None:
            self.bars.remove_task(self.trial_bar)
        self.trial_bar = self.bars.add_task(
            _trial_label(spec, "starting"), total=spec.train.max_epochs
        )

    def epoch_end(self, spec: TrialSpec, record: EpochRecord, max_epochs: int) -> None:
        detail = f"epoch {record.epoch}: val {self.metric} {record.val_metric:.4g}"
        self.bars.update(self.trial_bar, completed=record.epoch,
                         description=_trial_label(spec, detail))

    def trial_end(self, record: TrialRecord) -> None:
        self.bars.advance(self.study_bar)
        if self.trial_bar is not None:
            self.bars.update(self.trial_bar, completed=self.bars.tasks[-1].total)
        log_trial(self.bars, self.study_bar, record)

    def study_end(self) -> None:
        self.bars.stop()

    def phase(self, name: str, total: int) -> None:
        self.bars.console.print(f"{name[0].upper()}{name[1:]}…")

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bars.live.is_started:  # also on errors and Ctrl-C, so the message shows
            self.bars.stop()


def log_trial(bars: Progress, bar: Any, record: TrialRecord) -> None:
    """Where no live bars can be drawn (a log file, CI, a pipe), one line per finished trial."""
    if bars.console.is_terminal or bar is None:
        return
    task = next(t for t in bars.tasks if t.id == bar)
    fraction = record.data_fraction
    share = f" {fraction:.0%} data" if fraction < 1 else ""
    test = record.test.get(record.metric)
    result = (f"test {record.metric} {test:.4g}" if isinstance(test, float)
              else record.status or "done")
    seconds = record.timing.train_compute_s
    took = f", {seconds:.1f} s training" if seconds is not None else ""
    bars.console.print(f"[{task.completed:.0f}/{task.total:.0f}] {record.arm.upper()} seed "
                       f"{record.seed}{share}: {result}{took}", highlight=False)


def _trial_label(spec: TrialSpec, detail: str) -> str:
    fraction = f" {spec.data_fraction:.0%} data" if spec.data_fraction < 1 else ""
    return f"{spec.arm_label.upper():>4} seed {spec.seed}{fraction} · {detail}"


def _mean_ci(stat: MeanCI | None, digits: int) -> str:
    if not stat or stat.get("mean") is None:
        return "—"
    ci = stat.get("ci") or [None, None]
    mean = f"{stat['mean']:.{digits}f}"
    return mean if ci[0] is None else f"{mean} [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _mean(stat: MeanCI | None, digits: int) -> str:
    return "—" if not stat or stat.get("mean") is None else f"{stat['mean']:.{digits}f}"


def render_summary(summary: SummaryDoc, console: Console) -> None:
    """The final table (one row per arm) and the verdict in words."""
    metric = summary["metric"]
    table = Table(title=f"{summary['task']['name']}: test {metric}, best-validation checkpoint")
    columns = ("arm", "hidden", "params", f"{metric} [95% CI]", "s/epoch", "train s",
               "best ep.", "kernel")
    for column in columns:
        table.add_column(column, justify="left" if column in ("arm", "kernel") else "right")
    for arm, c in summary["cells"].items():
        params = c.get("params") or {}
        cell = c.get("cell") or arm
        options = ", ".join(f"{k}={v:g}" for k, v in (c.get("overrides") or {}).items())
        name = arm.upper() if cell == arm else f"{arm.upper()} ({cell.upper()})"
        name += f" {options}" if options else ""
        diverged = f" ({c['n_diverged']} diverged)" if c.get("n_diverged") else ""
        kernels = ", ".join(k.split(" (")[0] for k in c.get("kernels") or ["?"])
        table.add_row(
            name + diverged, str(c.get("hidden_size")), f"{params.get('core', 0):,}",
            _mean_ci(c.get("test"), 3), _mean(c.get("per_epoch_s"), 2),
            _mean(c.get("train_compute_s"), 1), _mean(c.get("epochs_to_best"), 1), kernels,
        )
    console.print(table)
    console.print("params: recurrent layers + head (what differs between cells); the shared "
                  "embedding is excluded.", style="dim")
    ratio = summary.get("time_ratio") or {}
    if ratio.get("geomean") is not None:
        ci = ratio.get("ci") or [None, None]
        span = f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if ci[0] is not None else ""
        console.print(f"Training time per epoch, {ratio['what']}: [bold]{ratio['geomean']:.2f}"
                      f"[/bold]{span}")
        console.print(f"  {timing_source(ratio)}", style="dim", highlight=False)
    _render_latency(summary.get("latency"), console)
    if (summary.get("protocol") or {}).get("concurrent"):
        console.print("Quality trials ran side by side: the table's times are their own clocks "
                      "(fine for accuracy, no speed claim); "
                      + ("the training-time ratio comes from the timing pass." if
                         ratio.get("source") == "timing pass" else
                         "rerun with --executor local for a speed claim."), style="dim")
    if len(summary.get("pairwise") or ()) > 1:
        render_ranking(summary, console)
    else:
        verdict = summary["verdict"]
        console.print(f"[bold]Verdict: {verdict['label']}[/bold]")
        console.print(verdict["text"])
    seeding = summary.get("seeding") or {}
    if seeding.get("stopped"):
        console.print(f"Seeds: {seeding['method']}; stopped: {seeding['stopped']}.",
                      style="dim")
        console.print(budget_line(seeding), style="dim", highlight=False)
    if summary.get("wall_s"):
        console.print(wall_line(summary["wall_s"]), style="dim", highlight=False)
    for action in seeding.get("health_actions") or []:
        console.print(f"Health action at {action.get('at_pairs')} pairs ({action['check']}): "
                      f"{action.get('says')}.", highlight=False)
    render_health(summary, console)
    render_decision(summary.get("decision"), console)


def budget_line(seeding: SeedingState) -> str:
    """'Budget: 412 s of 600 s used (69%); 14 of at most 30 pairs'."""
    used, budget = seeding.get("elapsed_s"), seeding.get("time_budget_s")
    share = f" ({used / budget:.0%})" if used is not None and budget else ""
    of = f" of {budget:.0f} s" if budget else " (no time limit)"
    spent = f"{used:.0f} s{of} used{share}" if used is not None else "time not recorded"
    over = ("; the first look's pairs run whatever the budget"
            if used is not None and budget and used > budget else "")
    past = seeding.get("seeds_past_stop")
    past = (f" ({past} more ran in the same parallel round, past the deciding look: stored "
            "for a continuation, outside the verdict)" if past else "")
    return (f"Budget: {spent}; {seeding.get('pairs_run', '?')} of at most "
            f"{seeding.get('max_seeds', '?')} pairs{past}{over}")


def wall_line(wall_s: dict[str, float]) -> str:
    """'Wall time of this run: 26 s (set-up 3 s, timing pass 5 s, trials 15 s, ...)'."""
    parts = ", ".join(f"{stage} {s:.0f} s" for stage, s in wall_s.items() if s >= 0.5)
    return f"Wall time of this run: {sum(wall_s.values()):.0f} s ({parts})"


def plan_text(seeds: int | str | None, max_pairs: int, time_budget: float,
              priority: str) -> str:
    """Before training: how many pairs and how long the study may take, and the priority."""
    if seeds is None or seeds == "auto":
        return (f"Seeds: auto, adding pairs until decided: at most {max_pairs} pairs within "
                f"{time_budget:g} s (--max-seeds, --time-budget); pick priority: {priority}.")
    return f"Seeds: {seeds} fixed pairs; pick priority: {priority}."


def render_ranking(summary: SummaryDoc, console: Console) -> None:
    """k arms: the ranking (ties where the data cannot separate arms), then every pairwise
    verdict with the level Holm tested it at."""
    ranking = summary["ranking"]
    state = "decided" if ranking["decided"] else "not decided"
    console.print(f"[bold]Ranking ({state}): {ranking['text']}[/bold]", highlight=False)
    table = Table(title=f"Pairwise verdicts ({ranking['method']})", title_justify="left")
    for column in ("comparison", f"mean ({summary['unit']}) [95% CI]", "Holm α", "verdict"):
        table.add_column(column, justify="right" if column.startswith(("mean", "Holm"))
                         else "left")
    for row in summary["pairwise"]:
        lo, hi = row["ci"]
        mean = "—" if row["mean"] is None else f"{row['mean']:+.2f}"
        span = f" [{lo:+.2f}, {hi:+.2f}]" if lo is not None else ""
        table.add_row(f"{row['a'].upper()} − {row['b'].upper()}", mean + span,
                      f"{row['holm']['alpha']:.4f}", row["verdict"]["label"])
    console.print(table)


HEALTH_MARKS = {"fail": "[red]✗ fail[/red]", "warn": "[yellow]! warn[/yellow]"}


def render_health(summary: SummaryDoc, console: Console) -> None:
    """The training-health checks that did not pass, and what the step floor changed."""
    checks = summary.get("health") or []
    bad = [c for c in checks if c.get("status") in HEALTH_MARKS]
    if checks and not bad:
        console.print(f"Training health: all {len(checks)} checks passed.", style="dim")
    elif bad:
        console.print("[bold]Training health[/bold]")
    for c in bad:
        line = Text.from_markup(f"  {HEALTH_MARKS[c['status']]} ")
        line.append(f"{c['check']}: {c['message']}")
        console.print(line, highlight=False)
    for note in (summary.get("study") or {}).get("training_floor") or []:
        console.print(f"Training floor: {note}", style="dim", highlight=False, markup=False)


def _render_latency(latency: StudyLatency | None, console: Console) -> None:
    """One line per input form and cell: the trained models' p50 latency ratio to the last
    cell (GRU/LSTM for a default study) per runtime."""
    ratios = (latency or {}).get("ratios") or []
    pairs = dict.fromkeys((r["numerator"], r["denominator"]) for r in ratios)
    for (top, bottom), (mode, what) in itertools.product(pairs, (
            ("full", f"full sequence, T={(latency or {}).get('seq_len')}"),
            ("step", "one streaming step"))):
        mine = [r for r in ratios if r["mode"] == mode and r["batch"] == 1
                and (r["numerator"], r["denominator"]) == (top, bottom)]
        if not mine:
            continue
        parts = ", ".join(f"{r['runtime']} [bold]{r['p50_ratio']:.2f}[/bold] "
                          f"({r['p50_ratio_ci95'][0]:.2f}–{r['p50_ratio_ci95'][1]:.2f})"
                          for r in mine)
        console.print(f"Inference latency {top.upper()}/{bottom.upper()} (p50, batch 1, {what}): "
                      f"{parts}")
    if ratios:
        console.print("  from the latency pass: each arm's best checkpoint, timed after the "
                      "quality trials with no trial running", style="dim", highlight=False)
    for name, why in ((latency or {}).get("skipped") or {}).items():
        console.print(f"latency: {name} skipped: {why}", style="dim")


def _param(name: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{name}={value:.3g}"
    return f"{name}={value}"


def render_tuning(summary: SummaryDoc, console: Console) -> None:
    """The equal-budget search per arm: trials, chosen configuration, default vs best."""
    tuning = summary.get("tuning")
    if not tuning:
        return
    metric = summary.get("metric", "metric")
    table = Table(title=f"Equal-budget tuning: {tuning['trials_per_arm']} trials per arm, "
                  f"{tuning['sampler']}; chosen on validation {metric}")
    for column in ("arm", "trials", "chosen", f"best val {metric}", f"default val {metric}",
                   "gain over default"):
        table.add_column(column, justify="left" if column in ("arm", "chosen") else "right")
    for label, arm in tuning["arms"].items():
        best = arm.get("best") or {}
        table.add_row(label, str(len(arm.get("trials") or [])),
                      ", ".join(_param(k, v) for k, v in best.items()) or "\u2013",
                      _num(arm.get("best_value")), _num(arm.get("default_value")),
                      _num(arm.get("gain_over_default"), signed=True))
    console.print(table)


def _num(value: Any, signed: bool = False) -> str:
    if not isinstance(value, (int, float)):
        return "\u2013"
    return f"{value:+.4g}" if signed else f"{value:.4g}"
