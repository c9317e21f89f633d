"""Crafted evidence for the advisor tests: claim dicts, suite folders and compare folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

STATEMENTS = {
    "speed": "GRU trains 20\u201330% faster than LSTM",
    "inference": "GRU infers faster; fits real-time and edge use",
    "short": "GRU matches LSTM on short sequences (< 100 tokens/steps)",
    "small-data": "GRU overfits less on small data",
    "convergence": "GRU converges in fewer epochs",
    "long": "LSTM wins on very long sequences with complex dependencies",
    "iteration": "GRU gives faster experiment iteration",
}
UNITS = {"speed": "ratio", "inference": "ratio", "iteration": "ratio", "short": "points",
         "long": "ratio", "small-data": "\u00d7 chance loss", "convergence": "ratio"}


class Crafted:
    """Builds claims.json / summary.json content shaped like the suite's and compare's."""

    def row(self, label: str, value: float | None = None, ci=(None, None), **extra: Any
            ) -> dict[str, Any]:
        """One evidence row with the fields every claims row carries."""
        base = {"label": label, "what": "measure", "value": value, "ci": list(ci), "n": 3,
                "task": None, "device": None, "runtime": None, "detail": None}
        return {**base, **extra}

    def speed_group(self, verdict: str, value: float, ci, device: str = "cpu",
                    impl: str = "native", sizing: str = "params") -> dict[str, Any]:
        """A speed group row (device x kernel x sizing)."""
        label = f"{device} {impl}/{sizing}"
        return self.row(label, value, ci, device=device, impl=impl, sizing=sizing,
                        level="group", unit="ratio", group=label, verdict=verdict,
                        what="GRU/LSTM training-step time")

    def speed_config(self, value: float, device: str = "cpu", seq_len: int = 50,
                     batch: int = 32, hidden: int = 128, impl: str = "native",
                     counts_as: str | None = None) -> dict[str, Any]:
        """A speed configuration row as claims.speed writes it (one interval per config)."""
        verdict = counts_as or ("supported" if value < 0.85 else "refuted" if value > 0.9
                                else "inconclusive")
        label = f"{impl}/hidden H={hidden} T={seq_len} B={batch}"
        return self.row(label, value, (value * 0.98, value * 1.02), device=device, impl=impl,
                        sizing="hidden", level="config", unit="ratio", seq_len=seq_len,
                        batch=batch, hidden=hidden, counts_as=verdict,
                        regime="batch 1" if batch == 1 else "training batches (\u2265 32)")

    def latency_group(self, verdict: str, value: float, ci, runtime: str = "eager",
                      device: str = "cpu", mode: str = "full") -> dict[str, Any]:
        """An inference group row (device x runtime x mode)."""
        label = f"{device} {runtime}/{mode}"
        return self.row(label, value, ci, device=device, runtime=runtime, mode=mode,
                        level="group", unit="ratio", group=label, verdict=verdict,
                        what="GRU/LSTM p50 latency")

    def latency_config(self, gru_ms: float, lstm_ms: float, runtime: str = "eager",
                       device: str = "cpu", seq_len: int = 100) -> dict[str, Any]:
        """An inference configuration row with both cells' p50."""
        return self.row(f"{device} {runtime}/full T={seq_len} B=1", gru_ms / lstm_ms,
                        device=device, runtime=runtime, mode="full", level="config",
                        unit="ratio", group=f"{device} {runtime}/full",
                        detail={"seq_len": seq_len, "batch": 1,
                                              "p50_ms": {"gru": gru_ms, "lstm": lstm_ms}})

    def short_row(self, task: str, counts_as: str, value: float, ci, median: float
                  ) -> dict[str, Any]:
        """A short-task row: its equivalence verdict as evidence and its median length."""
        return self.row(f"short/{task}", value, ci, task=task, device="cpu", unit="points",
                        counts_as=counts_as, verdict="x",
                        detail={"median_seq_len": median, "margin": 1.0})

    def long_row(self, probe: str, seq_len: int, outcome: str, value: float, ci
                 ) -> dict[str, Any]:
        """One probe length's row with its outcome."""
        return self.row(f"long/{probe}/T={seq_len}", value, ci, task=probe, seq_len=seq_len,
                        level="length", outcome=outcome, unit="points")

    def claim(self, cid: str, verdict: str, value: float | None = None, ci=(None, None),
              evidence: list[dict[str, Any]] | None = None, depends_on: str | None = None,
              reason: str = "crafted") -> dict[str, Any]:
        """One claim verdict dict as claims.json holds it."""
        return {"id": cid, "statement": STATEMENTS[cid], "verdict": verdict, "reason": reason,
                "effect": {"what": f"{cid} effect", "value": value, "ci": list(ci),
                           "unit": UNITS[cid]},
                "depends_on": depends_on, "evidence": evidence or [], "excluded": {}}

    def all_inconclusive(self) -> list[dict[str, Any]]:
        """Every claim run to no decision."""
        return [self.claim(cid, "inconclusive") for cid in STATEMENTS]

    def suite(self, folder: Path, claims: list[dict[str, Any]], **meta: Any) -> Path:
        """A suite folder holding claims.json."""
        folder.mkdir(parents=True, exist_ok=True)
        data = {"profile": "quick", "cost": "crafted", **meta, "claims": claims}
        (folder / "claims.json").write_text(json.dumps(data), encoding="utf-8")
        return folder

    def study(self, folder: Path, label: str, mean: float, ci, *, seq_median: float = 40,
              n_train: int = 2000, device: str = "cpu", ratio: float | None = None,
              ratio_ci=(None, None), concurrent: bool = False, family: str = "text",
              suggested: int | None = None) -> Path:
        """A compare folder holding summary.json with the fields the advisor reads."""
        folder.mkdir(parents=True, exist_ok=True)
        cell = {"device": device, "hidden_size": 64}
        summary = {
            "task": {"name": "my-reviews", "family": family,
                     "description": {"n_train": n_train,
                                     "seq_len": {"median": seq_median, "p95": seq_median * 3}}},
            "metric": "accuracy", "unit": "points", "cells": {"gru": cell, "lstm": cell},
            "difference": {"what": "gru \u2212 lstm", "mean": mean, "ci": list(ci)},
            "verdict": {"label": label, "text": f"crafted: {label}", "mean": mean,
                        "ci": list(ci), "n": 5, "unit": "points", "suggested_seeds": suggested},
            "time_ratio": {"what": "gru / lstm compute time per epoch", "geomean": ratio,
                           "ci": list(ratio_ci), "concurrent": concurrent},
            "study": {"out_dir": str(folder), "kind": "compare", "spec": {}},
        }
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        return folder


@pytest.fixture
def crafted() -> Crafted:
    """The crafted-evidence factory."""
    return Crafted()


@pytest.fixture
def no_shipped(tmp_path: Path, monkeypatch) -> Path:
    """Point the shipped evidence at a path that does not exist (tests never read the real one)."""
    missing = tmp_path / "shipped" / "claims.json"
    monkeypatch.setattr("gatebench.advisor.evidence.shipped_path", lambda: missing)
    return missing


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch, crafted: Crafted):
    """Install crafted claims as the shipped evidence; returns a function taking the claims."""
    def install(claims: list[dict[str, Any]], **meta: Any) -> Path:
        folder = crafted.suite(tmp_path / "shipped", claims, **meta)
        monkeypatch.setattr("gatebench.advisor.evidence.shipped_path",
                            lambda: folder / "claims.json")
        return folder
    return install
