"""Comma-separated option values (--cells gru,lstm, --seq-lens 25,100), parsed one way."""

from __future__ import annotations

from gatebench.errors import SpecError


def int_list(text: str, option: str) -> tuple[int, ...]:
    """Comma-separated positive integers, or SpecError naming the option."""
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        values = ()
    if not values or any(v < 1 for v in values):
        raise SpecError(f"{option} must be comma-separated positive integers, got {text!r}")
    return values


def name_list(text: str) -> tuple[str, ...]:
    """Comma-separated names, lower-cased, blanks dropped."""
    return tuple(v.strip().lower() for v in text.split(",") if v.strip())
