"""WHAT to run: frozen specs, grid expansion, spec ids and seed derivation (stdlib only)."""

from gatebench.protocol.seeds import derive_seed
from gatebench.protocol.specs import (
    ModelOptions,
    SizingConfig,
    StudySpec,
    TaskSpec,
    TrainConfig,
    TrialSpec,
)

__all__ = [
    "ModelOptions",
    "SizingConfig",
    "StudySpec",
    "TaskSpec",
    "TrainConfig",
    "TrialSpec",
    "derive_seed",
]
