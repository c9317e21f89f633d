"""Only records timed alone may back a speed claim."""

from __future__ import annotations

from gatebench.analysis import isolated


def test_isolated_drops_concurrent_records() -> None:
    records = [{"spec_id": "a", "concurrent": False}, {"spec_id": "b", "concurrent": True},
               {"spec_id": "c"}]  # records from before the flag count as timed alone
    assert [r["spec_id"] for r in isolated(records)] == ["a", "c"]

