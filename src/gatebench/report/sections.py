"""The compare study's sections: verdict, results, speed and learning curves."""

from __future__ import annotations

from typing import Any

from gatebench.analysis import EQUIVALENT, INCONCLUSIVE, UNINFORMATIVE, arm_of, pair_records
from gatebench.analysis.documents import SummaryDoc, TimeRatio
from gatebench.analysis.pairing import Pair
from gatebench.numbers import is_finite
from gatebench.protocol.record import TrialRecord
from gatebench.report import figures as F
from gatebench.report.blocks import (
    MISSING,
    FigureBlock,
    FigureRow,
    Paragraph,
    Section,
    Table,
    Verdict,
    count,
    interval,
    mean_ci,
    metric_value,
    num,
    signed,
    up,
)
from gatebench.report.load import StudyData

# -- verdict --------------------------------------------------------------------------------


def verdict(data: StudyData) -> Verdict:
    """The verdict box: label, sentence, headline numbers and caveats."""
    s = data.summary or {}
    v = s.get("verdict") or {}
    cells = data.cells
    label = str(v.get("label", INCONCLUSIVE))
    if label == EQUIVALENT:
        css = "equivalent"
    elif label in (INCONCLUSIVE, UNINFORMATIVE):
        css = "inconclusive"
    else:
        css = f"win win-{label.split()[0].lower()}"
    hib = bool(s.get("higher_is_better", True))
    metric = s.get("metric", "metric")
    highlights = [
        (f"test {metric}", " \u00b7 ".join(
            f"{up(c)} {metric_value((s['cells'][c].get('test') or {}).get('mean'), hib)}"
            for c in cells)),
    ]
    d = s.get("difference") or {}
    if is_finite(d.get("mean")):
        ci = interval(v.get("ci"), signed)
        unit = str(s.get("unit", ""))
        sep = "" if unit.startswith("%") else " "  # "+1.2 points" but "+1.2% lower error"
        highlights.append((d.get("what", "difference").upper().replace("-", "\u2212"),
                           f"{signed(d['mean'])}{sep}{unit} {ci}".strip()))
    r = s.get("time_ratio") or {}
    if is_finite(r.get("geomean")):
        highlights.append(("training time per epoch",
                           f"{r['geomean']:.2f}\u00d7 {interval(r.get('ci'), _ratio)} "
                           f"({'/'.join(map(up, cells))})".replace("  ", " ")))
    highlights.append(("parameters", " \u00b7 ".join(
        f"{up(c)} {count((s['cells'][c].get('params') or {}).get('core'))} "
        f"(H = {s['cells'][c].get('hidden_size')})" for c in cells)))
    highlights.append(("seed pairs", str(s.get("n_pairs", MISSING))))
    if v.get("method"):
        rule = v.get("rule") or "paired"
        highlights.append(("decision rule", f"{v['method']} — its simulated error rates: "
                           f"`gatebench calibrate`, rule “{rule}” (README: How often "
                           "the verdicts are wrong)"))

    warnings = []
    if (s.get("protocol") or {}).get("concurrent") and r.get("source") != "timing pass":
        warnings.append("Some trials shared the machine with other trials running at the same "
                        "time: their timings are recorded but are no evidence for a speed claim.")
    for c in cells:
        n = s["cells"][c].get("n_diverged") or 0
        if n:
            warnings.append(f"{n} {up(c)} trial{'s' if n > 1 else ''} diverged; "
                            f"{(s.get('protocol') or {}).get('diverged_rule', 'counted as lost')}.")
    if s.get("skipped_pairs"):
        warnings.append(f"{s['skipped_pairs']} incomplete pair(s) left out: the study is still "
                        "running or a trial crashed; rerun gatebench compare to finish it.")
    if data.recomputed:
        warnings.append("summary.json was missing: this summary was recomputed from "
                        "results.sqlite.")
    return Verdict(label, str(v.get("text", "")), css, _speed_text(s, cells), highlights,
                   warnings, health_lines(s))


def health_lines(s: SummaryDoc) -> list[tuple[str, str, str]]:
    """(status, check, message) for the verdict box: failed checks first, then warnings, then
    one line for those that passed."""
    checks = s.get("health") or []
    lines = [(c.get("status", "warn"), str(c.get("check")), str(c.get("message")))
             for c in checks if c.get("status") in ("fail", "warn")]
    lines.sort(key=lambda line: line[0] != "fail")
    passed = [str(c.get("check")) for c in checks if c.get("status") == "ok"]
    if passed:
        lines.append(("ok", "passed", ", ".join(passed)))
    return lines


