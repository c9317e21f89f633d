"""Executors by name: the registry builds each one and rejects options that do not apply."""

from __future__ import annotations

import pytest

from gatebench.errors import SpecError, UnknownNameError
from gatebench.measure import available_cores
from gatebench.run import LocalExecutor, ProcessExecutor, RayExecutor, executor_for


def test_names_build_their_executors_without_starting_anything() -> None:
    assert isinstance(executor_for("local"), LocalExecutor)
    process = executor_for("process", workers=2)
    assert isinstance(process, ProcessExecutor) and process.concurrent
    assert process.threads_per_worker == max(1, available_cores() // 2)
    assert executor_for("process").workers == available_cores()
    assert not executor_for("process", workers=1).concurrent  # one at a time: honest timings
    ray = executor_for("ray", workers=2)
    assert isinstance(ray, RayExecutor) and ray.concurrent and ray.address is None
    assert not executor_for("ray", workers=1).concurrent


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="no executor 'slurm'; known: local, process, ray"):
        executor_for("slurm")


@pytest.mark.parametrize(
    "name, options, words",
    [
        ("local", {"workers": 4}, "--workers needs"),
        ("process", {"address": "10.0.0.1:6379"}, "--address needs --executor ray"),
        ("process", {"workers": 0}, "--workers must be at least 1"),
        ("process", {"workers": 2, "threads_per_worker": 0}, "threads per worker"),
        ("ray", {"num_cpus_per_trial": 0}, "positive CPU count"),
        ("ray", {"max_retries": -1}, "max_retries"),
    ],
)
def test_options_that_do_not_apply_are_rejected(name, options, words) -> None:
    with pytest.raises(SpecError, match=words):
        executor_for(name, **options)
