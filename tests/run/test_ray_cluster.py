"""A real two-node Ray cluster on loopback: a worker killed mid-trial costs a retry, not a row."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.errors import GatebenchError
from gatebench.protocol import StudySpec
from gatebench.run import RayExecutor, run_study
from gatebench.store import open_store
from tests.conftest import TINY, make_reviews

pytestmark = [pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds workers in /proc"),
              # one worker starts the module's cluster once (pytest-xdist, --dist loadgroup)
              pytest.mark.xdist_group("ray-cluster")]
pytest.importorskip("ray")

RAY = str(Path(sys.executable).with_name("ray"))
TRIAL_TITLE = b"ray::_trial_task"  # Ray's process title for a worker running our remote task


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_node(args: list[str], log: Path) -> subprocess.Popen:
    # --block keeps `ray start` in the foreground: stopping it stops exactly this node; its
    # own session holds all the node's processes (Ray gives each worker its own group).
    with log.open("wb") as out:
        node = subprocess.Popen([RAY, "start", "--block", "--node-ip-address=127.0.0.1",
                                 "--num-cpus=1", *args], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.time() + 60
    while b"Ray runtime started" not in log.read_bytes():
        if node.poll() is not None or time.time() > deadline:
            _stop_node(node)
            raise RuntimeError(f"ray start failed:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return node


def _stop_node(node: subprocess.Popen) -> None:
    node.terminate()
    try:
        node.wait(timeout=20)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait()
    for pid in _session_processes(node.pid):  # anything the node left behind
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, list[int]]]:
    """A head and a worker node, one CPU each, on 127.0.0.1; yields (address, session ids)."""
    temp = Path(tempfile.mkdtemp(prefix="gbray"))  # short: Ray's socket paths must fit 107 bytes
    address = f"127.0.0.1:{_free_port()}"
    nodes: list[subprocess.Popen] = []
    env = pytest.MonkeyPatch()
    env.setenv("RAY_AUTH_MODE", "disabled")  # loopback only; the nodes inherit it
    try:
        nodes.append(_start_node(["--head", f"--port={address.split(':')[1]}",
                                  "--include-dashboard=false", f"--temp-dir={temp}"],
                                 temp / "head.log"))
        nodes.append(_start_node([f"--address={address}"], temp / "worker.log"))
        yield address, [n.pid for n in nodes]
    finally:
        try:
            for node in reversed(nodes):
                _stop_node(node)
        finally:
            env.undo()
            shutil.rmtree(temp, ignore_errors=True)


def _processes() -> Iterator[tuple[int, int, bytes]]:
    """(pid, session id, command line) of every process."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes()
            session = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue  # not a process, or gone already
        yield int(proc.name), session, title


def _session_processes(session: int) -> list[int]:
    return [pid for pid, sid, _ in _processes() if sid == session and pid != session]


def _kill_first_trial(sessions: list[int], killed: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        for pid, sid, title in _processes():
            if sid not in sessions or not title.startswith(TRIAL_TITLE):
                continue
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.02)


@contextmanager
def _killing_first_trial(sessions: list[int]) -> Iterator[list[int]]:
    """SIGKILL the first cluster worker seen running a trial; yields the pids killed."""
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_first_trial, args=(sessions, killed, stop))
    killer.start()
    try:
        yield killed
    finally:
        stop.set()
        killer.join()


def _study(tmp_path: Path) -> StudySpec:
    # Trials of about a second each, so the killer finds one running.
    data = tmp_path / "reviews.csv"
    make_reviews(n=1500).to_csv(data, index=False)
    return study_spec(task_spec(data, text_col="review", label_col="sentiment"),
                      **{**TINY, "max_epochs": 3, "patience": 3, "hidden": 32})


def test_killed_worker_is_retried_and_rows_stay_one_per_trial(
    cluster: tuple[str, list[int]], tmp_path: Path
) -> None:
    address, sessions = cluster
    study = _study(tmp_path)
    with _killing_first_trial(sessions) as killed, RayExecutor(address) as executor:
        records = run_study(study, tmp_path / "study", executor=executor)
    assert len(killed) == 1, "a worker should have been killed while running a trial"
    assert sorted(r["spec_id"] for r in records) == sorted(t.spec_id for t in study.trials())
    assert all(r["concurrent"] and r["status"] == "ok" for r in records)
    with open_store(tmp_path / "study") as store:
        assert store.count() == 4


def test_without_retries_a_killed_trial_is_one_clear_error(
    cluster: tuple[str, list[int]], tmp_path: Path
) -> None:
    address, sessions = cluster
    with _killing_first_trial(sessions) as killed, \
            RayExecutor(address, max_retries=0) as executor:
        with pytest.raises(GatebenchError, match="died on all 1 attempts.*rerun to resume"):
            run_study(_study(tmp_path), tmp_path / "study", executor=executor)
    assert len(killed) == 1


def test_unreachable_address_fails_fast_with_the_fix() -> None:
    started = time.time()
    with pytest.raises(GatebenchError, match="ray start --head"):
        RayExecutor(f"127.0.0.1:{_free_port()}")
    assert time.time() - started < 10
