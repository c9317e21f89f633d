"""Only records timed alone may back a speed claim; latency percentiles pool their rounds; the
timing pass stops once its ratio is precise, and its interval stays honest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gatebench.analysis import isolated, latency_table
from gatebench.analysis.stats import geometric_mean_ratio
from gatebench.analysis.timing import ratio_precise, timing_pass_settled
from gatebench.protocol.timing import STUDY_TIMING_MAX_ROUNDS, STUDY_TIMING_MIN_ROUNDS


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


# -- when compare's timing pass stops -----------------------------------------------------------

SIMS = 2000


def _records(values: np.ndarray) -> list[dict]:
    """A timing pass whose round i has ratio values[i] (arm a over arm b)."""
    return [{"kind": "study_timing", "status": "ok", "round": i, "arm": arm, "seconds": s,
             "per_epoch_s": s} for i, v in enumerate(values) for arm, s in (("a", v), ("b", 1.0))]


def _rounds_used(values: np.ndarray) -> int:
    """Rounds the pass runs before its rule stops it, given every round it could run."""
    return next(n for n in range(1, len(values) + 1)
                if timing_pass_settled(_records(values[:n]), ("a", "b")))


def _covers(values: np.ndarray, truth: float) -> bool:
    lo, hi = geometric_mean_ratio(values)["ci"]
    return bool(lo <= math.exp(truth) <= hi)


def _coverage(log_ratios: np.ndarray, truth: float) -> tuple[float, float, float]:
    """Coverage of the reported 95% interval under the stopping rule, and with every round run;
    and the mean rounds the rule used."""
    rows = np.exp(log_ratios)
    used = [_rounds_used(row) for row in rows]
    stopped = np.mean([_covers(row[:n], truth) for row, n in zip(rows, used, strict=True)])
    fixed = np.mean([_covers(row, truth) for row in rows])
    return float(stopped), float(fixed), float(np.mean(used))


def _spiky_rounds(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Log ratios of two arms' summed step times (16 steps a round, arm a 2x slower), each
    step log-normal with 2% of steps hit by a 3x load spike: skewed, heavy-tailed rounds."""
    def arm(scale: float) -> np.ndarray:
        steps = scale * rng.lognormal(0.0, 0.1, (*shape, 16))
        return (steps * np.where(rng.random(steps.shape) < 0.02, 3.0, 1.0)).sum(axis=-1)
    return np.log(arm(2.0) / arm(1.0))


NOISE = {  # per-round log ratios around 0 (their mean is the truth), SIMS × the most rounds
    "normal, quiet": lambda rng, s: rng.normal(0.0, 0.01, s),
    "normal, at the precision's edge": lambda rng, s: rng.normal(0.0, 0.03, s),
    "normal, loaded": lambda rng, s: rng.normal(0.0, 0.05, s),
    "skewed (gamma)": lambda rng, s: rng.gamma(2.0, 0.014, s) - 0.028,
    "heavy-tailed (t, 3 df)": lambda rng, s: 0.02 * rng.standard_t(3, s),
    # a pass killed after two rounds and resumed when the machine got busier
    "continuation, load changed": lambda rng, s: np.concatenate(
        [rng.normal(0.0, 0.01, (s[0], 2)), rng.normal(0.0, 0.05, (s[0], s[1] - 2))], axis=1),
}


@pytest.mark.parametrize("noise", sorted(NOISE))
def test_stopping_the_timing_pass_early_keeps_its_interval_honest(noise: str) -> None:
    """Stopping once the ratio is precise costs the interval at most 3 points of coverage
    against running every round, and keeps it at 90% or more, whatever the noise."""
    rng = np.random.default_rng(7)
    logs = NOISE[noise](rng, (SIMS, STUDY_TIMING_MAX_ROUNDS))
    stopped, fixed, used = _coverage(logs, 0.0)
    assert stopped >= fixed - 0.03 and stopped >= 0.90, (stopped, fixed, used)


def test_spiky_step_times_keep_the_interval_honest() -> None:
    rng = np.random.default_rng(11)
    truth = float(_spiky_rounds(rng, (200_000, 1)).mean())
    stopped, fixed, _ = _coverage(_spiky_rounds(rng, (SIMS, STUDY_TIMING_MAX_ROUNDS)), truth)
    assert stopped >= fixed - 0.03 and stopped >= 0.90, (stopped, fixed)


def test_the_pass_stops_early_only_when_quiet() -> None:
    rng = np.random.default_rng(3)
    quiet = [_rounds_used(np.exp(r)) for r in rng.normal(0.0, 0.005, (50, 6))]
    loaded = [_rounds_used(np.exp(r)) for r in rng.normal(0.0, 0.2, (50, 6))]
    assert set(quiet) == {STUDY_TIMING_MIN_ROUNDS}
    assert set(loaded) == {STUDY_TIMING_MAX_ROUNDS}
    assert not ratio_precise([2.0]) and ratio_precise([2.0, 2.0, 2.0])
