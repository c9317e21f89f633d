"""Answers: parsing as typed, validation with one clear message, unknowns counted."""

from __future__ import annotations

import pytest

from gatebench.advisor import Answers, parse_answers
from gatebench.advisor.answers import parse_time_budget
from gatebench.errors import SpecError


def test_parses_flags_with_aliases_and_unknowns() -> None:
    a = parse_answers({"seq_len": "1,200", "train_size": "5000", "latency_budget_ms": "2.5",
                       "device": "CUDA", "runtime": "onnxruntime", "dependency_range": "unknown",
                       "time_budget": "", "task": None})
    assert (a.seq_len, a.train_size, a.latency_budget_ms) == (1200, 5000, 2.5)
    assert (a.device, a.runtime, a.dependency_range, a.time_budget) == ("gpu", "onnx", None, None)
    assert a.unknown() == ["dependency_range", "time_budget"]


@pytest.mark.parametrize("text, level", [("fast", "fast"), ("30", "fast"), ("60", "fast"),
                                         ("240 min", "normal"), ("2000", "none"),
                                         ("none", "none")])
def test_time_budget_words_or_minutes(text: str, level: str) -> None:
    assert parse_time_budget(text)[0] == level


@pytest.mark.parametrize("raw, words", [
    ({"seq_len": "-5"}, ["--seq-len", ">= 1"]),
    ({"train_size": "0"}, ["--train-size"]),
    ({"train_size": "lots"}, ["--train-size", "'lots'"]),
    ({"latency_budget_ms": "-1"}, ["--latency-budget-ms", "> 0"]),
    ({"device": "tpu"}, ["unknown --device 'tpu'", "cpu, gpu"]),
    ({"runtime": "tensorrt"}, ["--runtime", "eager, onnx, torchscript"]),
    ({"dependency_range": "medium"}, ["--dependency-range", "long, short"]),
    ({"time_budget": "soon"}, ["--time-per-run", "minutes"]),
    ({"time_budget": "-3"}, ["--time-per-run"]),
])
def test_bad_answers_raise_spec_error(raw: dict[str, str], words: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        parse_answers(raw)
    for word in words:
        assert word in str(info.value)


def test_api_validates_like_the_cli() -> None:
    with pytest.raises(SpecError, match="--seq-len must be a whole number >= 1, got -1"):
        Answers(seq_len=-1)
    with pytest.raises(SpecError, match="unknown --device 'cuda'; known: cpu, gpu, unknown"):
        Answers(device="cuda")  # the API takes the canonical names only
    assert len(Answers().unknown()) == 7
