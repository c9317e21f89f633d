"""Every executor honours the Executor contract on the same tiny study (CPU, fixed seeds)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from gatebench.api import study_spec, task_spec
from gatebench.errors import UnknownNameError
from gatebench.protocol import StudySpec
from gatebench.run import Executor, LocalExecutor, ProcessExecutor, RayExecutor, run_study
from gatebench.run.trial import run_trial
from gatebench.store import open_store
from tests.conftest import TINY, make_reviews

# one worker runs the module, so each executor (a process pool, a Ray instance) starts once
# (pytest-xdist, --dist loadgroup)
pytestmark = pytest.mark.xdist_group("executor-contract")

# threads=1 (in TINY) everywhere: the thread count changes float summation order, and so the
# numbers; with it fixed, an executor that only moves specs and records changes nothing.
EXECUTORS: dict[str, Callable[[], Executor]] = {
    "local": LocalExecutor,
    "process": lambda: ProcessExecutor(workers=2),
    "ray": lambda: RayExecutor(workers=2),
}
CONCURRENT = {"local": False, "process": True, "ray": True}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> StudySpec:
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return study_spec(task_spec(path, text_col="review", label_col="sentiment"), **TINY)


@pytest.fixture(scope="module")
def reference(study: StudySpec) -> dict[str, dict]:
    """Each trial's record straight from run_trial, in this process."""
    return {t.spec_id: run_trial(t) for t in study.trials()}


@pytest.fixture(scope="module", params=list(EXECUTORS))
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "ray":
        pytest.importorskip("ray")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_AUTH_MODE", "disabled")  # a private instance needs no token
        with EXECUTORS[request.param]() as runner:
            yield runner


def _weights(blob: bytes) -> dict[str, torch.Tensor]:
    return torch.load(io.BytesIO(blob), weights_only=True)["state_dict"]


def test_one_record_per_spec_with_identical_numbers(
    executor: Executor, study: StudySpec, reference: dict[str, dict], tmp_path: Path
) -> None:
    trials = study.trials()
    records = list(executor.run(trials, cache_dir=tmp_path))
    assert sorted(r["spec_id"] for r in records) == sorted(t.spec_id for t in trials)
    assert not list(tmp_path.glob("*.sqlite"))  # executors never write the store
    for record in records:
        expected = reference[record["spec_id"]]
        assert record["test"] == expected["test"]
        for key in ("hidden_size", "params", "best_epoch", "threads"):
            assert record[key] == expected[key]
        assert [(h["train_loss"], h["val_loss"]) for h in record["history"]] == \
            [(h["train_loss"], h["val_loss"]) for h in expected["history"]]
        got, want = _weights(record.checkpoint_bytes), _weights(expected.checkpoint_bytes)
        assert all(torch.equal(got[k], want[k]) for k in want)
        assert record["concurrent"] is CONCURRENT[executor.name]


def test_study_stores_each_trial_once(executor: Executor, study: StudySpec,
                                      tmp_path: Path) -> None:
    records = run_study(study, tmp_path, executor=executor)
    assert len(records) == len({r["spec_id"] for r in records}) == 4
    assert all(r["concurrent"] is CONCURRENT[executor.name] for r in records)
    assert all((tmp_path / r["checkpoint"]).is_file() for r in records)
    with open_store(tmp_path) as store:
        assert store.count() == 4


def test_user_error_reaches_the_driver_unchanged(executor: Executor, study: StudySpec,
                                                  tmp_path: Path) -> None:
    good = study.trials()[0]
    bad = dataclasses.replace(good, cell="gru2")  # fails inside the trial, on the worker
    with pytest.raises(UnknownNameError, match="no cell 'gru2'") as caught:
        list(executor.run([bad, good], cache_dir=tmp_path))
    assert set(caught.value.known) >= {"gru", "lstm"}