def _speed_text(s: SummaryDoc, cells: list[str]) -> str:
    """The training-time ratio in words: who trained faster, if the interval says so."""
    r = s.get("time_ratio") or {}
    g, ci = r.get("geomean"), r.get("ci") or [None, None]
    if len(cells) != 2 or not is_finite(g):
        return ""
    a, b = map(up, cells)
    span = f"{a}/{b} {g:.2f}\u00d7, 95% CI {interval(ci, _ratio) or 'unknown'}"
    per_epoch = "less training compute per epoch than"
    if is_finite(ci[1]) and ci[1] < 1:
        text = f"Speed: {a} needed {1 - g:.0%} {per_epoch} {b} ({span})."
    elif is_finite(ci[0]) and ci[0] > 1:
        text = f"Speed: {b} needed {1 - 1 / g:.0%} {per_epoch} {a} ({span})."
    else:
        text = f"Speed: no clear difference in training compute per epoch ({span})."
    if r.get("source") != "timing pass" and (s.get("protocol") or {}).get("concurrent"):
        text += " Trials ran concurrently, so this is no speed claim."
    return text


def timing_source(ratio: TimeRatio) -> str:
    """Which pass a training-time ratio came from, in words (terminal and report)."""
    if ratio.get("source") != "timing pass":
        where = "side by side with other trials" if ratio.get("concurrent") else "one at a time"
        return f"from the quality trials' own clocks (trials ran {where})"
    lo, hi = ratio.get("seq_lens") or (None, None)
    lengths = f", lengths {lo}\u2013{hi}" if lo is not None and lo != hi else ""
    return (f"from the timing pass: {ratio.get('rounds')} interleaved rounds over the study's "
            f"own {ratio.get('batches')} batches{lengths}, every shape warmed up first, "
            f"{ratio.get('threads')} thread(s) on {ratio.get('device')}, no trial running")


def _ratio(x: Any) -> str:
    return num(x, ".2f") if is_finite(x) and x < 100 else count(x)


# -- results ----------------------------------------------------------------------------------


def _peak_rss(data: StudyData, arm: str) -> float | None:
    """The largest peak resident memory among the arm's paired trials (None if unrecorded)."""
    peaks = [(r.memory or {}).get("peak_rss_mb") for r in data.headline_records()
             if r.arm == arm]
    finite = [p for p in peaks if is_finite(p)]
    return max(finite) if finite else None


def _pairs(data: StudyData) -> list[Pair]:
    return list(pair_records(data.headline_records(), data.cells))


def results(data: StudyData, draw: bool) -> Section:
    """Per-cell results, the paired figure and the per-seed table."""
    s = data.summary or {}
    cells = data.cells
    hib = bool(s.get("higher_is_better", True))
    metric = s.get("metric", "metric")

    def mv(x: Any) -> str:
        return metric_value(x, hib)

    rows = []
    for c in cells:
        cs = s["cells"][c]
        rows.append([
            up(c), str(cs.get("hidden_size")), count((cs.get("params") or {}).get("core")),
            mean_ci(cs.get("test"), mv), num((cs.get("per_epoch_s") or {}).get("mean"), ".3g"),
            num((cs.get("train_compute_s") or {}).get("mean"), ".3g"),
            num((cs.get("time_to_best_s") or {}).get("mean"), ".3g"),
            num((cs.get("epochs_to_best") or {}).get("mean"), ".3g"),
            f"{cs.get('n_diverged', 0)} of {cs.get('n_trials', MISSING)}",
            num(_peak_rss(data, c), ".0f"),
        ])
    table = Table(
        ["cell", "hidden", "params", f"test {metric} [95% CI]", "s / epoch", "train s",
         "s to best", "epochs to best", "diverged", "peak RSS MiB"], rows,
        caption="Means over seed pairs; times are training compute (forward, backward, step) "
                "on the quality trials' own clocks; peak RSS is the largest trial's resident "
                "memory (the whole process's).",
        numeric=(1, 2, 3, 4, 5, 6, 7, 9),
    )
    blocks: list[Any] = [table]
    image = F.render(F.paired_seeds, s) if draw else None
    blocks.append(FigureBlock(
        "Per-seed results", "Left: each seed's test metric, the two cells of a pair joined "
        "by a line. Right: each pair's difference, their mean with its 95% paired t interval, "
        "and the equivalence margin (green): inside it, the cells are equivalent.", image))

    seeds = s.get("seeds") or []
    cells = _compared(s, cells)  # k arms: the comparison "difference" describes
    va = (s["cells"][cells[0]].get("test") or {}).get("values") or []
    vb = (s["cells"][cells[1]].get("test") or {}).get("values") or []
    diffs = (s.get("difference") or {}).get("values") or []
    pairs = _pairs(data)
    seed_rows = []
    aligned = len(pairs) == len(seeds)
    for i, seed in enumerate(seeds):
        row = [str(seed)]
        for c, values in ((cells[0], va), (cells[1], vb)):
            text = mv(_at(values, i))
            if aligned and pairs[i][c].status == "diverged":
                text = "diverged" if text == MISSING else f"{text} (diverged)"
            row.append(text)
        row.append(signed(_at(diffs, i)))
        ratio = MISSING
        if aligned:
            ta = pairs[i][cells[0]].timing.per_epoch_s
            tb = pairs[i][cells[1]].timing.per_epoch_s
            if is_finite(ta) and is_finite(tb) and tb > 0:
                ratio = f"{ta / tb:.2f}\u00d7"
        seed_rows.append([*row, ratio])
    a, b = map(up, cells)
    blocks.append(Table(
        ["seed", a, b, f"{a} \u2212 {b} ({s.get('unit', 'points')})",
         f"time / epoch {a}/{b}"], seed_rows, caption=f"Each seed pair: test {metric}.",
        numeric=(1, 2, 3, 4)))
    return Section("results", "Results", blocks)


