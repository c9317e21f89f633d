"""The claims table (coloured verdicts) and one evidence section per claim, from claims.json.

Accepts the suite's ClaimResult dicts (effect as {"what", "value", "ci", "unit"}; evidence as
rows with label, what, value, ci, n, task, runtime, ...) and the simpler hand-written form
(effect as text or a number, a top-level "ci", evidence as text or {"text", "href"} links).
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeGuard
from urllib.parse import urlsplit

from gatebench.analysis.combine import CombinedDoc
from gatebench.claims.base import Effect, EvidenceRow, Exclusions
from gatebench.numbers import is_finite
from gatebench.report.blocks import (
    MISSING,
    Bullets,
    Cell,
    Paragraph,
    Section,
    Table,
    anchor,
    interval_sig,
    num,
)

CLAIM_VERDICTS = ("supported", "refuted", "mixed", "inconclusive")
RATIO_UNIT = "ratio"
# Evidence-row fields shown as columns, in this order, when any row has them.
EVIDENCE_COLUMNS = (("label", "evidence"), ("task", "task"), ("device", "device"),
                    ("runtime", "runtime"), ("mode", "mode"), ("seq_len", "T"),
                    ("batch", "B"), ("hidden", "H"),
                    ("what", "measure"), ("value", "value"), ("ci", "95% CI"), ("n", "n"),
                    ("outcome", "rule outcome"), ("verdict", "verdict"),
                    ("counts_as", "counts as"), ("uninformative", "uninformative because"),
                    ("detail", "detail"))
_MAX_DETAIL = 160


class EvidenceLink(TypedDict, total=False):
    """A hand-written evidence item: its text and where it points (an anchor or a file)."""

    text: str
    href: str


class ClaimDoc(TypedDict, total=False):
    """A claim as claims.json holds it: the suite's form (claims.base.ClaimJSON) or the
    hand-written one (effect as text or a number, a top-level ci, evidence as text or links)."""

    id: str
    statement: str
    verdict: str
    reason: str
    effect: Effect | str | float | None
    ci: list[float | None] | str | None  # hand-written: beside a text or number effect
    depends_on: str | None
    evidence: list[EvidenceRow | EvidenceLink | str]
    excluded: Exclusions
    would_change: str
    combined: CombinedDoc | None
    detail: str  # hand-written notes, shown beside the reason
    note: str


def claim_id(claim: ClaimDoc, index: int) -> str:
    """The claim's anchor id in the report."""
    return "claim-" + anchor(claim.get("id") or index + 1)


def verdict_cell(verdict: Any) -> Cell:
    """A claim verdict as a coloured badge (unknown words show grey)."""
    label = str(verdict or "inconclusive").lower()
    return Cell(label, badge=label if label in CLAIM_VERDICTS else "inconclusive")


def _g(x: Any) -> str:
    return num(x, ".3g")


def _value(value: Any, unit: Any = "") -> str:
    if not is_finite(value):
        return MISSING if value is None else str(value)
    if unit == RATIO_UNIT:
        return f"{value:.2f}\u00d7"
    return f"{_g(value)} {unit or ''}".strip()


def _effect(claim: ClaimDoc) -> tuple[str, str]:
    """(effect, CI) as text, from either claim form."""
    e = claim.get("effect")
    ci = claim.get("ci")
    if isinstance(e, dict):
        text = _value(e.get("value"), e.get("unit"))
        ci = ci if ci is not None else e.get("ci")
    elif e is None:
        text = MISSING
    else:
        text = _g(e) if is_finite(e) else str(e)
    ci_text = ci if isinstance(ci, str) else (interval_sig(ci) or MISSING)
    return text, ci_text


def _what(claim: ClaimDoc) -> str:
    e = claim.get("effect")
    return str(e.get("what") or "") if isinstance(e, dict) else ""


def _brief(value: Any, depth: int = 0) -> str:
    """A nested value in one short line (dicts as "k v, k v"), cut at a readable length."""
    if isinstance(value, dict):
        parts = [f"{k} {_brief(v, depth + 1)}" for k, v in value.items()
                 if v is not None and depth < 2]
        text = ", ".join(parts)
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_brief(v, depth + 1) for v in value[:8])
    elif isinstance(value, float):
        text = _g(value)
    else:
        text = str(value)
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "\u2026"


