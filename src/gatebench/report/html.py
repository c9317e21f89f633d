"""The report as one self-contained HTML page: Jinja template, inline CSS, data-URI figures."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gatebench.report.blocks import Cell, Report

TEMPLATE = "report.html.j2"


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gatebench.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt field fails loudly instead of rendering blank
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.tests["cell"] = lambda v: isinstance(v, Cell)
    env.globals["kind"] = lambda block: type(block).__name__
    return env


def render_html(report: Report, version: str = "") -> str:
    """The page's full text."""
    return _environment().get_template(TEMPLATE).render(report=report, version=version)