def _compared(s: SummaryDoc, cells: list[str]) -> list[str]:
    pairwise = s.get("pairwise") or []
    return [pairwise[0]["a"], pairwise[0]["b"]] if pairwise else cells[:2]


def _at(values: list[Any], i: int) -> Any:
    return values[i] if i < len(values) else None


def speed(data: StudyData, draw: bool) -> Section:
    """The training-time ratio with its interval, and the parameter counts."""
    s = data.summary or {}
    rows = []
    for key in ("time_ratio", "trial_time_ratio", "total_time_ratio"):
        r = s.get(key) or {}
        if r:
            values = [v for v in r.get("values") or () if is_finite(v)]
            source = "timing pass" if r.get("source") == "timing pass" else "trials"
            rows.append([str(r.get("what", key)), source, _ratio(r.get("geomean")) + "\u00d7",
                         interval(r.get("ci"), _ratio) or MISSING, str(len(values))])
    blocks: list[Any] = [FigureRow([
        FigureBlock("Training-time ratio",
                    "Geometric mean of per-pair ratios (\u25c6) with its 95% interval; dots "
                    "are single pairs. The orange band is the folklore's 20\u201330% speed-up.",
                    F.render(F.time_ratio, s) if draw else None),
        FigureBlock("Parameter counts", "What differs between the cells; the shared "
                    "embedding is excluded.", F.render(F.param_counts, s) if draw else None),
    ])]
    blocks.append(Table(["ratio", "measured by", "geometric mean", "95% CI",
                         "rounds or pairs"], rows, numeric=(2, 3, 4)))
    headline = s.get("time_ratio") or {}
    if headline:
        blocks.append(Paragraph(f"The headline ratio is {timing_source(headline)}.", note=True))
    if (s.get("protocol") or {}).get("concurrent"):
        blocks.append(Paragraph("Quality trials ran concurrently on a shared machine: their "
                                "own ratios are recorded, not a speed claim.", note=True))
    return Section("speed", "Training speed and size", blocks)


def curves(data: StudyData, draw: bool) -> Section | None:
    """Learning curves and time to accuracy from the per-epoch histories."""
    records = data.headline_records()
    if not any(r.history for r in records):
        return None
    s = data.summary or {}
    metric = s.get("metric", "metric")
    base = ((s.get("task") or {}).get("description") or {}).get("baseline") or {}
    baseline = base.get("value") if base.get("metric") == metric else None
    blocks: list[Any] = [
        FigureBlock("Learning curves", "Mean over seeds (line) and the range across seeds "
                    "(band); a seed stops contributing when early stopping ends it.",
                    F.render(F.learning_curves, records, metric) if draw else None),
        FigureBlock("Time to accuracy", f"Validation {metric} of every trial against the "
                    "wall time since its training began; \u2605 marks the checkpoint that "
                    "was tested." + (" Dotted: the baseline." if baseline is not None else ""),
                    F.render(F.time_to_metric, records, metric, baseline) if draw else None),
    ]
    blocks.append(_epoch_table(records, data.cells, metric))
    return Section("learning-curves", "Learning curves", blocks)


def _epoch_table(records: list[TrialRecord], cells: list[str], metric: str) -> Table:
    series = {}
    for c in cells:
        mine = [r for r in records if arm_of(r) == c]
        for key in ("val_metric", "val_loss", "train_loss"):
            epochs, mean, _, _ = F.by_epoch(mine, key)
            series[(c, key)] = dict(zip(epochs, mean, strict=True))
    epochs = sorted({e for values in series.values() for e in values})
    headers = ["epoch"]
    keys = []
    for key, label in (("val_metric", f"val {metric}"), ("val_loss", "val loss"),
                       ("train_loss", "train loss")):
        for c in cells:
            headers.append(f"{up(c)} {label}")
            keys.append((c, key))
    rows = [[str(e), *(num(series[k].get(e), ".4g") for k in keys)] for e in epochs]
    return Table(headers, rows, caption="Per-epoch means over the seeds still training",
                 numeric=tuple(range(1, len(headers))), folded=True)