def _link(item: EvidenceLink) -> Cell:
    text = str(item.get("text") or item.get("href") or "")
    href = item.get("href")
    if isinstance(href, str) and href:
        parts = urlsplit(href)
        if not parts.scheme and not parts.netloc:  # an anchor here or a relative file
            return Cell(text, href=href)
        return Cell(f"{text} ({href})" if text != href else text)  # never a network link
    return Cell(text)


def _is_row(item: Any) -> TypeGuard[EvidenceRow]:
    return isinstance(item, dict) and "href" not in item and "text" not in item


def _evidence_table(rows: list[EvidenceRow]) -> Table:
    columns = [(k, h) for k, h in EVIDENCE_COLUMNS if any(r.get(k) not in (None, "", {})
                                                           for r in rows)]
    body = []
    for r in rows:
        line: list[Any] = []
        for key, _ in columns:
            v = r.get(key)
            if key == "value":
                line.append(_value(v, r.get("unit")))
            elif key == "ci":
                line.append(interval_sig(v) or MISSING)
            elif key in ("verdict", "counts_as"):
                line.append(verdict_cell(v) if v else MISSING)
            else:
                line.append(MISSING if v in (None, "") else _brief(v))
        body.append(line)
    numeric = tuple(i for i, (k, _) in enumerate(columns)
                    if k in ("seq_len", "batch", "hidden", "value", "ci", "n"))
    return Table([h for _, h in columns], body, numeric=numeric)


def claims_table(claims: list[ClaimDoc]) -> Section | None:
    """The claims at a glance: coloured verdicts, each linking to its evidence."""
    if not claims:
        return None
    rows = []
    for i, c in enumerate(claims):
        target = "#" + claim_id(c, i)
        effect, ci = _effect(c)
        rows.append([Cell(str(c.get("id") or i + 1), href=target), str(c.get("statement", "")),
                     verdict_cell(c.get("verdict")), tally(c), effect, ci,
                     str(c.get("would_change") or MISSING),
                     Cell("evidence \u2193", href=target)])
    return Section("claims", "Claims", [
        Table(["claim", "statement", "verdict", "tasks", "effect", "95% CI",
               "what would change this verdict", ""], rows, numeric=(4, 5)),
    ])


def tally(claim: ClaimDoc) -> str:
    """"k of N tasks informative, j for, i against" (a dash for a claim not combined)."""
    return str((claim.get("combined") or {}).get("tally") or MISSING)


def claim_evidence(claims: list[ClaimDoc]) -> list[Section]:
    """One section per claim: its verdict, reason, numbers and evidence."""
    sections = []
    for i, c in enumerate(claims):
        effect, ci = _effect(c)
        facts: list[list[Any]] = [["verdict", verdict_cell(c.get("verdict"))]]
        if _what(c):
            facts.append(["measured", _what(c)])
        facts += [["effect", effect], ["95% CI", ci]]
        if c.get("depends_on"):
            dep = str(c["depends_on"])
            facts.append(["depends on", Cell(dep, href="#claim-" + anchor(dep))])
        for key in ("reason", "detail", "note"):
            if c.get(key):
                facts.append([key, _brief(c[key]) if not isinstance(c[key], str) else c[key]])
        if c.get("would_change"):
            facts.append(["what would change this verdict", str(c["would_change"])])
        excluded = {k: v for k, v in (c.get("excluded") or {}).items() if v}
        if excluded:
            facts.append(["left out", _brief(excluded)])
        blocks: list[Any] = [Paragraph(str(c.get("statement", ""))),
                             Table(["", ""], facts, keyvalue=True)]
        items = list(c.get("evidence") or ())
        rows = [e for e in items if _is_row(e)]
        others = [_link(e) if isinstance(e, dict) else Cell(str(e)) for e in items
                  if not _is_row(e)]
        if rows:
            blocks.append(_evidence_table(rows))
        if others:
            blocks.append(Bullets(others))
        if not items:
            blocks.append(Paragraph("No evidence recorded.", note=True))
        title = f"Claim \u201c{c.get('id') or i + 1}\u201d: evidence"
        sections.append(Section(claim_id(c, i), title, blocks))
    return sections
