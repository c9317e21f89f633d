"""WHAT to run: frozen specs, grid expansion, spec ids and seed derivation (stdlib only)."""

from gatebench.protocol.arms import DEFAULT_CELLS, Arm, arms_for_cells, parse_arms
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
    "DEFAULT_CELLS",
    "Arm",
    "arms_for_cells",
    "parse_arms",
    "ModelOptions",
    "SizingConfig",
    "StudySpec",
    "TaskSpec",
    "TrainConfig",
    "TrialSpec",
    "derive_seed",
]
