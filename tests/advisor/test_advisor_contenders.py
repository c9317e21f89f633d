"""The advisor names a minimal cell only where the contenders evidence supports the regime."""

from __future__ import annotations

from pathlib import Path

from gatebench.advisor.answers import parse_answers
from gatebench.advisor.evidence import CLAIMS, EvidenceSource
from gatebench.advisor.notes import contender_note
from gatebench.claims.contenders import decide
from gatebench.claims.evidence import Evidence
from tests.claims.conftest import ClaimRecords
from tests.claims.test_claims_contenders import _study, _timings


def _source(claim: dict) -> EvidenceSource:
    return EvidenceSource(kind=CLAIMS, path=Path("claims.json"), claims=[claim])


def _claim(claim_records: ClaimRecords, means: dict[str, float]) -> dict:
    records = _timings({64: 1.6, 256: 0.8, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews", means)
    return decide(Evidence.from_records(records)).to_dict()


def test_long_sequences_beyond_the_crossover_get_a_contender() -> None:
    claim = _claim(ClaimRecords(), {"gru": 0.8, "lstm": 0.8, "mingru": 0.8, "minlstm": 0.8})
    note = contender_note(parse_answers({"seq_len": "600"}), [_source(claim)])
    assert note is not None and "mingru took 0.8" in note and "T=256" in note
    assert "--cells gru,lstm,mingru,minlstm" in note
    # short sequences, below the crossover: nothing to say
    assert contender_note(parse_answers({"seq_len": "50"}), [_source(claim)]) is None


def test_a_less_accurate_contender_is_not_named() -> None:
    claim = _claim(ClaimRecords(), {"gru": 0.9, "lstm": 0.9, "mingru": 0.7, "minlstm": 0.7})
    assert contender_note(parse_answers({"seq_len": "2000"}), [_source(claim)]) is None
    assert contender_note(parse_answers({}), []) is None
