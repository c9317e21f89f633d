"""A factory of crafted stored records (trials, step timings, latencies) for the claims tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from gatebench.protocol.record import TaskDescription, TrialRecord, TrialTiming

# Small multiplicative wobble per round/seed: a narrow but honest spread for the intervals.
WOBBLE = (0.0, 0.01, -0.01, 0.02, -0.02, 0.005, -0.005, 0.015)


class ClaimRecords:
    """Builds records shaped like the runner's, with only the fields the deciders read varied."""

    def trial(
        self,
        study_id: str,
        cell: str,
        seed: int,
        value: float,
        *,
        metric: str = "accuracy",
        higher_is_better: bool = True,
        data_fraction: float = 1.0,
        val_curve: Sequence[float] = (0.5, 0.7, 0.8, 0.8),
        train_loss: float = 0.3,
        val_loss: float = 0.4,
        per_epoch_s: float = 1.0,
        wall_per_epoch_s: float = 1.5,
        seq_median: float = 40.0,
        seq_len: int | None = None,
        baseline: float | None = None,
        status: str = "ok",
        concurrent: bool = False,
        steps_per_epoch: int = 10,
        test_by_length: dict[str, dict[str, int]] | None = None,
        options: dict[str, Any] | None = None,
        description: dict[str, Any] | None = None,
        objective: str = "classification",
    ) -> TrialRecord:
        """One trial record, built through the type; `val_curve` is its validation metric per
        epoch."""
        pick = max if higher_is_better else min
        best_epoch = list(val_curve).index(pick(val_curve)) + 1
        task = study_id.split("/")[1] if "/" in study_id else study_id
        history = [
            {"epoch": e, "train_loss": train_loss if e == best_epoch else 1.0,
             "train_loss_eval": train_loss if e == best_epoch else 1.0,
             "val_loss": val_loss if e == best_epoch else 1.0, "val_metric": v,
             "train_time_s": e * per_epoch_s, "wall_s": e * wall_per_epoch_s,
             "steps": e * steps_per_epoch}
            for e, v in enumerate(val_curve, start=1)
        ]
        description = {"seq_len": {"median": seq_median, "max": seq_median * 2},
                       **(description or {})}
        if baseline is not None:
            description["baseline"] = {"metric": metric, "value": baseline}
        options = {**({} if seq_len is None else {"seq_len": seq_len}), **(options or {})}
        pair_key = f"{study_id}-{seed}-{data_fraction}"
        return TrialRecord(
            schema_version=1, spec_id=f"{pair_key}-{cell}", pair_key=pair_key,
            study_id=study_id, cell=cell, seed=seed, data_fraction=data_fraction,
            status=status, metric=metric, higher_is_better=higher_is_better,
            test={metric: value}, best_epoch=best_epoch, epochs_run=len(history),
            history=history,
            timing=TrialTiming(train_compute_s=per_epoch_s * len(history),
                               per_epoch_s=per_epoch_s, time_to_best_s=per_epoch_s * best_epoch,
                               steps=steps_per_epoch * len(history)),
            test_by_length=test_by_length or None,
            kernel="mkldnn_rnn_layer" if cell == "lstm" else "aten::gru", device="cpu",
            threads=2, concurrent=concurrent,
            spec={"task": {"name": task, "options": options}, "train": {"lr": 0.002}},
            task=TaskDescription(task, "test", objective, description),
        )

    def study(
        self,
        study_id: str,
        gru: Sequence[float],
        lstm: Sequence[float],
        *,
        gru_kw: dict[str, Any] | None = None,
        lstm_kw: dict[str, Any] | None = None,
        **common: Any,
    ) -> list[dict[str, Any]]:
        """Paired trials for seeds 0..n-1 with test values `gru` and `lstm`."""
        out = []
        for seed, (g, ls) in enumerate(zip(gru, lstm, strict=True)):
            out.append(self.trial(study_id, "gru", seed, g, **{**common, **(gru_kw or {})}))
            out.append(self.trial(study_id, "lstm", seed, ls, **{**common, **(lstm_kw or {})}))
        return out

    def step_timing(
        self,
        ratio: float,
        *,
        impl: str = "native",
        sizing: str = "params",
        rounds: int = 6,
        seq_len: int = 50,
        batch: int = 32,
        hidden: int = 128,
        lstm_ms: float = 10.0,
        concurrent: bool = False,
        device: str = "cpu",
    ) -> list[dict[str, Any]]:
        """GRU and LSTM step timings per round whose GRU/LSTM ratio wobbles around `ratio`."""
        key = f"{impl}/{sizing}/H={hidden}/I=64/T={seq_len}/B={batch}"
        out = []
        for r in range(rounds):
            ms = {"gru": lstm_ms * ratio * (1 + WOBBLE[r % len(WOBBLE)]), "lstm": lstm_ms}
            for cell in ("gru", "lstm"):
                out.append({
                    "kind": "step_timing", "spec_id": f"{key}-{cell}-{r}", "cell": cell,
                    "impl": impl, "sizing": sizing, "config_key": key, "hidden_size": hidden,
                    "reference_hidden": hidden, "params": 1000, "input_size": 64,
                    "seq_len": seq_len, "batch": batch, "threads": 2, "device": device,
                    "kernel": "k", "round": r,
                    "median_ms": ms[cell], "samples_ms": [ms[cell]] * 3,
                    "concurrent": concurrent, "status": "ok",
                })
        return out

    def latency(
        self,
        ratio: float,
        *,
        runtime: str = "eager",
        mode: str = "full",
        rounds: int = 6,
        lstm_ms: float = 1.0,
        concurrent: bool = False,
    ) -> list[dict[str, Any]]:
        """GRU and LSTM latency records per round with GRU/LSTM p50 ratio around `ratio`."""
        out = []
        for r in range(rounds):
            p50 = {"gru": lstm_ms * ratio * (1 + WOBBLE[r % len(WOBBLE)]), "lstm": lstm_ms}
            for cell in ("gru", "lstm"):
                out.append({
                    "kind": "latency", "cell": cell, "runtime": runtime, "mode": mode,
                    "seq_len": 100 if mode == "full" else 1, "batch": 1, "hidden_size": 128,
                    "threads": 2, "device": "cpu", "round": r, "p50_ms": p50[cell],
                    "p95_ms": 1.2 * p50[cell], "p99_ms": 1.5 * p50[cell],
                    "concurrent": concurrent,
                })
        return out


@pytest.fixture
def claim_records() -> ClaimRecords:
    """The crafted-records factory for claims tests."""
    return ClaimRecords()
