"""The report as data: sections of paragraphs, tables and figures that HTML and Markdown share."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from gatebench.numbers import is_finite
from gatebench.report.figures import Image

MISSING = "\u2014"
MINUS = "\u2212"


@dataclass(frozen=True)
class Cell:
    """A table cell or list item: text, optionally a coloured badge (css class) or a link."""

    text: str
    badge: str | None = None
    href: str | None = None


Value = str | Cell


@dataclass
class Paragraph:
    """Prose; `note` renders it small and muted."""

    text: str
    note: bool = False


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[Value]


@dataclass
class Table:
    """A table; `numeric` columns align right, `folded` ones start collapsed in HTML."""

    headers: list[str]
    rows: list[list[Value]]
    caption: str = ""
    numeric: tuple[int, ...] = ()
    folded: bool = False
    keyvalue: bool = False  # a two-column "what: value" table, the first column a label


@dataclass
class FigureBlock:
    """A figure and what it shows; `image` is None when it could not be drawn."""

    title: str
    caption: str
    image: Image | None


@dataclass
class FigureRow:
    """Figures shown side by side in HTML (one after another in Markdown)."""

    figures: list[FigureBlock]


Block = Paragraph | Bullets | Table | FigureBlock | FigureRow


@dataclass
class Section:
    """A titled part of the report with an anchor id."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Verdict:
    """The answer first: the label, the sentence, key numbers and caveats."""

    label: str
    text: str
    css: str
    speed: str = ""
    highlights: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    health: list[tuple[str, str, str]] = field(default_factory=list)  # (status, check, message)


@dataclass(frozen=True)
class PickBox:
    """The pick at the top of a compare report: its headline and one line per factor."""

    headline: str
    reasons: list[str]
    priority: str
    css: str = ""
    notes: list[str] = field(default_factory=list)  # health actions taken, arms left out


@dataclass
class Report:
    """Everything one report says, ready for either renderer."""

    title: str
    subtitle: str
    verdict: Verdict | None
    sections: list[Section]
    footer: str
    pick: PickBox | None = None


# -- formatting --------------------------------------------------------------------------------


def up(cell: str) -> str:
    """A cell's display name: "gru" -> "GRU"."""
    return str(cell).upper()


def num(x: Any, spec: str = ".3g") -> str:
    """A number in `spec` with a true minus sign, or an em dash when absent."""
    return format(x, spec).replace("-", MINUS) if is_finite(x) else MISSING


def signed(x: Any, digits: int = 1) -> str:
    """+1.2 / \u22121.2."""
    return num(x, f"+.{digits}f")


def count(x: Any) -> str:
    """12,808."""
    return num(x, ",.0f")


def metric_value(x: Any, higher_is_better: bool = True) -> str:
    """Scores in [0, 1] to 3 decimals; errors to 4 significant digits."""
    return num(x, ".3f" if higher_is_better else ".4g")


def interval(ci: Any, fmt: Any = num) -> str:
    """[lo, hi], or an empty string when either end is missing."""
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and is_finite(ci[0]) and is_finite(ci[1]):
        return f"[{fmt(ci[0])}, {fmt(ci[1])}]"
    return ""


def interval_sig(ci: Any) -> str:
    """[lo, hi] with the same decimals at both ends: 2 significant digits of the larger."""
    if not interval(ci):
        return ""
    top = max(abs(ci[0]), abs(ci[1]), 1e-12)
    digits = max(0, min(4, 1 - math.floor(math.log10(top))))
    return interval(ci, lambda x: num(x, f".{digits}f"))


def mean_ci(stat: Any, fmt: Any = num) -> str:
    """'mean [lo, hi]' from {"mean", "ci"}."""
    if not isinstance(stat, dict) or not is_finite(stat.get("mean")):
        return MISSING
    ci = interval(stat.get("ci"), fmt)
    return f"{fmt(stat['mean'])} {ci}".strip()


def anchor(text: str) -> str:
    """A safe HTML id from free text."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"
