"""gatebench: evidence, not folklore, for the GRU-or-LSTM decision.

Public names load lazily, so `gatebench.store`, `analysis` and `report` work without torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from gatebench.errors import (
    DataError,
    GatebenchError,
    SpecError,
    StoreError,
    UnknownNameError,
)

_LAZY = {
    "compare": "gatebench.api",
    "Study": "gatebench.api",
    "importance": "gatebench.api",
    "open_store": "gatebench.store",
    "run_suite": "gatebench.run.suite",
    "advise": "gatebench.advisor",
    "build_report": "gatebench.report",
}

__all__ = [
    "DataError",
    "GatebenchError",
    "SpecError",
    "StoreError",
    "Study",
    "UnknownNameError",
    "advise",
    "build_report",
    "compare",
    "importance",
    "open_store",
    "run_suite",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gatebench' has no attribute {name!r}")
