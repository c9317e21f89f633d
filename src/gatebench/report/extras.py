"""Sections shown only where their data exists: training fractions, long range, latency.

The accepted input shapes are documented in the package docstring (gatebench.report).
"""

from __future__ import annotations

from typing import Any

from gatebench.analysis import learning_curve
from gatebench.analysis.documents import LatencyRow
from gatebench.claims.long import Crossover
from gatebench.errors import GatebenchError
from gatebench.numbers import P99_TOO_FEW, is_finite
from gatebench.protocol import DEFAULT_CELLS
from gatebench.protocol.record import trials_only
from gatebench.report import figures as F
from gatebench.report.blocks import (
    MISSING,
    Bullets,
    FigureBlock,
    Paragraph,
    Section,
    Table,
    interval,
    mean_ci,
    metric_value,
    num,
    signed,
    up,
)
from gatebench.report.load import StudyData


def _skipped(n: int, what: str) -> list[Paragraph]:
    if not n:
        return []
    return [Paragraph(f"{n} {what} row(s) lacked required fields and were left out.", note=True)]


def _order_cells(found: list[str], preferred: list[str]) -> list[str]:
    seen = list(dict.fromkeys(found))
    return [c for c in preferred if c in seen] + [c for c in seen if c not in preferred]


def _rows_of(raw: Any) -> list[Any]:
    rows = raw.get("rows") if isinstance(raw, dict) else None
    return rows if isinstance(rows, list) else []


# -- accuracy by training fraction ----------------------------------------------------------


def fractions(data: StudyData, draw: bool) -> Section | None:
    """Test metric and overfitting gap per training fraction (records with several fractions)."""
    s = data.summary or {}
    cells = data.cells
    trials = trials_only(data.records)
    present = {float(r.data_fraction) for r in trials}
    if len(present) < 2 or len(cells) != 2:
        return None
    try:
        rows = learning_curve(trials, cells)
    except GatebenchError:
        return None
    metric, hib = s.get("metric", "metric"), bool(s.get("higher_is_better", True))

    def mv(x: Any) -> str:
        return metric_value(x, hib)

    a, b = map(up, cells)
    table_rows = []
    for r in rows:
        d = r.get("difference") or {}
        table_rows.append([
            f"{r['data_fraction']:.0%}" if r["data_fraction"] >= 0.01
            else f"{r['data_fraction']:.2%}",
            str(r.get("n_pairs")),
            mean_ci(r.get(cells[0]), mv), mean_ci(r.get(cells[1]), mv),
            f"{signed(d.get('mean'))} {interval(d.get('ci'), signed)}".strip(),
            num(((r.get(cells[0]) or {}).get("gap") or {}).get("mean"), ".3f"),
            num(((r.get(cells[1]) or {}).get("gap") or {}).get("mean"), ".3f"),
        ])
    table = Table(
        ["training fraction", "pairs", f"{a} {metric} [95% CI]", f"{b} {metric} [95% CI]",
         f"{a} \u2212 {b} ({s.get('unit', 'points')})", f"{a} gap", f"{b} gap"],
        table_rows, numeric=(1, 2, 3, 4, 5, 6),
        caption="gap: validation minus training loss at the best epoch; higher means more "
                "overfitting.")
    image = F.render(F.fraction_curve, rows, cells, metric) if draw else None
    return Section("data-fraction", "Accuracy by training fraction", [
        FigureBlock("Learning curve over data size", "Each fraction is a random subset of the "
                    "training split, the same for both cells of a pair.", image),
        table,
    ])


# -- long-range probes ----------------------------------------------------------------------


def _long_rows(raw: Any) -> tuple[list[F.ScoreRow], int]:
    rows: list[F.ScoreRow] = []
    bad = 0
    for r in _rows_of(raw):
        score = r.get("score", r.get("success_rate")) if isinstance(r, dict) else None
        ok = (isinstance(r, dict) and isinstance(r.get("cell"), str) and is_finite(r.get("seq_len"))
              and is_finite(score))
        if not ok:
            bad += 1
            continue
        ci = r.get("ci")
        ci = [float(ci[0]), float(ci[1])] if interval(ci) else None
        rows.append({"task": str(r.get("task") or ""), "cell": r["cell"],
                     "seq_len": float(r["seq_len"]), "score": float(score),
                     "n": r.get("n"), "ci": ci})
    return rows, bad


def _given_crossovers(raw: Any) -> dict[str, Crossover]:
    given = raw.get("crossover") if isinstance(raw, dict) else None
    entries = given if isinstance(given, list) else [given] if isinstance(given, dict) else []
    return {str(e.get("task") or ""): e for e in entries if isinstance(e, dict)}


