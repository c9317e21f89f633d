"""RayExecutor: the same trials as Ray tasks, on a cluster or a private local instance.

The only module that imports ray, and only when an executor connects.
"""

from __future__ import annotations

import logging
import math
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from gatebench.errors import GatebenchError, SpecError, require
from gatebench.protocol import TrialSpec
from gatebench.protocol.record import TrialRecord
from gatebench.run.executors import Executor
from gatebench.run.progress import StudyProgress
from gatebench.run.trial import cached_task, run_trial
from gatebench.tasks.base import TaskData

CONNECT_TIMEOUT_S = 5.0


def _trial_task(spec: TrialSpec, data: TaskData, threads: int, concurrent: bool) -> TrialRecord:
    # The remote function: Ray resolves `data` from the object store, so no file is read here.
    return run_trial(spec, data=data, concurrent=concurrent, default_threads=threads)


class RayExecutor(Executor):
    """Trials as Ray tasks; each returns its record, checkpoint bytes included, to the driver.

    Without `address` it starts a private local Ray instance with `workers` CPUs (default: all
    cores); with `address` (HOST:PORT) it joins that cluster, or reuses a connection already
    made in this process. Nodes need gatebench installed but no data and no shared filesystem:
    the driver loads each task once and ships the prepared tensors through Ray's object store.
    A trial whose worker process or node dies is retried up to `max_retries` times; an error in
    the trial itself (GatebenchError) is not retried and reaches the driver unchanged.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int | None = None,
        num_cpus_per_trial: float = 1,
        num_gpus_per_trial: float = 0,
        max_retries: int = 2,
    ) -> None:
        if workers is not None and workers < 1:
            raise SpecError(f"--workers must be at least 1, got {workers}")
        if workers is not None and address is not None:
            raise SpecError("--workers sizes a private Ray instance; a cluster's nodes set its "
                            "size (drop --workers or --address)")
        if num_cpus_per_trial <= 0 or num_gpus_per_trial < 0:
            raise SpecError("a Ray trial needs a positive CPU count and a GPU count >= 0")
        if max_retries < 0:
            raise SpecError(f"max_retries must be 0 or more, got {max_retries}")
        if address is not None:
            _check_reachable(address)  # before the driver writes anything
        self.address, self.workers, self.max_retries = address, workers, max_retries
        self.num_cpus_per_trial, self.num_gpus_per_trial = num_cpus_per_trial, num_gpus_per_trial
        # Alone only on a one-trial private instance; a cluster's sharing is out of sight.
        self.concurrent = address is not None or workers != 1
        self._ray: Any = None
        self._owns_connection = False

    def run(
        self,
        specs: Sequence[TrialSpec],
        *,
        cache_dir: Path | None = None,
        progress: StudyProgress | None = None,
    ) -> Iterator[TrialRecord]:
        ray = self._connect()
        remote = ray.remote(_trial_task).options(
            num_cpus=self.num_cpus_per_trial, num_gpus=self.num_gpus_per_trial,
            max_retries=self.max_retries,  # process or node death only, never a trial's error
            retry_exceptions=False,
        )
        shipped = {task: ray.put(cached_task(task, cache_dir)) for task in {s.task for s in specs}}
        threads = max(1, int(self.num_cpus_per_trial))  # a trial uses the cores it reserved
        pending = {remote.remote(spec, shipped[spec.task], threads, self.concurrent): spec
                   for spec in specs}
        try:
            while pending:
                [ref], _ = ray.wait(list(pending), num_returns=1)
                yield self._result(ray, ref, pending.pop(ref))
        finally:
            for ref in pending:  # after an error or an interrupt, stop what is still queued
                ray.cancel(ref, force=True)

    def close(self) -> None:
        """Shut down the private instance, or leave the cluster, if this executor connected."""
        if self._owns_connection:
            self._ray.shutdown()
        self._ray, self._owns_connection = None, False

    def _connect(self) -> Any:
        if self._ray is not None:
            return self._ray
        ray = require("ray", extra="ray")
        if not ray.is_initialized():
            options = {"log_to_driver": False, "logging_level": logging.WARNING}
            if self.address is None:
                cpus = self.workers and math.ceil(self.workers * self.num_cpus_per_trial)
                # "local": never join a cluster some other program left running on this host
                ray.init(address="local", num_cpus=cpus, include_dashboard=False, **options)
            else:
                try:
                    ray.init(address=self.address, **options)
                except (ConnectionError, RuntimeError) as exc:
                    raise GatebenchError(
                        f"cannot join the Ray cluster at {self.address}: {exc}"
                    ) from None
            self._owns_connection = True
        self._ray = ray
        return ray

    def _result(self, ray: Any, ref: Any, spec: TrialSpec) -> TrialRecord:
        try:
            return ray.get(ref)
        except ray.exceptions.RayTaskError as exc:
            if isinstance(exc.cause, GatebenchError):
                raise exc.cause from None
            raise
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                ray.exceptions.OutOfMemoryError) as exc:
            raise GatebenchError(
                f"trial {spec.cell} seed {spec.seed}: its Ray worker died on all "
                f"{self.max_retries + 1} attempts ({type(exc).__name__}); finished trials are "
                "stored: rerun to resume"
            ) from None


def _check_reachable(address: str) -> None:
    # ray.init retries an unreachable address for minutes; fail in seconds with the fix instead.
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and other forms Ray resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise GatebenchError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc}); start one with "
            "`ray start --head --port PORT` or fix --address HOST:PORT"
        ) from None
