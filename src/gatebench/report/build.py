"""build_report(out_dir): compose the sections and write report.html and report.md atomically."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from gatebench.analysis.decision import EITHER, decide
from gatebench.analysis.documents import SummaryDoc
from gatebench.errors import GatebenchError
from gatebench.fileio import write_atomic
from gatebench.report import (
    claim_sections,
    extras,
    method,
    ranking,
    sections,
    seeding,
    tuning,
)
from gatebench.report.blocks import PickBox, Report, Section
from gatebench.report.html import render_html
from gatebench.report.load import SUMMARY_FILE, StudyData, load_study
from gatebench.report.markdown import render_markdown
from gatebench.store import STORE_FILENAME

REPORT_HTML = "report.html"
REPORT_MD = "report.md"


def _version() -> str:
    import gatebench  # the package root is lazy: this loads no torch

    return gatebench.__version__


def render_report(data: StudyData, draw: bool = True) -> Report:
    """Every section the data supports, in reading order (`draw=False` skips the figures)."""
    s = data.summary
    parts: list[Section | None] = [claim_sections.claims_table(data.claims)]
    if s is not None:
        parts += [
            method.protocol(data),
            method.data_section(data),
            sections.results(data, draw),
            ranking.ranking_section(data, draw),
            seeding.seeding(data, draw),
            tuning.tuning_section(data, draw),
            sections.speed(data, draw),
            sections.curves(data, draw),
            extras.fractions(data, draw),
        ]
    parts += [extras.long_range(data, draw), extras.latency(data, draw)]
    parts += claim_sections.claim_evidence(data.claims)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if s is not None:
        cells = " vs ".join(c.upper() for c in data.cells)
        task = (s.get("task") or {}).get("name", "?")
        title = f"{cells} on {task}"
        device = next((c.get("device") for c in s["cells"].values() if c.get("device")), "?")
        subtitle = (f"{s.get('n_pairs')} seed pairs \u00b7 test {s.get('metric')} \u00b7 "
                    f"{device} \u00b7 generated {now}")
        verdict = sections.verdict(data)
    else:
        title, subtitle, verdict = "gatebench claims", f"generated {now}", None
    sources = [name for name in (STORE_FILENAME, SUMMARY_FILE)
               if (data.out_dir / name).is_file()]
    footer = (f"gatebench {_version()} \u00b7 from {' and '.join(sources) or 'claims.json'} "
              f"in {data.out_dir} ({len(data.records)} trial records) \u00b7 self-contained: "
              "no scripts, fonts or network requests.")
    return Report(title, subtitle, verdict, [p for p in parts if p is not None], footer,
                  pick_box(s) if s is not None else None)


def pick_box(summary: SummaryDoc) -> PickBox | None:
    """The summary's `decision` (recomputed with the default priority when absent)."""
    decision = summary.get("decision")
    if not decision:
        try:
            decision = decide(summary).to_dict()
        except GatebenchError:  # fewer than two arms: no pick to make
            return None
    pick = str(decision.get("pick") or "")
    css = "equivalent" if pick == EITHER else f"win win-{pick.lower()}"
    actions = [f"training health ({a.get('check')}) at {a.get('at_pairs')} pairs: "
               f"{a.get('says')}" for a in (summary.get("seeding") or {}).get("health_actions")
               or []]
    return PickBox(str(decision.get("headline") or ""), list(decision.get("reasons") or []),
                   str(decision.get("priority") or ""), css,
                   [*(decision.get("notes") or []), *actions])


def build_report(out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write <out_dir>/report.html and report.md from the study's stored results."""
    data = load_study(out_dir)
    report = render_report(data)
    html_path, md_path = data.out_dir / REPORT_HTML, data.out_dir / REPORT_MD
    write_atomic(html_path, render_html(report, _version()))
    write_atomic(md_path, render_markdown(report))
    return html_path, md_path
