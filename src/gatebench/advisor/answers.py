"""The key questions: validated answers, where None means "unknown" (it lowers confidence)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, TypedDict, cast

from gatebench.errors import SpecError

UNKNOWN = "unknown"
DEVICES = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu"}
RUNTIMES = {"eager": "eager", "torchscript": "torchscript", "onnx": "onnx",
            "onnxruntime": "onnx", "ort": "onnx"}
SHORT_RANGE, LONG_RANGE = DEPENDENCY_RANGES = ("short", "long")
TIME_BUDGETS = ("fast", "normal", "none")
FAMILIES = ("text", "forecast", "sequence", "audio")
# Minutes one training run may take -> how much training speed matters: an hour or less means
# you iterate many times a day (fast), a working day is normal, longer is no time pressure.
FAST_MINUTES, NORMAL_MINUTES = 60.0, 480.0
# The questions that count towards confidence (the data family only picks the settle command).
CORE = ("seq_len", "train_size", "latency_budget_ms", "device", "runtime", "dependency_range",
        "time_budget")
# The questions as asked interactively, in order; each is also a flag of `gatebench advise`.
QUESTIONS = {
    "seq_len": "Typical sequence length (tokens or time steps)",
    "train_size": "Training examples",
    "latency_budget_ms": "Latency budget per prediction, in ms",
    "device": "Device (cpu, gpu)",
    "runtime": "Inference runtime (eager, torchscript, onnx)",
    "dependency_range": "Must the model remember far back? Dependency range (short, long)",
    "time_budget": "Time budget per training run (fast, normal, none, or minutes)",
    "task": "Kind of data (text, forecast, sequence, audio)",
}


class AnswersJSON(TypedDict):
    """Every answer as JSON (None: unknown), in the order of Answers' fields."""

    seq_len: int | None
    train_size: int | None
    latency_budget_ms: float | None
    device: str | None
    runtime: str | None
    dependency_range: str | None
    time_budget: str | None
    time_budget_minutes: float | None
    task: str | None
    batch_size: int | None
    hidden: int | None


@dataclass(frozen=True)
class Answers:
    """A user's situation; every field may be None (unknown)."""

    seq_len: int | None = None
    train_size: int | None = None
    latency_budget_ms: float | None = None
    device: str | None = None
    runtime: str | None = None
    dependency_range: str | None = None
    time_budget: str | None = None
    time_budget_minutes: float | None = None
    task: str | None = None
    batch_size: int | None = None  # flags only (never prompted): they pick the speed rows
    hidden: int | None = None

    def __post_init__(self) -> None:
        # The API validates what the CLI validates, so a bad answer never reaches the scoring.
        for name in ("seq_len", "train_size", "batch_size", "hidden"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise SpecError(f"{_flag(name)} must be a whole number >= 1, got {value!r}")
        if self.latency_budget_ms is not None and not _positive(self.latency_budget_ms):
            raise SpecError(f"--latency-budget-ms must be a number > 0, got "
                            f"{self.latency_budget_ms!r}")
        for name, known in (("device", ("cpu", "gpu")), ("runtime", ("eager", "torchscript",
                            "onnx")), ("dependency_range", DEPENDENCY_RANGES),
                            ("time_budget", TIME_BUDGETS), ("task", FAMILIES)):
            value = getattr(self, name)
            if value is not None and value not in known:
                raise SpecError(f"unknown {_flag(name)} {value!r}; known: "
                                f"{', '.join((*known, UNKNOWN))}")

    def unknown(self) -> list[str]:
        """The core questions left unanswered."""
        return [name for name in CORE if getattr(self, name) is None]

    def to_dict(self) -> AnswersJSON:
        """Every answer (None: unknown)."""
        return cast("AnswersJSON", asdict(self))


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _positive(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def _blank(text: str | None) -> bool:
    return text is None or text.strip().lower() in ("", UNKNOWN, "?")


def parse_int(name: str, text: str | None) -> int | None:
    """A whole number >= 1 (commas and underscores allowed), or None for unknown."""
    if _blank(text):
        return None
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise SpecError(f"{_flag(name)} must be a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise SpecError(f"{_flag(name)} must be a whole number >= 1, got {value}")
    return value


def parse_float(name: str, text: str | None) -> float | None:
    """A number > 0, or None for unknown."""
    if _blank(text):
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise SpecError(f"{_flag(name)} must be a number > 0, got {text!r}") from None
    if not _positive(value):
        raise SpecError(f"{_flag(name)} must be a number > 0, got {text.strip()}")
    return value


def parse_choice(name: str, text: str | None, choices: dict[str, str] | tuple[str, ...]
                 ) -> str | None:
    """One of `choices` (a dict maps aliases to names), or None for unknown."""
    if _blank(text):
        return None
    key = text.strip().lower()
    table = choices if isinstance(choices, dict) else {c: c for c in choices}
    if key not in table:
        known = sorted(set(table.values()))
        raise SpecError(f"unknown {_flag(name)} {text.strip()!r}; known: "
                        f"{', '.join((*known, UNKNOWN))}")
    return table[key]


def parse_time_budget(text: str | None) -> tuple[str | None, float | None]:
    """fast / normal / none, or minutes per training run mapped onto them (module constants)."""
    if _blank(text):
        return None, None
    key = text.strip().lower()
    if key in TIME_BUDGETS:
        return key, None
    try:
        minutes = parse_float("time_budget", key.removesuffix("min").strip())
    except SpecError:
        raise SpecError(f"--time-per-run must be fast, normal, none, unknown or minutes per "
                        f"training run (e.g. 30), got {text.strip()!r}") from None
    level = "fast" if minutes <= FAST_MINUTES else "normal" if minutes <= NORMAL_MINUTES else "none"
    return level, minutes


PARSERS = {
    "seq_len": lambda t: {"seq_len": parse_int("seq_len", t)},
    "train_size": lambda t: {"train_size": parse_int("train_size", t)},
    "latency_budget_ms": lambda t: {"latency_budget_ms": parse_float("latency_budget_ms", t)},
    "device": lambda t: {"device": parse_choice("device", t, DEVICES)},
    "runtime": lambda t: {"runtime": parse_choice("runtime", t, RUNTIMES)},
    "dependency_range": lambda t: {
        "dependency_range": parse_choice("dependency_range", t, DEPENDENCY_RANGES)},
    "time_budget": lambda t: dict(zip(("time_budget", "time_budget_minutes"),
                                      parse_time_budget(t), strict=True)),
    "task": lambda t: {"task": parse_choice("task", t, FAMILIES)},
    "batch_size": lambda t: {"batch_size": parse_int("batch_size", t)},
    "hidden": lambda t: {"hidden": parse_int("hidden", t)},
}


def parse_answers(raw: dict[str, str | None]) -> Answers:
    """Answers from text as typed (flags or prompts); unknown keys are a programming error."""
    values: dict[str, int | float | str | None] = {}  # Answers' keyword arguments
    for name, text in raw.items():
        values.update(PARSERS[name](text))
    return Answers(**values)

