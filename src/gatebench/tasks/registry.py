"""Task registry: reference datasets and user-file families, each a loader keyed by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gatebench.errors import UnknownNameError
from gatebench.protocol import TaskSpec
from gatebench.tasks.base import TaskData

Loader = Callable[[TaskSpec, Path | None], TaskData]


@dataclass(frozen=True)
class TaskEntry:
    """A registered task: a loader plus the facts `gatebench tasks` lists without loading."""

    name: str
    family: str
    loader: Loader
    reference: bool  # True: bundled offline data; False: the user's own file (needs `path`)
    summary: str = ""  # size, sequence length, metric, in one line


_TASKS: dict[str, TaskEntry] = {}


def register(entry: TaskEntry) -> TaskEntry:
    """Add a task under its name (module import time)."""
    _TASKS[entry.name] = entry
    return entry


def get_task(name: str) -> TaskEntry:
    """The entry for `name`, or an error listing the known names."""
    _load_families()
    try:
        return _TASKS[name]
    except KeyError:
        raise UnknownNameError("task", name, list(_TASKS)) from None


def all_tasks() -> list[TaskEntry]:
    """Every registered task, reference datasets first."""
    _load_families()
    return sorted(_TASKS.values(), key=lambda e: (not e.reference, e.family, e.name))


def load_task(spec: TaskSpec, cache_dir: Path | None = None) -> TaskData:
    """Load and prepare a task; `cache_dir` (the study folder) holds expensive preprocessing."""
    return get_task(spec.name).loader(spec, cache_dir)


def _load_families() -> None:
    # Importing a family module registers its tasks; kept here so callers need one import.
    import importlib

    for module in FAMILY_MODULES:
        importlib.import_module(module)


FAMILY_MODULES = (
    "gatebench.tasks.text",
    "gatebench.tasks.forecast",
    "gatebench.tasks.sequence",
    "gatebench.tasks.audio",
    "gatebench.tasks.synthetic",
)
