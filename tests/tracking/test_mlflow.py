"""MLflow tracking against a real `mlflow server` on 127.0.0.1, read back with MlflowClient."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatebench.cli.main import main
from tests.conftest import make_reviews

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra: pip install 'gatebench[mlflow]'")
from mlflow import MlflowClient  # noqa: E402

# one worker starts the module's server once (pytest-xdist, --dist loadgroup)
pytestmark = pytest.mark.xdist_group("mlflow-server")

# --executor local: trials in this process (auto would spawn a process pool: seconds of imports)
TINY = ["--text-col", "review", "--label-col", "sentiment", "--seeds", "3", "--max-epochs", "2",
        "--patience", "2", "--hidden", "8", "--embed-dim", "8", "--threads", "1",
        "--no-latency", "--executor", "local"]
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A live MLflow tracking server (SQLite backend, one worker), stopped after the module."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with open(root / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port",
             str(port), "--workers", "1", "--backend-store-uri", f"sqlite:///{root}/m.db",
             "--default-artifact-root", str(root / "artifacts")],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = (root / "server.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"mlflow server did not start: {tail}")
                time.sleep(0.5)
        yield uri
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


@pytest.fixture
def finished(trained_study, tmp_path) -> tuple[Path, list[dict]]:
    """A copy of the shared trained study, marked finished (an empty summary.json)."""
    source, records = trained_study
    out_dir = tmp_path / "finished"
    shutil.copytree(source, out_dir)
    (out_dir / "summary.json").write_text("{}")
    return out_dir, records


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def runs_of(client: MlflowClient, experiment: str = "gatebench") -> tuple[list, list]:
    """(parents, children) of every active run in the experiment."""
    found = client.get_experiment_by_name(experiment)
    runs = client.search_runs([found.experiment_id], max_results=1000) if found else []
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    return parents, [r for r in runs if "mlflow.parentRunId" in r.data.tags]


def test_compare_logs_live_and_a_second_logging_adds_no_runs(server, reviews, tmp_path,
                                                              capsys) -> None:
    study = tmp_path / "study"
    code, out, err = run_cli(["compare", str(reviews), *TINY, "--out", str(study), "--mlflow",
                              "--tracking-uri", server], capsys)
    assert code == 0, err
    assert "MLflow: 1 parent run(s)" in out and server in out
    client = MlflowClient(server)
    parents, children = runs_of(client)
    assert len(parents) == 1 and len(children) == 6
    parent = parents[0]
    summary = json.loads((study / "summary.json").read_text())
    assert parent.data.tags["verdict"] == summary["verdict"]["label"]
    assert parent.data.tags["outcome"] == summary["verdict"]["outcome"]
    assert parent.data.params["task"] == "text" and parent.data.params["arms"] == "gru, lstm"
    assert parent.data.params["seeds"] == "3"
    assert {"difference", "difference.ci_low", "difference.ci_high",
            "time_ratio"} <= set(parent.data.metrics)
    artifacts = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"summary.json", "report.html"} <= artifacts
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parent.info.run_id}
    seeds = sorted((c.data.params["arm"], c.data.params["seed"]) for c in children)
    assert seeds == [(arm, str(s)) for arm in ("gru", "lstm") for s in range(3)]
    for child in children:
        assert {"kernel", "device"} <= set(child.data.tags)
        assert {"lr", "batch", "hidden", "cell"} <= set(child.data.params)
        assert "test.accuracy" in child.data.metrics
        epochs = int(child.data.metrics["epochs_run"])
        for curve in ("train_loss", "val_loss", "val_metric"):
            history = client.get_metric_history(child.info.run_id, curve)
            assert sorted(m.step for m in history) == list(range(1, epochs + 1))

    before = sorted(r.info.run_id for r in client.search_runs(
        [parent.info.experiment_id], max_results=1000))
    code, out, err = run_cli(["mlflow", str(study), "--tracking-uri", server], capsys)
    assert code == 0, err
    assert "6 kept" in out
    after = client.search_runs([parent.info.experiment_id], max_results=1000)
    assert sorted(r.info.run_id for r in after) == before  # updated in place, none added
    history = client.get_metric_history(children[0].info.run_id, "val_loss")
    assert len(history) == int(children[0].data.metrics["epochs_run"])  # curves not doubled
    assert len(client.get_metric_history(parent.info.run_id, "difference")) == 1


def test_default_store_is_in_the_study_folder(finished, capsys) -> None:
    out_dir, records = finished
    code, out, err = run_cli(["mlflow", str(out_dir), "--experiment", "mine"], capsys)
    assert code == 0, err
    assert (out_dir / "mlflow.db").is_file() and "mlflow.db" in out
    client = MlflowClient(f"sqlite:///{out_dir / 'mlflow.db'}")
    parents, children = runs_of(client, "mine")
    assert len(parents) == 1 and len(children) == len(records)
    assert "summary.json" in {a.path for a in client.list_artifacts(parents[0].info.run_id)}
    assert (out_dir / "mlartifacts").is_dir()  # files beside the store, not in ./mlruns


def test_a_tracking_uri_that_does_not_answer_stops_before_training(reviews, tmp_path,
                                                                    capsys) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    code, out, err = run_cli(["compare", str(reviews), *TINY, "--out", str(tmp_path / "s"),
                              "--tracking-uri", dead], capsys)
    assert code == 2 and err.count("\n") == 1 and "does not answer" in err, err
    assert not (tmp_path / "s").exists()  # nothing half-written


def test_mlflow_command_bad_input_one_line_exit_2(finished, trained_study, tmp_path,
                                                  capsys) -> None:
    out_dir, _ = finished
    unfinished, _ = trained_study  # trials stored, no summary.json yet
    empty = tmp_path / "empty"
    empty.mkdir()
    dead = f"http://127.0.0.1:{free_port()}"
    for args, words in ((["mlflow", str(empty)], "not a gatebench study folder"),
                        (["mlflow", str(unfinished)], "holds no finished study"),
                        (["mlflow", str(out_dir), "--tracking-uri", dead], "does not answer"),
                        (["mlflow", str(out_dir), "--tracking-uri", str(empty / "mlruns")],
                         "retired file store")):
        code, _, err = run_cli(args, capsys)
        assert code == 2 and err.count("\n") == 1 and words in err, err
    assert not (out_dir / "mlflow.db").exists() and not list(empty.iterdir())
    assert not (unfinished / "mlflow.db").exists()


def test_without_the_extra_one_line_says_what_to_install(finished, monkeypatch,
                                                         capsys) -> None:
    out_dir, _ = finished
    monkeypatch.setitem(sys.modules, "mlflow", None)  # what an install without it sees
    code, _, err = run_cli(["mlflow", str(out_dir)], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "pip install 'gatebench[mlflow]'" in err
    assert not (out_dir / "mlflow.db").exists()


def test_live_tracking_logs_each_trial_as_it_is_stored(finished) -> None:
    from gatebench.run import StudyProgress
    from gatebench.store import open_store
    from gatebench.tracking import LiveTracking, connect

    out_dir, _ = finished
    seen: list[str] = []

    class Inner(StudyProgress):
        def trial_end(self, record: dict) -> None:
            seen.append(record["spec_id"])

    live = LiveTracking(Inner(), out_dir, connect(out_dir, experiment="live"))
    with open_store(out_dir) as store:
        records = store.records()
    client = MlflowClient(f"sqlite:///{out_dir / 'mlflow.db'}")
    for n, record in enumerate(records, start=1):
        live.trial_end(record)
        parents, children = runs_of(client, "live")
        assert len(parents) == 1 and len(children) == n  # logged now, not at the end
    assert seen == [r["spec_id"] for r in records]  # every event still reaches the display
    assert "verdict" not in parents[0].data.tags  # the verdict comes with the finished study
    live.study_end()