def long_range(data: StudyData, draw: bool) -> Section | None:
    """Score per sequence length on the long-range probes, with the long claim's crossover.

    The crossover shown is the one the claim computed (claims.long.crossover, the single
    definition); the report computes none of its own, so it can never print a crossover the
    claim says does not exist.
    """
    rows, bad = _long_rows(data.long_range)
    if not rows:
        return None
    raw = data.long_range
    cells = _order_cells([r["cell"] for r in rows], data.cells or list(DEFAULT_CELLS))
    given = _given_crossovers(raw)
    panels, notes, table_rows = [], [], []
    for task in dict.fromkeys(r["task"] for r in rows):
        mine = [r for r in rows if r["task"] == task]
        cross = given.get(task) or (given.get("") if len(given) == 1 else None)
        mark = cross if cross and is_finite(cross.get("seq_len")) else None
        panels.append((task, mine, mark))
        name = task or "long-range probe"
        if mark:
            notes.append(f"{name}: crossover at T = {num(mark.get('seq_len'), 'g')}"
                         + (f": {mark['text']}" if mark.get("text") else ""))
        elif cross and cross.get("text"):
            notes.append(f"{name}: {cross['text']}")
        else:
            notes.append(f"{name}: no crossover given")
        for t in sorted({r["seq_len"] for r in mine}):
            cells_at = {r["cell"]: r for r in mine if r["seq_len"] == t}
            table_rows.append([name, num(t, "g"), *(_score(cells_at.get(c)) for c in cells)])
    blocks: list[Any] = []
    rule = (raw.get("score_rule") or raw.get("success_rule")) if isinstance(raw, dict) else None
    if rule:
        blocks.append(Paragraph(f"Score (1 = solved, 0 = no better than the baseline): {rule}."))
    blocks.append(FigureBlock("Score by sequence length", "Mean score over seeds (band: its "
                              "interval where given); the dashed line marks the long claim's "
                              "crossover.",
                              F.render(F.long_range_curves, panels, cells) if draw else None))
    blocks.append(Bullets(notes))
    blocks.append(Table(["task", "T", *(f"{up(c)} score" for c in cells)], table_rows,
                        numeric=tuple(range(1, 2 + len(cells)))))
    blocks += _skipped(bad, "long-range")
    return Section("long-range", "Long-range dependencies", blocks)


def _score(r: F.ScoreRow | None) -> str:
    if r is None:
        return MISSING
    text = f"{r['score']:.2f}"
    if r.get("ci"):
        text += f" [{r['ci'][0]:.2f}, {r['ci'][1]:.2f}]"
    if is_finite(r.get("n")):
        text += f" (n = {r['n']:g})"
    return text


# -- latency ----------------------------------------------------------------------------------


def _latency_rows(raw: Any) -> tuple[list[LatencyRow], int]:
    rows: list[LatencyRow] = []
    bad = 0
    for r in _rows_of(raw):
        ok = (isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("cell", "runtime"))
              and all(is_finite(r.get(k)) for k in ("batch", "p50_ms")))
        mode = str(r.get("mode") or "full") if ok else ""
        # A streaming step has no sequence length; a full-sequence row needs one.
        length = r.get("seq_len") if ok else None
        if not ok or not (is_finite(length) or mode == "step" and length is None):
            bad += 1
            continue
        rows.append({**r, "mode": mode})
    return rows, bad


def _ms(x: Any) -> str:
    return num(x, ".3g")


def latency(data: StudyData, draw: bool) -> Section | None:
    """Inference latency per sequence length, cell and runtime (p50, p95, p99)."""
    rows, bad = _latency_rows(data.latency)
    if not rows:
        return None
    raw = data.latency
    cells = _order_cells([r["cell"] for r in rows], data.cells or list(DEFAULT_CELLS))
    keyed: dict[tuple, dict[str, LatencyRow]] = {}
    for r in rows:
        key = (r["runtime"], r["mode"], r["batch"], r["seq_len"])
        keyed.setdefault(key, {})[r["cell"]] = r
    ratio = len(cells) >= 2
    table_rows = []
    for (runtime, mode, batch, t), by_cell in sorted(keyed.items(),
                                                    key=lambda kv: (kv[0][1], kv[0][2],
                                                                    kv[0][0], kv[0][3])):
        row = [runtime, "one step" if mode == "step" else "full sequence", num(batch, "g"),
               num(t, "g")]
        for c in cells:
            r = by_cell.get(c)
            row.append(MISSING if r is None else
                       f"{_ms(r['p50_ms'])} ({_ms(r.get('p95_ms'))}, {_ms(r.get('p99_ms'))})")
        if ratio:
            ra, rb = by_cell.get(cells[0]), by_cell.get(cells[1])
            row.append(f"{ra['p50_ms'] / rb['p50_ms']:.2f}\u00d7"
                       if ra and rb and rb["p50_ms"] > 0 else MISSING)
        table_rows.append(row)
    headers = ["runtime", "input", "batch", "T", *(f"{up(c)} p50 (p95, p99) ms" for c in cells)]
    if ratio:
        headers.append(f"p50 {up(cells[0])}/{up(cells[1])}")
    blocks: list[Any] = []
    facts = [f"{k} {raw[k]}" for k in ("device", "threads") if isinstance(raw, dict) and
             raw.get(k) is not None]
    if facts:
        blocks.append(Paragraph("Measured on " + ", ".join(facts) + " by the latency pass: "
                                "each arm's best checkpoint, timed after the quality trials "
                                "with no trial running."))
    if isinstance(raw, dict) and raw.get("note"):
        blocks.append(Paragraph(str(raw["note"]), note=True))
    blocks.append(FigureBlock("Latency per runtime", "Median latency with a whisker up to the "
                              "95th percentile; colour is the cell, marker (and line style, "
                              "across lengths) the runtime.",
                              F.render(F.latency_curves, rows, cells) if draw else None))
    blocks.append(Table(headers, table_rows, numeric=tuple(range(2, len(headers)))))
    if any(r.get("p99_ms") is None for r in rows):
        blocks.append(Paragraph(f"A p99 shown as {MISSING}: {P99_TOO_FEW}.", note=True))
    blocks += _skipped(bad, "latency")
    return Section("latency", "Inference latency", blocks)
