"""The importance design: the factor catalogue and regular two-level fractions (stdlib only).

The design crosses every cell with a regular two-level fraction (or the full factorial) of the
other factors: learning rate, size, regularisation and one preprocessing factor of the task's
family. Each design point runs on several seeds (the same seeds at every point), so seed noise
is measured as its own part of the variance. `run.importance` runs it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict

from gatebench.errors import SpecError, UnknownNameError
from gatebench.protocol.specs import TaskSpec, TrialSpec

MIN_REPLICATES = 2  # seed noise needs at least two seeds per design point
CELL = "cell"

# A factor's two levels from the base spec and the task loader's description.
Levels = Callable[[TrialSpec, Mapping[str, Any]], tuple[Any, Any]]
Apply = Callable[[TrialSpec, Any], TrialSpec]


@dataclass(frozen=True)
class Factor:
    """A two-level factor: what it changes, where it applies, its levels and how to set them."""

    name: str
    what: str
    levels: Levels
    apply: Apply
    families: tuple[str, ...] = ()  # empty: every task family
    user_files_only: bool = False  # e.g. audio features: reference digits ship MFCCs only

    def applies_to(self, task: TaskSpec, family: str) -> bool:
        """Whether this factor can vary for the task."""
        if self.families and family not in self.families:
            return False
        return not self.user_files_only or task.option("path") is not None


def _train(key: str) -> Apply:
    return lambda spec, v: replace(spec, train=replace(spec.train, **{key: v}))


def _model(key: str) -> Apply:
    return lambda spec, v: replace(spec, model=replace(spec.model, **{key: v}))


def _task_option(key: str) -> Apply:
    def apply(spec: TrialSpec, value: Any) -> TrialSpec:
        options = {**dict(spec.task.options), key: value}
        return replace(spec, task=TaskSpec.make(spec.task.name, **options))

    return apply


def _hidden(spec: TrialSpec, value: int) -> TrialSpec:
    return replace(spec, sizing=replace(spec.sizing, reference_hidden=int(value)))


def _described(key: str, *path: str) -> Callable[[Mapping[str, Any]], int]:
    def read(description: Mapping[str, Any]) -> int:
        value: Any = description
        for part in (*path, key):
            value = value[part]
        return int(value)

    return read


def _halved(read: Callable[[Mapping[str, Any]], int], minimum: int = 1) -> Levels:
    # The loader's own default and half of it: the preprocessing choice a user would try first.
    def levels(spec: TrialSpec, description: Mapping[str, Any]) -> tuple[int, int]:
        full = read(description)
        return (max(minimum, full // 2), full)

    return levels


FACTORS: dict[str, Factor] = {f.name: f for f in (
    Factor("lr", "learning rate (a quarter and four times --lr)",
           lambda s, d: (s.train.lr / 4, s.train.lr * 4), _train("lr")),
    Factor("hidden", "parameter budget (the reference hidden size --hidden and a quarter of it)",
           lambda s, d: (max(4, s.sizing.reference_hidden // 4), s.sizing.reference_hidden),
           _hidden),
    Factor("dropout", "dropout before the head (0 and 0.3)", lambda s, d: (0.0, 0.3),
           _model("dropout")),
    Factor("weight_decay", "Adam weight decay (0 and 1e-3)", lambda s, d: (0.0, 1e-3),
           _train("weight_decay")),
    Factor("max_len", "tokens kept per text (the loader's cap and half of it)",
           _halved(_described("max_len", "truncation"), 2), _task_option("max_len"),
           families=("text",)),
    Factor("lookback", "forecast input window (the task's lookback and half of it)",
           _halved(_described("lookback")), _task_option("lookback"), families=("forecast",)),
    Factor("normalise", "sequence normalisation (per feature on train, or per sequence)",
           lambda s, d: ("feature", "instance"), _task_option("normalise"),
           families=("sequence", "audio")),
    Factor("features", "audio features (MFCC or log-mel)", lambda s, d: ("mfcc", "logmel"),
           _task_option("features"), families=("audio",), user_files_only=True),
)}
# One preprocessing factor per family joins the default set.
PREPROCESSING = {"text": "max_len", "forecast": "lookback", "sequence": "normalise",
                 "audio": "normalise"}
DEFAULT_FACTORS = ("lr", "hidden", "dropout")


def known_factors() -> list[str]:
    """Every factor name `--factors` accepts (the cell included)."""
    return [CELL, *FACTORS]


def default_factors(family: str) -> tuple[str, ...]:
    """The cell, learning rate, size, dropout and the family's preprocessing factor."""
    prep = PREPROCESSING.get(family)
    return (CELL, *DEFAULT_FACTORS, *((prep,) if prep else ()))


