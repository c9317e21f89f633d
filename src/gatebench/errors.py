"""User-facing errors: each names the problem and the fix; the CLI prints one line and exits 2."""

from __future__ import annotations


class GatebenchError(Exception):
    """Base of every error a user can cause and fix."""


class SpecError(GatebenchError):
    """A study or trial specification is invalid (bad budget, seeds, option values)."""


class DataError(GatebenchError):
    """Input data is missing, unreadable or unusable (columns, classes, NaN, empty)."""


class UnknownNameError(GatebenchError):
    """A name (cell, task, dataset, executor) is not registered; the message lists known ones."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]) -> None:
        self.kind, self.name, self.known = kind, name, tuple(known)
        super().__init__(f"no {kind} {name!r}; known: {', '.join(sorted(self.known))}")

    def __reduce__(self) -> tuple:
        # Rebuilt from its own arguments, so it crosses process and Ray boundaries unchanged.
        return type(self), (self.kind, self.name, self.known)


class StoreError(GatebenchError):
    """The results store cannot be opened, read or written."""


class ExportError(GatebenchError):
    """A model could not be exported, or its export disagrees with PyTorch."""


class MissingDependencyError(GatebenchError):
    """An optional dependency is not installed; the message says which extra to install."""


def require(module: str, extra: str):
    """Import an optional dependency, or raise an error that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module} is not installed ({exc}); install it with: pip install 'gatebench[{extra}]'"
        ) from None
