"""Arms: what a study compares. An arm is a cell plus its own options, a label and a seed stream.

Two arms of one cell (``--cells lstm,lstm``) make an A/A study: the arms differ only in their
initialisation stream, so the tool's own verdict there should name no winner.

Seed streams: pair k of every arm shares the data split, the training-fraction subsample and the
batch order (common random numbers, which cancel data-order noise out of each paired
difference); each arm draws its own initialisation from ``derive_seed("init", label, k)``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, TypedDict

from gatebench.errors import SpecError

# The cells compared when none are named: the pair the folklore is about (any registered cell
# may be named instead; the registry, gatebench.cells.cell_names(), lists them).
DEFAULT_CELLS: tuple[str, ...] = ("gru", "lstm")

# Options an arm may set for itself, and the config slice each one lands in.
ARM_OPTIONS: dict[str, str] = {
    "lr": "train",
    "weight_decay": "train",
    "dropout": "model",
    "forget_bias": "model",
    "hidden": "sizing",
}
_LABEL_CHARS = set(string.ascii_letters + string.digits + "-_.")


class ArmDoc(TypedDict):
    """`Arm.to_dict()`: label, cell and its overrides (an option of ARM_OPTIONS -> number)."""

    label: str
    cell: str
    overrides: dict[str, float]


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a registered cell, its label and its option overrides."""

    label: str
    cell: str
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, cell: str, label: str | None = None, **overrides: Any) -> Arm:
        """An arm of `cell` (labelled by the cell unless given), overrides sorted by name."""
        items = tuple(sorted((k, v) for k, v in overrides.items() if v is not None))
        return cls(label=label or cell, cell=cell, overrides=items)

    def option(self, key: str, default: Any = None) -> Any:
        """The arm's override for `key`, or `default`."""
        return dict(self.overrides).get(key, default)

    def validate(self) -> None:
        """Raise SpecError on an unusable label or an unknown or out-of-range override."""
        if not self.label or not set(self.label) <= _LABEL_CHARS:
            raise SpecError(
                f"arm label {self.label!r} must be letters, digits, '-', '_' or '.'"
            )
        for key, value in self.overrides:
            if key not in ARM_OPTIONS:
                raise SpecError(
                    f"arm {self.label}: no option {key!r}; known: {', '.join(sorted(ARM_OPTIONS))}"
                )
            if key in ("lr", "hidden") and not value > 0:
                raise SpecError(f"arm {self.label}: {key} must be positive, got {value}")

    def to_dict(self) -> ArmDoc:
        return {"label": self.label, "cell": self.cell, "overrides": dict(self.overrides)}

    @classmethod
    def from_dict(cls, d: ArmDoc) -> Arm:
        return cls.make(d["cell"], d.get("label"), **(d.get("overrides") or {}))


def arms_for_cells(cells: tuple[str, ...] | list[str]) -> tuple[Arm, ...]:
    """One arm per cell, labelled by the cell; a repeated cell gets -a, -b, ... suffixes."""
    counts = {c: cells.count(c) for c in cells}
    seen: dict[str, int] = {}
    arms = []
    for cell in cells:
        if counts[cell] == 1:
            arms.append(Arm.make(cell))
            continue
        k = seen.get(cell, 0)
        seen[cell] = k + 1
        arms.append(Arm.make(cell, label=f"{cell}-{string.ascii_lowercase[k % 26]}"))
    return tuple(arms)


def parse_arms(text: str) -> tuple[Arm, ...]:
    """Arms from ``--arms``: ``label=cell[:key=value:...]`` items, comma-separated.

    Example: ``slow=lstm:lr=0.001,fast=lstm:lr=0.004`` compares one cell at two learning rates.
    """
    arms = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        head, *opts = item.split(":")
        label, sep, cell = head.partition("=")
        if not sep:
            label, cell = "", head
        overrides: dict[str, float] = {}
        for opt in opts:
            key, sep, value = opt.partition("=")
            if not sep:
                raise SpecError(f"--arms: {opt!r} in {item!r} should be key=value")
            try:
                overrides[key.strip()] = float(value) if key.strip() != "hidden" else int(value)
            except ValueError:
                raise SpecError(f"--arms: {key}={value!r} in {item!r} is not a number") from None
        arms.append(Arm.make(cell.strip(), label.strip() or None, **overrides))
    if not arms:
        raise SpecError("--arms is empty; give label=cell items, e.g. a=gru,b=lstm")
    return tuple(arms)
