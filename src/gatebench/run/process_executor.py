"""ProcessExecutor: trials in parallel on this machine, in a pool of spawned processes."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from gatebench.errors import GatebenchError, SpecError
from gatebench.measure import available_cores
from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor
from gatebench.run.progress import StudyProgress
from gatebench.run.trial import run_trial

log = logging.getLogger(__name__)

TRIAL_PROCESS_NAME = "gatebench-trial"  # what ps and top show for a worker running a trial
# oneDNN keeps 1,024 primitives by default (one per layer, direction and shape); a warm worker
# running trials with many sequence lengths, two cells and evaluation batches can outgrow it and
# rebuild shapes it already paid for.
PRIMITIVE_CACHE_CAPACITY = "8192"
PARENT_POLL_S = 0.5  # how often a worker checks that its driver is alive


def _start_worker() -> None:
    """Before a worker's first trial: room for every shape its trials will build (a user's own
    ONEDNN_PRIMITIVE_CACHE_CAPACITY wins), and a watch that ends the worker with its driver."""
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", PRIMITIVE_CACHE_CAPACITY)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="gatebench-parent-watch").start()


def _exit_with_parent(parent: int) -> None:
    """Exit once the driver is gone: a driver killed with kill -9 cannot stop its pool, and an
    orphaned worker would otherwise wait for work forever (and finish a trial nobody stores)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _started() -> int:
    """Nothing to do: unpickling this call imported the trial code (torch and all)."""
    return os.getpid()


def _run_named(spec: TrialSpec, **options: Any) -> TrialRecord:
    """run_trial in a pool worker that is named TRIAL_PROCESS_NAME while the trial runs."""
    idle = _process_name()
    _set_process_name(TRIAL_PROCESS_NAME)
    try:
        return run_trial(spec, **options)
    finally:
        _set_process_name(idle)


def _process_name() -> str | None:
    try:
        return Path("/proc/self/comm").read_text().strip()
    except OSError:  # no /proc (not Linux): the name stays as it is
        return None


def _set_process_name(name: str | None) -> None:
    if name is not None:
        try:
            Path("/proc/self/comm").write_text(name[:15])  # the kernel keeps 15 bytes
        except OSError:
            pass


class ProcessExecutor(Executor):
    """Up to `workers` trials at once, each in its own process with its share of the cores.

    A worker running a trial is named `gatebench-trial` (in ps, top and /proc/PID/comm).

    A trial whose spec says `threads=0` (all cores) gets `threads_per_worker` threads, by
    default `cores // workers`, so workers do not fight over cores; the record keeps the count.
    """

    name = "process"

    def __init__(self, workers: int = 2, threads_per_worker: int | None = None) -> None:
        if workers < 1:
            raise SpecError(f"--workers must be at least 1, got {workers}")
        if threads_per_worker is not None and threads_per_worker < 1:
            raise SpecError(f"threads per worker must be at least 1, got {threads_per_worker}")
        self.workers = workers
        self.threads_per_worker = threads_per_worker or max(1, available_cores() // workers)
        self.concurrent = workers > 1
        self._pool: ProcessPoolExecutor | None = None
        self._starting: list[Future[int]] = []

    def start(self) -> None:
        """Spawn every worker now, so their imports overlap the driver's data loading."""
        self._started_pool()

    def _started_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked copy of a process whose torch thread pools have started
            # can deadlock; each worker imports torch afresh and loads each task once.
            context = multiprocessing.get_context("spawn")
            # the pool lives as long as the executor: its workers stay warm between trials
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_start_worker)
            # one no-op call per worker: the pool spawns a process per call while none is idle
            self._starting = [self._pool.submit(_started) for _ in range(self.workers)]
        return self._pool

    def wait_ready(self) -> None:
        """Wait until the workers `start` spawned have imported everything and sit idle."""
        wait(self._starting)
        self._starting = []

    def run(
        self,
        specs: Sequence[TrialSpec],
        *,
        cache_dir: Path | None = None,
        progress: StudyProgress | None = None,
    ) -> Iterator[TrialRecord]:
        self._warn_if_oversubscribed(specs)
        pool = self._started_pool()
        futures = [
            pool.submit(_run_named, spec, cache_dir=cache_dir, concurrent=self.concurrent,
                        default_threads=self.threads_per_worker)
            for spec in specs
        ]
        finished = False
        try:
            for future in as_completed(futures):
                try:
                    record = future.result()
                except BrokenProcessPool:
                    raise GatebenchError(
                        "a worker process died (out of memory?); finished trials are stored: "
                        "rerun to resume, with fewer --workers"
                    ) from None
                yield record
            finished = True
        finally:
            if not finished:  # an error or an interrupt: nobody will read what is still running
                self._terminate()

    def close(self) -> None:
        """Stop the worker processes (running trials finish first)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool, self._starting = None, []

    def _terminate(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list((pool._processes or {}).values()):  # no public API before 3.14
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)

    def _warn_if_oversubscribed(self, specs: Sequence[TrialSpec]) -> None:
        threads = max((s.train.threads for s in specs), default=0)
        if threads * min(self.workers, len(specs)) > available_cores():
            log.warning("%d workers x %d threads exceed the %d cores: trials will slow each "
                        "other down (--threads 0 gives each worker its share)",
                        self.workers, threads, available_cores())
