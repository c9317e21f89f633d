"""Composition: run_trial(spec) -> record, executors, and the study loop.

Names load lazily: a pool worker imports `gatebench.run.process_executor` to run a trial, and
should not pay for the study loop's statistics (scipy) it never uses.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "EXECUTORS": "gatebench.run.registry",
    "Executor": "gatebench.run.executors",
    "LocalExecutor": "gatebench.run.executors",
    "ProcessExecutor": "gatebench.run.process_executor",
    "RayExecutor": "gatebench.run.ray_executor",
    "StudyProgress": "gatebench.run.progress",
    "executor_for": "gatebench.run.registry",
    "prepare_study": "gatebench.run.study",
    "run_study": "gatebench.run.study",
    "run_trial": "gatebench.run.trial",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gatebench.run' has no attribute {name!r}")
