"""Only records timed alone may back a speed claim; latency percentiles pool their rounds."""

from __future__ import annotations

import pytest

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
    assert gru["n"] == 3 and gru["p50_ms"] == 2.0 and gru["p95_ms"] < 3.0 + 1e-9
    assert gru["p99_ms"] is None  # three samples: their "p99" would just be the maximum
    assert by_cell["lstm", "step"]["seq_len"] is None


def test_latency_table_reports_p99_only_from_enough_samples() -> None:
    rounds = [{"kind": "latency", "cell": "gru", "runtime": "eager", "mode": "full", "batch": 1,
               "seq_len": 10, "samples_ms": [float(i) for i in range(r * 20, r * 20 + 20)]}
              for r in range(5)]  # 100 samples, 0..99 ms, pooled over five rounds
    assert latency_table(rounds[:4])[0]["p99_ms"] is None
    (row,) = latency_table(rounds)
    assert row["n"] == 100 and row["p99_ms"] == pytest.approx(98.01)
