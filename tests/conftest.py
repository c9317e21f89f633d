"""Shared fixtures: fixed seeds, a small real-looking review table, tiny fast study options.

In CI (CI=true) a skipped test fails, saying what is missing: Chromium, Ray and ONNX Runtime
are required parts, and a CI without one must not pass by skipping their tests. Only tests
marked `gpu` may skip there (CI has no CUDA device).
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gatebench.api import study_spec, task_spec
from gatebench.protocol import Arm
from gatebench.run import run_study

POSITIVE = ["great", "wonderful", "moving", "brilliant", "fun", "sharp", "charming"]
NEGATIVE = ["dull", "awful", "boring", "tedious", "flat", "messy", "lifeless"]
FILLER = ["the", "film", "story", "cast", "plot", "is", "a", "and", "with", "café", "naïve"]


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker keeps to a core of its own (the processes it starts
    inherit it) and trains on one thread. Code that asks for every core then gets one: two
    threads sharing a core with the other worker ran three times slower, each parallel region
    waiting on a descheduled thread."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return
    torch.set_num_threads(1)
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) > 1:
        with contextlib.suppress(OSError):  # a sandbox that forbids it: run unpinned
            os.sched_setaffinity(0, {cores[int(worker.removeprefix("gw")) % len(cores)]})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The wheel's tests run first: the longest single unit (half a minute and more), it would
    otherwise start last under pytest-xdist and run on while the other workers sit idle.
    Tests marked `gpu` skip, saying why, where torch sees no CUDA device."""
    items.sort(key=lambda item: item.get_closest_marker("wheel") is None)  # stable
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device: torch.cuda.is_available() is False")
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """In CI, a skip of anything but a `gpu` test is a failure naming the missing part."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _in_ci() and item.get_closest_marker("gpu") is None \
            and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every required part must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """In CI, a module skipped while collecting (`importorskip("ray")`) fails the same way."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every required part must run: {reason}"


@pytest.fixture(autouse=True)
def _seed() -> None:
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(autouse=True, scope="session")
def _one_pass_timing_rounds() -> Iterator[None]:
    """Compare's timing pass repeats its batches until each arm's round has MIN_ROUND_S (half a
    second) of clock: six seconds and more per study on toy models, in every test that runs a
    compare study. Tests check what the pass stores, resumes and reports, not its precision,
    so a round here takes the batches once. The test of the first round's fairness runs the
    pass in a subprocess, at its real size. Session-wide, so the studies that session and
    module fixtures train (set up before any function-scoped patch) take one pass too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("gatebench.run.study_timing.MIN_ROUND_S", 0.0)
        yield


@pytest.fixture
def efficiency_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`calibrate` runs a fixed-size efficiency simulation (seconds, whatever --studies says);
    a test that runs the command twice on one setting, and checks other parts, computes it
    once. The test of --json's determinism runs it twice for real."""
    from gatebench.analysis import calibration

    monkeypatch.setattr(calibration, "sequential_efficiency",
                        functools.cache(calibration.sequential_efficiency))


def make_reviews(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Short labelled reviews whose sentiment words decide the label (learnable in an epoch)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = "pos" if i % 2 == 0 else "neg"
        words = list(rng.choice(FILLER, size=rng.integers(3, 12)))
        words += list(rng.choice(POSITIVE if label == "pos" else NEGATIVE, size=2))
        rng.shuffle(words)
        rows.append({"review": " ".join(words) + ", truly.", "sentiment": label})
    return pd.DataFrame(rows)


@pytest.fixture
def reviews_csv(tmp_path: Path) -> Path:
    """A CSV of 240 reviews with quoted commas and non-ASCII text."""
    path = tmp_path / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


TINY = dict(seeds=2, max_epochs=2, patience=2, hidden=16, embed_dim=16, batch_size=32,
            threads=1)


@pytest.fixture(scope="session")
def trained_study(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A finished one-seed GRU-vs-LSTM study on 240 reviews (one epoch, hidden 16)."""
    root = tmp_path_factory.mktemp("trained-study")
    data = root / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    spec = study_spec(task_spec(data, text_col="review", label_col="sentiment"), seeds=1,
                      max_epochs=1, patience=1, hidden=16, embed_dim=16, batch_size=32, threads=1)
    out = root / "study"
    return out, run_study(spec, out)


@pytest.fixture(scope="session")
def two_lstm_study(tmp_path_factory) -> Path:
    """A finished one-seed study of two LSTM arms, "wide" (hidden 12) and "narrow" (hidden 8):
    one cell, two arms, so only the arm's label picks a checkpoint."""
    root = tmp_path_factory.mktemp("two-lstm-study")
    data = root / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    arms = (Arm.make("lstm", "wide", hidden=12), Arm.make("lstm", "narrow", hidden=8))
    spec = study_spec(task_spec(data, text_col="review", label_col="sentiment"), arms=arms,
                      seeds=1, max_epochs=1, patience=1, embed_dim=8, batch_size=32, threads=1)
    run_study(spec, root / "study")
    return root / "study"
