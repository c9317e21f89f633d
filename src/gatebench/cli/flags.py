"""Which of the step floor's flags the user set on the command line (the floor leaves those)."""

from __future__ import annotations

import typer

try:  # typer >= 0.26 vendors its own click (see cli/main.py)
    from typer._click.core import ParameterSource
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.core import ParameterSource

from gatebench.protocol.budget import FLOORED


def floored_flags_set(ctx: typer.Context) -> list[str]:
    """The names in FLOORED (batch size, epochs, patience) given explicitly, not defaulted."""
    return [name for name in FLOORED
            if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT]
