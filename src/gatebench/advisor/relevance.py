"""Which claims bear on the user's answers, and how much: each returns a weight and why.

| claim | question it answers | weight |
|---|---|---|
| short | seq length < 100, or short dependencies | 1 (0.3 when length and range unknown) |
| long | long dependencies; else length >= 400 (0.7), >= 100 or unknown (0.3) | 1 |
| small-data | training examples < 10,000 (1), < 50,000 (0.3), unknown (0.3) | 1 |
| speed / iteration / convergence | time budget: fast 1, normal .5, none .1, unknown .5 | x1/.7/.5 |
| inference | a latency budget (1), only a runtime (0.5), neither (0.2) | 1 |

A weight of 0 means the claim does not bear on the situation and is not cited.
"""

from __future__ import annotations

from collections.abc import Callable

from gatebench.advisor.answers import Answers

SHORT_LEN, LONG_LEN = 100, 400  # the folklore's "< 100 tokens"; "very long" starts well above it
SMALL_DATA, MEDIUM_DATA = 10_000, 50_000
TIME_WEIGHT = {"fast": 1.0, "normal": 0.5, "none": 0.1, None: 0.5}
# Training speed is the claim itself; a sweep repeats it; epochs-to-converge is a weaker proxy.
COST_SHARE = {"speed": 1.0, "iteration": 0.7, "convergence": 0.5}
MATTERS = {"fast": "a lot", "normal": "somewhat", "none": "little"}
ACCURACY, COST = "accuracy", "cost"
TOPIC = {"short": ACCURACY, "long": ACCURACY, "small-data": ACCURACY, "speed": COST,
         "iteration": COST, "convergence": COST, "inference": COST}

Weight = tuple[float, str]


def _short(a: Answers) -> Weight:
    if a.seq_len is not None:
        if a.seq_len < SHORT_LEN:
            return 1.0, f"your sequences ({a.seq_len}) are short (< {SHORT_LEN})"
        return 0.0, ""
    if a.dependency_range == "short":
        return 1.0, "you expect short dependencies"
    if a.dependency_range == "long":
        return 0.0, ""
    return 0.3, "sequence length unknown: short sequences are possible"


def _long(a: Answers) -> Weight:
    if a.dependency_range == "long":
        return 1.0, "you expect long-range dependencies"
    if a.dependency_range == "short":
        return 0.0, ""
    if a.seq_len is None:
        return 0.3, "dependency range and length unknown: long dependencies are possible"
    if a.seq_len >= LONG_LEN:
        return 0.7, f"your sequences ({a.seq_len}) are long; dependency range unknown"
    if a.seq_len >= SHORT_LEN:
        return 0.3, f"your sequences ({a.seq_len}) are medium-length; dependency range unknown"
    return 0.0, ""


def _small(a: Answers) -> Weight:
    if a.train_size is None:
        return 0.3, "training-set size unknown"
    if a.train_size < SMALL_DATA:
        return 1.0, f"{a.train_size:,} training examples is small data (< {SMALL_DATA:,})"
    if a.train_size < MEDIUM_DATA:
        return 0.3, f"{a.train_size:,} training examples is moderate data"
    return 0.0, ""


def _cost(claim: str) -> Callable[[Answers], Weight]:
    def weight(a: Answers) -> Weight:
        why = ("time budget unknown" if a.time_budget is None else
               f"time budget {a.time_budget}: training speed matters {MATTERS[a.time_budget]}")
        return TIME_WEIGHT[a.time_budget] * COST_SHARE[claim], why
    return weight


def _inference(a: Answers) -> Weight:
    if a.latency_budget_ms is not None:
        return 1.0, f"you have a latency budget of {a.latency_budget_ms:g} ms"
    if a.runtime is not None:
        return 0.5, f"you deploy with {a.runtime}"
    return 0.2, "latency budget unknown"


RULES: dict[str, Callable[[Answers], Weight]] = {
    "short": _short, "long": _long, "small-data": _small, "speed": _cost("speed"),
    "iteration": _cost("iteration"), "convergence": _cost("convergence"),
    "inference": _inference,
}


def relevance(claim_id: str, answers: Answers) -> Weight:
    """(weight, why) of a claim for these answers; (0, "") for a claim the advisor ignores."""
    rule = RULES.get(claim_id)
    return rule(answers) if rule else (0.0, "")
