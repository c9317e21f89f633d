"""Claim "inference": verdicts from crafted latency records."""

from __future__ import annotations

import pytest

from gatebench.claims import Evidence
from gatebench.claims.inference import decide


def _decide(records: list[dict]) -> dict:
    return decide(Evidence.from_records(records)).to_dict()


@pytest.mark.parametrize(("ratio", "verdict"), [
    (0.6, "supported"), (3.4, "refuted"), (0.88, "inconclusive"),
])
def test_inference_verdict_follows_p50_ratio(claim_records, ratio: float, verdict: str) -> None:
    result = _decide(claim_records.latency(ratio) + claim_records.latency(ratio, mode="stream"))
    assert result["verdict"] == verdict
    assert result["effect"]["value"] == pytest.approx(ratio, rel=0.01)
    assert "eager/full" in result["effect"]["what"]


def test_mixed_depends_on_the_runtime(claim_records) -> None:
    records = (claim_records.latency(3.4, runtime="eager")
               + claim_records.latency(3.0, runtime="eager", mode="stream")
               + claim_records.latency(0.7, runtime="onnxruntime")
               + claim_records.latency(0.75, runtime="onnxruntime", mode="stream"))
    result = _decide(records)
    assert result["verdict"] == "mixed"
    assert result["depends_on"] == "the runtime"
    config = next(r for r in result["evidence"] if r["level"] == "config")
    assert config["detail"]["p95_ratio"]["geomean"] == pytest.approx(3.4, rel=0.02)


def test_concurrent_latency_is_ignored(claim_records) -> None:
    records = claim_records.latency(0.6) + claim_records.latency(5.0, concurrent=True)
    result = _decide(records)
    assert result["verdict"] == "supported"
    assert result["excluded"]["concurrent_latency"] == 12


def test_only_concurrent_latency_is_not_run(claim_records) -> None:
    result = _decide(claim_records.latency(0.6, concurrent=True))
    assert (result["verdict"], result["reason"]) == ("inconclusive", "not run")
    assert result["excluded"]["concurrent_latency"] == 12


def test_unpaired_rounds_are_counted(claim_records) -> None:
    records = [r for r in claim_records.latency(0.6)
               if not (r["cell"] == "gru" and r["round"] == 0)]
    result = _decide(records)
    assert result["excluded"]["incomplete_rounds"] == 1
    assert "n=5 rounds" in result["reason"]


def test_only_batch_one_counts(claim_records) -> None:
    batched = [{**r, "batch": 32} for r in claim_records.latency(2.0)]
    result = _decide(claim_records.latency(0.6) + batched)
    assert result["verdict"] == "supported"
    assert result["excluded"]["configs_at_other_batch_sizes"] == 1
    context = [r for r in result["evidence"]
               if r["level"] == "config" and r["detail"]["batch"] == 32]
    assert context[0]["counts_for_verdict"] is False and context[0]["verdict"] == "refuted"
