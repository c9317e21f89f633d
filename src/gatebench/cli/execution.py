"""The "Execution" options (--executor, --workers, --address, resources per trial), shared by
every study command."""

from __future__ import annotations

from typing import Any

import typer

from gatebench.errors import SpecError
from gatebench.measure import available_cores
from gatebench.run import Executor, executor_for

EXECUTION = "Execution"
AUTO = "auto"

EXECUTOR = typer.Option(
    "local", "--executor", help="local: one trial at a time (the only timings fit for speed "
    "claims); process: parallel trials on this machine; ray: a Ray cluster.",
    rich_help_panel=EXECUTION,
)
# compare times training in a pass of its own, so its quality trials may share the machine
COMPARE_EXECUTOR = typer.Option(
    AUTO, "--executor", help="auto: parallel trials (process) on a CPU machine with 2 or more "
    "cores, one trial at a time on a GPU unless --workers says otherwise; local: one trial at "
    "a time; process: parallel trials on this machine; ray: a Ray cluster. Training time comes "
    "from compare's own timing pass either way.", rich_help_panel=EXECUTION,
)
WORKERS = typer.Option(
    None, "--workers", help="Trials at once: process (default: one per core); ray: CPUs of the "
    "private local instance (default: all).", rich_help_panel=EXECUTION, show_default=False,
)
ADDRESS = typer.Option(
    None, "--address", help="ray: HOST:PORT of a running cluster (default: start a private "
    "local one).", rich_help_panel=EXECUTION, show_default=False,
)


CPUS_PER_TRIAL = typer.Option(
    None, "--cpus-per-trial", help="process: threads per worker (default: cores / workers); "
    "ray: CPUs each trial reserves and uses (default: 1).", rich_help_panel=EXECUTION,
    show_default=False,
)
GPUS_PER_TRIAL = typer.Option(
    None, "--gpus-per-trial", help="ray: GPUs (or a fraction) each trial reserves (default: 0).",
    rich_help_panel=EXECUTION, show_default=False,
)


def build_executor(executor: str, workers: int | None, address: str | None,
                   cpus_per_trial: float | None = None, gpus_per_trial: float | None = None
                   ) -> Executor:
    """The executor the Execution options ask for; use it as a context manager."""
    name = executor.strip().lower()
    if name == AUTO:
        name = auto_executor(workers, cpus_per_trial)
    options: dict[str, Any] = {}
    if cpus_per_trial is not None:
        if name == "local":
            raise SpecError("--cpus-per-trial needs --executor process or ray; the local "
                            "executor's trials use --threads")
        if name == "process":
            if cpus_per_trial != int(cpus_per_trial) or cpus_per_trial < 1:
                raise SpecError(f"--cpus-per-trial must be a whole number >= 1 with --executor "
                                f"process, got {cpus_per_trial:g}")
            options["threads_per_worker"] = int(cpus_per_trial)
        else:
            options["num_cpus_per_trial"] = cpus_per_trial
    if gpus_per_trial is not None:
        if name != "ray":
            raise SpecError("--gpus-per-trial needs --executor ray")
        options["num_gpus_per_trial"] = gpus_per_trial
    return executor_for(name, workers=workers, address=address, **options)


def auto_executor(workers: int | None, cpus_per_trial: float | None,
                  cores: int | None = None, gpu: bool | None = None) -> str:
    """What `--executor auto` runs: process (parallel trials, threads split per worker) with 2
    or more cores, or with --workers or --cpus-per-trial given; local (one trial at a time) on
    a single core and on a GPU, which trials share only when the user asks (--workers)."""
    if workers is not None or cpus_per_trial is not None:
        return "process"
    if gpu is None:
        import torch  # the CLI's other commands start faster without it

        gpu = torch.cuda.is_available()
    cores = available_cores() if cores is None else cores
    return "process" if cores >= 2 and not gpu else "local"
