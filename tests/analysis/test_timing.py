"""Only records timed alone may back a speed claim; latency percentiles pool their rounds."""

from __future__ import annotations

from gatebench.analysis import isolated, latency_table


def test_isolated_drops_concurrent_records() -> None:
    records = [{"spec_id": "a", "concurrent": False}, {"spec_id": "b", "concurrent": True},
               {"spec_id": "c"}]  # records from before the flag count as timed alone
    assert [r["spec_id"] for r in isolated(records)] == ["a", "c"]



def test_latency_table_pools_rounds_and_skips_concurrent_records() -> None:
    def rec(cell, samples, concurrent=False, mode="full"):
        return {"kind": "latency", "cell": cell, "runtime": "onnx", "mode": mode, "batch": 1,
                "seq_len": 25 if mode == "full" else None, "samples_ms": samples,
                "concurrent": concurrent}

    rows = latency_table([rec("gru", [1.0, 2.0]), rec("gru", [3.0]),
                          rec("gru", [100.0], concurrent=True), rec("lstm", [5.0], mode="step"),
                          {"kind": "step_timing", "cell": "gru", "samples_ms": [9.0]}])
    by_cell = {(r["cell"], r["mode"]): r for r in rows}
    assert set(by_cell) == {("gru", "full"), ("lstm", "step")}
    gru = by_cell["gru", "full"]
    assert gru["n"] == 3 and gru["p50_ms"] == 2.0 and gru["p99_ms"] < 3.0 + 1e-9
    assert by_cell["lstm", "step"]["seq_len"] is None
