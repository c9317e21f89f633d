"""Composition: run_trial(spec) -> record, executors, and the study loop."""

from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.process_executor import ProcessExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.ray_executor import RayExecutor
from gatebench.run.registry import EXECUTORS, executor_for
from gatebench.run.study import prepare_study, run_study
from gatebench.run.trial import run_trial

__all__ = [
    "EXECUTORS",
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "RayExecutor",
    "StudyProgress",
    "executor_for",
    "prepare_study",
    "run_study",
    "run_trial",
]
