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
    "compare": "gatebench.studies",
    "Study": "gatebench.studies",
    "open_store": "gatebench.store",
}

__all__ = [
    "DataError",
    "GatebenchError",
    "SpecError",
    "StoreError",
    "Study",
    "UnknownNameError",
    "compare",
    "open_store",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gatebench' has no attribute {name!r}")
