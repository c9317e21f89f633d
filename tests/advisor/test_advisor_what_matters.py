"""The advisor puts the learning rate first when the cell-vs-rest evidence says it matters more."""

from __future__ import annotations

from pathlib import Path

from gatebench.advisor import advise
from gatebench.advisor.answers import Answers
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.advisor.notes import first_advice
from gatebench.claims.base import ClaimResult, row
from gatebench.claims.cell_vs_rest import CELL_VS_REST


def cell_vs_rest(verdict: str, top: str = "lr") -> dict:
    rows = [row(task, "lead", 0.5, (0.2, 0.7), n=32, task=task, verdict=verdict,
                top_factor=top, top_share=0.55, cell_share=0.02)
            for task in ("italy-power", "sunspots")]
    return ClaimResult(CELL_VS_REST.id, CELL_VS_REST.statement, verdict, "r",
                       {"what": "w", "value": 0.02, "ci": [0.0, 0.1], "unit": "share"},
                       evidence=rows).to_dict()


def source(claim: dict) -> EvidenceSource:
    return EvidenceSource(CLAIMS, Path("claims.json"), claims=[claim])


def test_supported_claim_puts_tuning_first_with_its_command() -> None:
    answers = Answers(task="forecast")
    text = first_advice(answers, [source(cell_vs_rest("supported"))])
    assert text.startswith("lr moved the test metric more than the cell")
    assert "italy-power: lr 55% vs cell 2%" in text
    assert "gatebench compare YOUR_SERIES.csv --task forecast" in text
    assert text.endswith("--tune lr --trials 20")
    advice = advise(answers, [source(cell_vs_rest("supported"))])
    assert advice.first == text and advice.to_dict()["first"] == text


def test_preprocessing_points_to_an_importance_study() -> None:
    text = first_advice(Answers(task="forecast"),
                        [source(cell_vs_rest("supported", top="lookback"))])
    assert text.endswith("gatebench importance YOUR_SERIES.csv --task forecast")


def test_no_support_says_nothing() -> None:
    assert first_advice(Answers(), [source(cell_vs_rest("inconclusive"))]) is None
    assert advise(Answers(), []).first is None