def check_factors(names: Sequence[str], task: TaskSpec, family: str) -> tuple[str, ...]:
    """The factors, validated: known names, no repeats, each applying to the task's family."""
    for name in names:
        if name != CELL and name not in FACTORS:
            raise UnknownNameError("factor", name, known_factors())
    if len(set(names)) != len(names):
        raise SpecError(f"--factors lists a factor twice: {','.join(names)}")
    for name in names:
        if name != CELL and not FACTORS[name].applies_to(task, family):
            fits = [n for n in known_factors() if n == CELL or FACTORS[n].applies_to(task, family)]
            raise SpecError(f"factor {name!r} does not apply to {task.name} (a {family} task); "
                            f"factors for it: {', '.join(fits)}")
    if len(names) < 1:
        raise SpecError("--factors needs at least one factor")
    return tuple(names)


@dataclass(frozen=True)
class DesignPoint:
    """One configuration of the design: its index, level labels and trial spec (seed 0)."""

    index: int
    levels: tuple[tuple[str, str], ...]
    spec: TrialSpec


class DesignDoc(TypedDict):
    """`Design.to_dict()`: the design's kind, factors with their level labels, and its size."""

    kind: str
    factors: list[str]
    levels: dict[str, list[str]]  # factor -> its level labels, low first
    generators: list[str]
    resolution: int | None
    points: int
    replicates: int
    trials: int


@dataclass(frozen=True)
class Design:
    """Design points × replicate seeds, and how the fraction was built."""

    points: tuple[DesignPoint, ...]
    replicates: int
    factors: tuple[str, ...]
    levels: dict[str, tuple[str, str] | tuple[str, ...]]
    kind: str
    generators: tuple[str, ...]

    def trials(self) -> list[tuple[DesignPoint, TrialSpec]]:
        """Every trial, replicate-major: an interrupted study holds whole replicates first."""
        return [(p, replace(p.spec, seed=seed)) for seed in range(self.replicates)
                for p in self.points]

    def to_dict(self) -> DesignDoc:
        """JSON-able description of the design."""
        return {"kind": self.kind, "factors": list(self.factors),
                "levels": {k: list(v) for k, v in self.levels.items()},
                "generators": list(self.generators), "resolution": resolution(self.generators),
                "points": len(self.points),
                "replicates": self.replicates,
                "trials": len(self.points) * self.replicates}


MIN_WORD = 4  # the shortest defining word allowed: resolution IV or better


def _generators(m: int, base: int) -> list[tuple[int, ...]] | None:
    """Base-column sets, one per added factor, whose defining relation has no word shorter
    than MIN_WORD (None: `base` columns cannot carry `m` factors so)."""
    chosen: list[tuple[int, ...]] = []
    # one added factor: the longest word (highest resolution); more: short words first, which
    # leave room for the most factors
    sizes = range(base, MIN_WORD - 2, -1) if m - base == 1 else range(MIN_WORD - 1, base + 1)
    candidates = [c for size in sizes for c in itertools.combinations(range(base), size)]
    for cand in candidates:
        if len(chosen) == m - base:
            break
        words = [frozenset(c) | {base + j} for j, c in enumerate(chosen)]
        new = frozenset(cand) | {base + len(chosen)}
        if all(len(new.symmetric_difference(_product(combo))) >= MIN_WORD
               for r in range(len(words) + 1) for combo in itertools.combinations(words, r)):
            chosen.append(cand)
    return chosen if len(chosen) == m - base else None


def _product(words: Sequence[frozenset[Any]]) -> frozenset[Any]:
    out: frozenset[Any] = frozenset()
    for w in words:
        out = out.symmetric_difference(w)
    return out


