"""The advisor: key questions -> GRU, LSTM or either, with every reason cited (no torch)."""

from gatebench.advisor.advice import EITHER, GRU, LSTM, Advice, Reason
from gatebench.advisor.answers import Answers, parse_answers
from gatebench.advisor.closeness import Closeness
from gatebench.advisor.evidence import EvidenceSource, load_evidence, read_source, shipped_path
from gatebench.advisor.recommend import advise

__all__ = [
    "EITHER",
    "GRU",
    "LSTM",
    "Advice",
    "Answers",
    "Closeness",
    "EvidenceSource",
    "Reason",
    "advise",
    "load_evidence",
    "parse_answers",
    "read_source",
    "shipped_path",
]
