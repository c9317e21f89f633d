"""Composition: run_trial(spec) -> record, executors, and the study loop."""

from gatebench.run.executors import Executor, LocalExecutor
from gatebench.run.progress import StudyProgress
from gatebench.run.study import prepare_study, run_study
from gatebench.run.trial import run_trial

__all__ = [
    "Executor",
    "LocalExecutor",
    "StudyProgress",
    "prepare_study",
    "run_study",
    "run_trial",
]