def fraction_columns(m: int, base: int) -> tuple[list[list[int]], list[str]]:
    """A regular two-level fraction 2^(m-(m-base)): rows of 0/1 levels and its generators.

    The first `base` factors form a full factorial; each further factor is the product (in
    ±1 coding) of a set of base columns chosen so that every word of the defining relation
    has at least four letters (resolution IV or better): no main effect is aliased with another
    or with a two-factor interaction, so a "main effect" is never an interaction in disguise.
    """
    letters = "ABCDEFGHIJKLMNOP"
    subsets = _generators(m, base)
    if subsets is None:
        raise ValueError(f"{base} base factors cannot carry {m} factors at resolution IV")
    rows, generators = [], []
    for bits in itertools.product((0, 1), repeat=base):
        signs = [1 if b else -1 for b in bits]
        extra = [math.prod(signs[i] for i in s) for s in subsets]
        rows.append(list(bits) + [1 if e > 0 else 0 for e in extra])
    for j, s in enumerate(subsets):
        generators.append(f"{letters[base + j]} = {''.join(letters[i] for i in s)}")
    return rows, generators


def resolution(generators: Sequence[str]) -> int | None:
    """The design's resolution: the shortest word of its defining relation (None: a full
    factorial)."""
    words = [frozenset(g.split(" = ")[1]) | {g.split(" = ")[0]} for g in generators]
    lengths = [len(_product(combo)) for r in range(1, len(words) + 1)
               for combo in itertools.combinations(words, r)]
    return min(lengths) if lengths else None


def smallest_base(m: int) -> int:
    """Fewest base factors that carry `m` two-level factors at resolution IV."""
    return next(b for b in range(0, m + 1) if _generators(m, b) is not None)


def min_budget(n_cells: int, m: int) -> int:
    """Trials the smallest resolution IV design needs: cells × 2^smallest_base × two seeds
    (the budget grows with the factors)."""
    return n_cells * 2 ** smallest_base(m) * MIN_REPLICATES


def _label(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_design(base: TrialSpec, description: Mapping[str, Any], cells: Sequence[str],
                 factors: Sequence[str], budget: int) -> Design:
    """The largest fraction that leaves at least two seeds per point within `budget` trials.

    `description` is the task loader's (it holds the levels of the preprocessing factors).
    """
    cells = tuple(cells) if CELL in factors else (base.cell,)
    two_level = [f for f in factors if f != CELL]
    m = len(two_level)
    needed = min_budget(len(cells), m)
    if budget < needed:
        raise SpecError(f"--trials {budget} is too small for {len(cells)} cell(s) and {m} "
                        f"two-level factor(s): the smallest resolution IV design needs {needed} "
                        f"trials; raise --trials or drop factors with --factors")
    b = max(b for b in range(smallest_base(m), m + 1)
            if len(cells) * 2 ** b * MIN_REPLICATES <= budget and _generators(m, b) is not None)
    rows, generators = fraction_columns(m, b)
    values = {}
    for name in two_level:
        low, high = FACTORS[name].levels(base, description)
        if low == high:
            raise SpecError(f"factor {name!r} has one level only here ({_label(low)}); "
                            "drop it from --factors")
        values[name] = (low, high)
    points = []
    for cell, row in itertools.product(cells, rows):
        spec = replace(base, cell=cell, arm=cell, seed=0)
        labels = [(CELL, cell)] if CELL in factors else []
        for name, bit in zip(two_level, row, strict=True):
            spec = FACTORS[name].apply(spec, values[name][bit])
            labels.append((name, _label(values[name][bit])))
        points.append(DesignPoint(len(points), tuple(labels), spec))
    replicates = budget // len(points)
    kind = (f"full factorial 2^{m}" if b == m else f"2^({m}-{m - b}) fraction") + \
        (f" x {len(cells)} cells" if CELL in factors else "")
    levels: dict[str, tuple[str, ...]] = {name: tuple(_label(v) for v in values[name])
                                          for name in two_level}
    if CELL in factors:
        levels = {CELL: cells, **levels}
    return Design(tuple(points), replicates, tuple(factors), {k: levels[k] for k in factors},
                  kind, tuple(generators))


__all__ = ["CELL", "DEFAULT_FACTORS", "FACTORS", "MIN_REPLICATES", "PREPROCESSING", "Design",
           "DesignDoc", "DesignPoint", "Factor", "build_design", "check_factors", "default_factors",
           "fraction_columns", "known_factors", "min_budget", "resolution", "smallest_base"]
