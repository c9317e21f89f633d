"""The "Execution" options (--executor, --workers, --address), shared by every study command."""

from __future__ import annotations

import typer

from gatebench.run import Executor, executor_for

EXECUTION = "Execution"

EXECUTOR = typer.Option(
    "local", "--executor", help="local: one trial at a time (the only timings fit for speed "
    "claims); process: parallel trials on this machine; ray: a Ray cluster.",
    rich_help_panel=EXECUTION,
)
WORKERS = typer.Option(
    None, "--workers", help="Trials at once: process (default: one per core); ray: CPUs of the "
    "private local instance (default: all).", rich_help_panel=EXECUTION, show_default=False,
)
ADDRESS = typer.Option(
    None, "--address", help="ray: HOST:PORT of a running cluster (default: start a private "
    "local one).", rich_help_panel=EXECUTION, show_default=False,
)


def build_executor(executor: str, workers: int | None, address: str | None) -> Executor:
    """The executor the three Execution options ask for; use it as a context manager."""
    return executor_for(executor.strip().lower(), workers=workers, address=address)
