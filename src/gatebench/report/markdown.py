"""The report as Markdown: verdict and tables for a terminal or a pull request; figures named.

Figures stay in report.html: GitHub drops data-URI images from Markdown and a terminal would
show kilobytes of base64, so each section says which figures the HTML holds instead.
"""

from __future__ import annotations

import re

from gatebench.report.blocks import (
    Bullets,
    Cell,
    FigureBlock,
    FigureRow,
    Paragraph,
    Report,
    Section,
    Table,
    Value,
)

# Colour that survives plain text: a terminal or PR shows the verdict at a glance.
BADGE_MARKS = {"supported": "\U0001f7e2", "refuted": "\U0001f534", "mixed": "\U0001f7e0",
               "inconclusive": "\u26aa"}


def _slug(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(v: Value, anchors: dict[str, str]) -> str:
    if not isinstance(v, Cell):
        return _escape(v)
    text = _escape(v.text)
    if v.badge:
        mark = BADGE_MARKS.get(v.badge, "")
        return f"{mark} **{text}**".strip()
    if v.href:
        href = v.href
        if href.startswith("#"):
            href = "#" + anchors.get(href[1:], href[1:])
        return f"[{text}]({href})"
    return text


def _table(t: Table, anchors: dict[str, str]) -> list[str]:
    headers = ["setting", "value"] if t.keyvalue else t.headers
    out = []
    if t.caption:
        out += [f"*{_escape(t.caption)}*", ""]
    out.append("| " + " | ".join(_escape(h) for h in headers) + " |")
    out.append("|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(headers)))
               + "|")
    for row in t.rows:
        out.append("| " + " | ".join(_value(v, anchors) for v in row) + " |")
    return [*out, ""]


def render_markdown(report: Report) -> str:
    """The Markdown twin of the HTML report."""
    anchors = {s.id: _slug(s.title) for s in report.sections}
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    lines += _pick_lines(report) + _verdict_lines(report)
    for section in report.sections:
        lines += _section_lines(section, anchors)
    lines += ["---", "", report.footer, ""]
    return "\n".join(lines)


def _pick_lines(report: Report) -> list[str]:
    if report.pick is None:
        return []
    return [f"## {report.pick.headline}", "",
            *(f"- {reason}" for reason in report.pick.reasons),
            *(f"> **Note:** {note}" for note in report.pick.notes),
            "", f"*The pick, for this data on this hardware (priority: "
                f"{report.pick.priority}).*", ""]


def _verdict_lines(report: Report) -> list[str]:
    v = report.verdict
    if v is None:
        return []
    lines = [f"## Verdict: {v.label}", "", v.text, ""]
    if v.speed:
        lines += [v.speed, ""]
    lines += [f"- **{k}**: {x}" for k, x in v.highlights]
    lines.append("")
    lines += [f"> **Note:** {w}" for w in v.warnings]
    if v.warnings:
        lines.append("")
    if v.health:
        lines += ["Training health:", ""]
        lines += [f"- **{status}** {check}: {message}" for status, check, message in v.health]
        lines.append("")
    return lines


def _section_lines(section: Section, anchors: dict[str, str]) -> list[str]:
    lines = [f"## {section.title}", ""]
    figures: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            lines += [f"*{block.text}*" if block.note else block.text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {_value(item, anchors)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            lines += _table(block, anchors)
        elif isinstance(block, FigureBlock):
            figures.append(block.title)
        elif isinstance(block, FigureRow):
            figures += [f.title for f in block.figures]
    if figures:
        lines += [f"*Figures in report.html: {'; '.join(figures)}.*", ""]
    return lines
