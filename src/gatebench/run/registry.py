"""Executors by name, as `--executor` picks them: local, process, ray."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gatebench.errors import SpecError, UnknownNameError
from gatebench.measure import available_cores
from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.process_executor import ProcessExecutor
from gatebench.run.ray_executor import RayExecutor


def _local(workers: int | None, address: str | None, **options: Any) -> Executor:
    if workers not in (None, 1):
        raise SpecError("--workers needs --executor process or ray; local runs one trial at a time")
    return LocalExecutor(**options)


def _process(workers: int | None, address: str | None, **options: Any) -> Executor:
    return ProcessExecutor(available_cores() if workers is None else workers, **options)


def _ray(workers: int | None, address: str | None, **options: Any) -> Executor:
    return RayExecutor(address, workers=workers, **options)


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "local": _local,
    "process": _process,
    "ray": _ray,
}


def executor_for(
    name: str, workers: int | None = None, address: str | None = None, **options: Any
) -> Executor:
    """The named executor; `workers` and `address` apply where they mean something.

    `options` go to the executor's constructor (threads_per_worker, num_cpus_per_trial, ...).
    """
    try:
        make = EXECUTORS[name]
    except KeyError:
        raise UnknownNameError("executor", name, list(EXECUTORS)) from None
    if address is not None and name != "ray":
        raise SpecError("--address needs --executor ray")
    return make(workers, address, **options)
