"""Which records' timings may back a speed or latency claim."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def isolated(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records timed alone on their machine; trials run side by side slow each other down."""
    return [r for r in records if not r.get("concurrent")]
