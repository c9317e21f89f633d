"""The process pool: a worker that dies is one clear error, and the pool stops promptly.

The killer waits for a worker to name itself as running a trial, not for a time or CPU count.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.errors import GatebenchError
from gatebench.run import ProcessExecutor, run_study
from gatebench.run.process_executor import TRIAL_PROCESS_NAME
from tests.conftest import TINY, make_reviews

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds workers in /proc")


def _trial_workers() -> list[int]:
    """This process's pool workers that are running a trial now (they say so in their name)."""
    pids = []
    for pid in _children():
        try:
            if (Path("/proc") / str(pid) / "comm").read_text().strip() == TRIAL_PROCESS_NAME:
                pids.append(pid)
        except OSError:
            continue  # gone already
    return pids


def _children() -> set[int]:
    """The live processes whose parent is this one."""
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
            and _parent_of(p) == os.getpid()}


def _parent_of(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None  # gone already


def _kill_one(killed: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        for pid in _trial_workers()[:1]:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.01)


def test_dead_worker_is_one_clear_error_and_the_pool_stops(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_reviews(n=1500).to_csv(data, index=False)
    study = study_spec(task_spec(data, text_col="review", label_col="sentiment"),
                       **{**TINY, "max_epochs": 6, "patience": 6, "hidden": 32})
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_one, args=(killed, stop))
    killer.start()
    try:
        with ProcessExecutor(workers=2) as executor:
            with pytest.raises(GatebenchError, match="worker process died.*rerun to resume"):
                run_study(study, tmp_path / "study", executor=executor)
    finally:
        stop.set()
        killer.join()
    assert len(killed) == 1
    assert not _trial_workers()  # the other worker was stopped, not left training


def test_a_worker_stays_warm_across_trials_and_records_its_peak_memory(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    study = study_spec(task_spec(data, text_col="review", label_col="sentiment"),
                       **{**TINY, "seeds": 2})
    with ProcessExecutor(workers=1) as executor:
        records = run_study(study, tmp_path / "study", executor=executor)
    workers = [r["worker"] for r in records]
    assert len({w["pid"] for w in workers}) == 1 and workers[0]["pid"] != os.getpid()
    assert sorted(w["trials_before"] for w in workers) == [0, 1, 2, 3]  # one process, reused
    for r in records:
        assert r["memory"]["scope"] == "trial" and r["memory"]["peak_rss_mb"] > 50


def test_start_spawns_every_worker_before_the_first_trial(tmp_path: Path) -> None:
    """start() spawns the whole pool at once; wait_ready() returns with every worker idle and
    imported, and the trials then run in those processes (no second start-up)."""
    data = tmp_path / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    study = study_spec(task_spec(data, text_col="review", label_col="sentiment"),
                       **{**TINY, "seeds": 2})
    before = _children()
    with ProcessExecutor(workers=2) as executor:
        executor.start()
        executor.wait_ready()
        started = _children() - before
        assert len(started) >= 2 and not _trial_workers()
        records = list(executor.run(study.trials()))
    assert {r["worker"]["pid"] for r in records} <= started


# A driver that dies like kill -9 once its pool is running: os._exit skips every cleanup, so
# nothing it could do stops its workers; they must notice on their own.
ORPHANING_DRIVER = """
import os, sys
from gatebench.api import study_spec, task_spec
from gatebench.run import ProcessExecutor
from tests.conftest import TINY

study = study_spec(task_spec(sys.argv[1], text_col="review", label_col="sentiment"), **TINY)
executor = ProcessExecutor(workers=2)
records = executor.run(study.trials())  # held: a dropped generator stops the pool
next(records)  # the pool is up and one trial is back
print(*executor._pool._processes, flush=True)  # the pool's worker pids
os._exit(137)
"""


def test_workers_exit_when_their_driver_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "reviews.csv"
    make_reviews().to_csv(data, index=False)
    driver = subprocess.run([sys.executable, "-c", ORPHANING_DRIVER, str(data)],
                            capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert driver.returncode == 137, driver.stderr
    workers = [int(pid) for pid in driver.stdout.split()]
    assert len(workers) == 2
    deadline = time.monotonic() + 30  # bounds a failure; a pass comes within a poll or two
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "orphaned workers"

