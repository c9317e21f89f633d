"""What `advise` returns: the recommendation, its confidence and every reason behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from gatebench.advisor.answers import Answers, AnswersJSON
from gatebench.advisor.closeness import Closeness, ClosenessJSON
from gatebench.claims.base import Effect
from gatebench.claims.catalogue import Claim
from gatebench.numbers import jsonable

GRU, LSTM, NEITHER, UNCLEAR = "GRU", "LSTM", "neither", "unclear"
EITHER = "either \u2014 then optimise something else"


class ReasonJSON(TypedDict):
    """One reason as JSON (non-finite numbers as None)."""

    claim: str | None
    study: str | None
    statement: str
    verdict: str
    effect: Effect
    ci: list[float | None]
    task: str | None
    device: str | None
    closeness: ClosenessJSON
    favours: str
    weight: float
    why: str
    source: str
    topic: str
    notes: list[str]


class AdviceJSON(TypedDict):
    """An Advice as JSON (non-finite numbers as None): what `advise --json` prints."""

    first: str | None
    recommendation: str
    confidence: str
    answers: AnswersJSON
    reasons: list[ReasonJSON]
    caveats: list[str]
    settle_command: str | None
    scores: dict[str, float]
    sources: list[str]
    contender: str | None


@dataclass
class Reason:
    """One cited piece of evidence: a claim verdict or a stored study, and what it favours.

    `favours` is GRU, LSTM, neither (measured parity) or unclear (no decision); `weight` is
    relevance x closeness x how directly the verdict speaks (see `gatebench.advisor.recommend`).
    """

    claim: str | None
    study: str | None
    statement: str
    verdict: str
    effect: Effect
    task: str | None
    device: str | None
    closeness: Closeness
    favours: str
    weight: float
    why: str
    source: str
    topic: str
    notes: list[str] = field(default_factory=list)
    about: Claim | None = field(default=None, repr=False)  # the catalogued claim cited, if any

    @property
    def ci(self) -> list[Any]:
        """The effect's confidence interval [lo, hi]."""
        return list(self.effect.get("ci") or [None, None])

    def to_dict(self) -> ReasonJSON:
        """The JSON shape of one reason."""
        return jsonable({
            "claim": self.claim, "study": self.study, "statement": self.statement,
            "verdict": self.verdict, "effect": self.effect, "ci": self.ci, "task": self.task,
            "device": self.device, "closeness": self.closeness.to_dict(),
            "favours": self.favours, "weight": round(self.weight, 3), "why": self.why,
            "source": self.source, "topic": self.topic, "notes": self.notes,
        })


@dataclass
class Advice:
    """A recommendation (GRU, LSTM or EITHER) with confidence, reasons, caveats and the
    command that would settle the question on the user's own data."""

    recommendation: str
    confidence: str
    answers: Answers
    reasons: list[Reason]
    caveats: list[str] = field(default_factory=list)
    settle_command: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    first: str | None = None  # what to do before choosing a cell (advisor.notes)
    contender: str | None = None  # a minimal cell the evidence supports (advisor.notes)

    def to_dict(self) -> AdviceJSON:
        """What `gatebench advise --json` prints."""
        return jsonable({
            "first": self.first,
            "recommendation": self.recommendation, "confidence": self.confidence,
            "answers": self.answers.to_dict(), "reasons": [r.to_dict() for r in self.reasons],
            "caveats": self.caveats, "settle_command": self.settle_command,
            "scores": {k: round(v, 3) for k, v in self.scores.items()},
            "sources": self.sources, "contender": self.contender,
        })
