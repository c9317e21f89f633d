"""Closeness to the user's situation, and the command that settles far evidence."""

from __future__ import annotations

from gatebench.advisor import Answers, advise, read_source
from gatebench.advisor.closeness import assess, device_kind


def test_levels_by_ratio_device_and_runtime() -> None:
    a = Answers(seq_len=100, train_size=1000, device="gpu", runtime="onnx")
    assert assess(a, seq_lens=[60]).level == "near"
    assert assess(a, seq_lens=[30]).level == "partial"
    assert assess(a, seq_lens=[20, 500]).level == "far"  # nearest is 5x off
    assert assess(a, n_trains=[1500], devices=["cuda:0"]).level == "near"
    far = assess(a, devices=["cpu"], runtimes=["onnxruntime"])
    assert far.level == "far" and "you use gpu" in far.text()
    assert assess(Answers(), seq_lens=[10], devices=["cpu"]).level == "unknown"
    assert device_kind("cuda:1") == "gpu" and device_kind(None) is None


def _speed_suite(crafted, tmp_path):
    claims = [crafted.claim("speed", "supported", 0.75, (0.72, 0.78),
                            [crafted.speed_group("supported", 0.75, (0.72, 0.78)),
                             crafted.speed_config(0.75, seq_len=50)])]
    return read_source(crafted.suite(tmp_path / "suite", claims))


def test_far_evidence_prints_the_settle_command(crafted, tmp_path) -> None:
    answers = Answers(seq_len=2000, device="cpu", time_budget="fast", task="forecast")
    advice = advise(answers, [_speed_suite(crafted, tmp_path)])
    speed = advice.reasons[0]
    assert speed.closeness.level == "far" and "2,000 vs 50" in speed.closeness.text()
    assert advice.settle_command == ("gatebench compare YOUR_SERIES.csv --task forecast "
                                     "--seeds 5 --out runs/mine")
    assert any("far from your situation" in c for c in advice.caveats)
    assert advice.confidence == "low"  # every reason for the winner is far


def test_near_evidence_needs_no_settling(crafted, tmp_path) -> None:
    answers = Answers(seq_len=50, train_size=5000, latency_budget_ms=100.0, device="cpu",
                      runtime="eager", dependency_range="short", time_budget="fast")
    claims = _speed_suite(crafted, tmp_path).claims + [
        crafted.claim("short", "supported", 0.1, (-0.4, 0.6),
                      [crafted.short_row("reviews", "supported", 0.1, (-0.4, 0.6), 40)]),
        crafted.claim("small-data", "supported", -0.1, (-0.2, -0.05)),
        crafted.claim("iteration", "supported", 0.7, (0.65, 0.75)),
    ]
    advice = advise(answers, [read_source(crafted.suite(tmp_path / "all", claims))])
    assert advice.confidence != "low" and advice.settle_command is None


def test_task_facts_give_data_size_closeness(crafted, tmp_path) -> None:
    row = crafted.row("small/reviews @ 0.1", -0.2, (-0.3, -0.1), task="reviews",
                      data_fraction=0.1, level="gap", detail={"decides": True})
    claims = [crafted.claim("small-data", "supported", -0.2, (-0.3, -0.1), [row])]
    suite = crafted.suite(tmp_path / "suite", claims,
                          tasks={"reviews": {"n_train": 8000, "seq_len": {"median": 21}}})
    reason = advise(Answers(train_size=900, seq_len=25), [read_source(suite)]).reasons[0]
    assert reason.favours == "GRU" and reason.closeness.level == "near"
    assert "900 vs 800" in reason.closeness.text() and "25 vs 21" in reason.closeness.text()
