"""The Execution options map onto each executor's own resource settings."""

from __future__ import annotations

import pytest

from gatebench.cli.execution import auto_executor, build_executor
from gatebench.errors import SpecError


def test_cpus_per_trial_sets_process_threads_and_ray_reservation() -> None:
    assert build_executor("process", 2, None, cpus_per_trial=3).threads_per_worker == 3
    ray = build_executor("ray", 2, None, cpus_per_trial=0.5, gpus_per_trial=0.25)
    assert (ray.num_cpus_per_trial, ray.num_gpus_per_trial) == (0.5, 0.25)


@pytest.mark.parametrize("args, words", [
    (("local", None, None, 2, None), "--cpus-per-trial needs"),
    (("process", 2, None, 1.5, None), "whole number"),
    (("process", 2, None, None, 1), "--gpus-per-trial needs --executor ray"),
    (("ray", None, None, 0, None), "positive CPU count"),
])
def test_resource_options_that_cannot_apply_are_refused(args, words) -> None:
    with pytest.raises(SpecError, match=words):
        build_executor(*args)


@pytest.mark.parametrize("workers, cpus, cores, gpu, expected", [
    (None, None, 2, False, "process"),  # every core busy with quality trials
    (None, None, 16, False, "process"),
    (None, None, 1, False, "local"),  # nothing to run beside
    (None, None, 16, True, "local"),  # one trial at a time per GPU ...
    (2, None, 16, True, "process"),  # ... unless the user asks
    (None, 2, 1, False, "process"),
])
def test_auto_runs_trials_in_parallel_on_a_cpu_with_cores(workers, cpus, cores, gpu,
                                                          expected) -> None:
    assert auto_executor(workers, cpus, cores=cores, gpu=gpu) == expected


def test_auto_builds_an_executor() -> None:
    with build_executor("auto", 2, None) as executor:
        assert executor.name == "process" and executor.workers == 2
