"""The recommendation follows the evidence: GRU, LSTM or either, each reason cited."""

from __future__ import annotations

from pathlib import Path

from gatebench.advisor import EITHER, GRU, LSTM, Answers, advise, load_evidence, read_source

FAST_CPU_SHORT = Answers(seq_len=40, train_size=20_000, latency_budget_ms=50.0, device="cpu",
                         runtime="eager", dependency_range="short", time_budget="fast")


def _advise(crafted, tmp_path: Path, claims, answers: Answers):
    return advise(answers, [read_source(crafted.suite(tmp_path / "suite", claims))])


def _by_claim(advice):
    return {r.claim: r for r in advice.reasons if r.claim}


def test_speed_and_short_supported_on_cpu_recommend_gru(crafted, tmp_path) -> None:
    claims = [
        crafted.claim("speed", "supported", 0.75, (0.72, 0.78),
                      [crafted.speed_group("supported", 0.75, (0.72, 0.78)),
                       crafted.speed_config(0.75, seq_len=50)]),
        crafted.claim("short", "supported", 0.1, (-0.4, 0.6),
                      [crafted.short_row("rotten-tomatoes", "supported", 0.1, (-0.4, 0.6), 21)]),
    ]
    advice = _advise(crafted, tmp_path, claims, FAST_CPU_SHORT)
    assert advice.recommendation == GRU and advice.confidence in ("medium", "high")
    speed, short = _by_claim(advice)["speed"], _by_claim(advice)["short"]
    assert speed.favours == GRU and speed.effect["value"] == 0.75
    assert speed.ci == [0.735, 0.765]  # the matching configuration's own interval
    assert speed.device == "cpu" and speed.closeness.level == "near"
    assert short.favours == "neither" and short.task == "rotten-tomatoes"
    assert "40 vs 21" in short.closeness.text()


def test_refuted_speed_does_not_favour_gru(crafted, tmp_path) -> None:
    claims = [crafted.claim("speed", "refuted", 0.97, (0.93, 1.01),
                            [crafted.speed_group("refuted", 0.97, (0.93, 1.01))])]
    speed = _by_claim(_advise(crafted, tmp_path, claims, FAST_CPU_SHORT))["speed"]
    assert speed.favours == "neither"
    slower = [crafted.claim("speed", "refuted", 1.3, (1.2, 1.4),
                            [crafted.speed_group("refuted", 1.3, (1.2, 1.4))])]
    assert _by_claim(_advise(crafted, tmp_path, slower, FAST_CPU_SHORT))["speed"].favours == LSTM


def test_long_supported_with_long_dependencies_recommends_lstm(crafted, tmp_path) -> None:
    rows = [crafted.long_row("adding", 100, "a_better", 40.0, (30, 50)),
            crafted.long_row("copy-memory", 200, "a_better", 60.0, (40, 80))]
    claims = [crafted.claim("long", "supported", 50.0, (35, 65), rows)]
    answers = Answers(seq_len=150, dependency_range="long", train_size=100_000,
                      device="gpu", time_budget="none")
    advice = _advise(crafted, tmp_path, claims, answers)
    assert advice.recommendation == LSTM
    long = _by_claim(advice)["long"]
    assert long.favours == LSTM and long.verdict == "supported" and long.closeness.level == "near"
    assert "150 vs 100" in long.closeness.text() or "150 vs 200" in long.closeness.text()


def test_everything_inconclusive_is_either_with_low_confidence(crafted, tmp_path) -> None:
    advice = _advise(crafted, tmp_path, crafted.all_inconclusive(), FAST_CPU_SHORT)
    assert advice.recommendation == EITHER and advice.confidence == "low"
    assert all(r.favours == "unclear" and r.weight == 0 for r in advice.reasons)
    assert advice.settle_command is not None


def test_mixed_inference_uses_the_users_runtime(crafted, tmp_path) -> None:
    rows = [crafted.latency_group("supported", 0.7, (0.65, 0.75), runtime="eager"),
            crafted.latency_group("refuted", 1.4, (1.3, 1.5), runtime="onnxruntime"),
            crafted.latency_config(7.0, 10.0, runtime="eager"),
            crafted.latency_config(14.0, 10.0, runtime="onnxruntime")]
    claims = [crafted.claim("inference", "mixed", 0.7, (0.65, 0.75), rows, "the runtime")]
    onnx = Answers(latency_budget_ms=20.0, device="cpu", runtime="onnx")
    reason = _by_claim(_advise(crafted, tmp_path, claims, onnx))["inference"]
    assert reason.favours == LSTM and reason.verdict == "refuted"
    assert reason.effect["value"] == 1.4 and "onnxruntime" in reason.effect["what"]
    eager = Answers(latency_budget_ms=20.0, device="cpu", runtime="eager")
    assert _by_claim(_advise(crafted, tmp_path, claims, eager))["inference"].favours == GRU
    unmatched = Answers(latency_budget_ms=20.0, device="cpu")  # runtime unknown: still split
    assert _by_claim(_advise(crafted, tmp_path, claims, unmatched))["inference"].favours \
        == "unclear"


def test_latency_far_inside_the_budget_hardly_counts(crafted, tmp_path) -> None:
    rows = [crafted.latency_group("supported", 0.7, (0.65, 0.75)),
            crafted.latency_config(0.7, 1.0)]
    claims = [crafted.claim("inference", "supported", 0.7, (0.65, 0.75), rows)]
    tight = _by_claim(_advise(crafted, tmp_path, claims,
                              Answers(latency_budget_ms=0.8, device="cpu", runtime="eager")))
    loose = _by_claim(_advise(crafted, tmp_path, claims,
                              Answers(latency_budget_ms=100.0, device="cpu", runtime="eager")))
    assert loose["inference"].weight < tight["inference"].weight
    assert any("hardly decide" in n for n in loose["inference"].notes)
    assert any("over your 0.8 ms budget" in n for n in tight["inference"].notes)


def test_mixed_short_uses_the_task_nearest_the_users_length(crafted, tmp_path) -> None:
    rows = [crafted.short_row("tweets", "supported", 0.2, (-0.5, 0.9), 20),
            crafted.short_row("series", "refuted", -3.0, (-4.0, -2.0), 90)]
    claims = [crafted.claim("short", "mixed", -3.0, (-4.0, -2.0), rows, "the task")]
    near_series = _by_claim(_advise(crafted, tmp_path, claims, Answers(seq_len=80)))["short"]
    assert near_series.favours == LSTM and near_series.task == "series"
    near_tweets = _by_claim(_advise(crafted, tmp_path, claims, Answers(seq_len=15)))["short"]
    assert near_tweets.favours == "neither" and near_tweets.task == "tweets"


def test_own_study_outweighs_reference_claims(crafted, tmp_path) -> None:
    suite = crafted.suite(tmp_path / "suite", [
        crafted.claim("speed", "supported", 0.75, (0.72, 0.78),
                      [crafted.speed_group("supported", 0.75, (0.72, 0.78))])])
    study = crafted.study(tmp_path / "mine", "LSTM better", -2.5, (-3.5, -1.5), seq_median=45,
                          n_train=18_000, ratio=0.95, ratio_ci=(0.9, 1.0))
    advice = advise(FAST_CPU_SHORT, load_evidence([study, suite], include_shipped=False))
    assert advice.recommendation == LSTM
    top = advice.reasons[0]
    assert top.study == str(study) and top.favours == LSTM and top.ci == [-3.5, -1.5]
    assert top.task == "my-reviews" and top.closeness.level == "near"
    assert advice.settle_command is None  # their own study already settles it
    speed = _by_claim(advice)["speed"]
    assert any("secondary to your own study" in n for n in speed.notes)


def test_concurrent_study_timing_is_not_speed_evidence(crafted, tmp_path) -> None:
    study = crafted.study(tmp_path / "mine", "equivalent within margin", 0.1, (-0.5, 0.7),
                          ratio=0.6, ratio_ci=(0.55, 0.65), concurrent=True)
    advice = advise(FAST_CPU_SHORT, load_evidence([study], include_shipped=False))
    speed = next(r for r in advice.reasons if r.topic == "cost")
    assert speed.favours == "unclear" and speed.weight == 0
    assert advice.recommendation == EITHER


def test_unknown_answers_lower_confidence(crafted, tmp_path) -> None:
    claims = [
        crafted.claim("speed", "supported", 0.7, (0.68, 0.72),
                      [crafted.speed_group("supported", 0.7, (0.68, 0.72))]),
        crafted.claim("iteration", "supported", 0.7, (0.65, 0.75)),
        crafted.claim("convergence", "supported", -1.0, (-1.5, -0.5)),
        crafted.claim("small-data", "supported", -0.1, (-0.2, -0.05)),
    ]
    known = Answers(seq_len=300, train_size=2000, latency_budget_ms=100.0, device="cpu",
                    runtime="eager", dependency_range="short", time_budget="fast")
    sure = _advise(crafted, tmp_path, claims, known)
    vague = _advise(crafted, tmp_path, claims, Answers(device="cpu", time_budget="fast"))
    assert sure.recommendation == vague.recommendation == GRU
    order = ("low", "medium", "high")
    assert order.index(vague.confidence) < order.index(sure.confidence)
    assert any("unanswered" in c for c in vague.caveats)


def test_json_shape_cites_every_reason(crafted, tmp_path) -> None:
    claims = [crafted.claim("speed", "supported", 0.75, (0.72, 0.78),
                            [crafted.speed_group("supported", 0.75, (0.72, 0.78))])]
    data = _advise(crafted, tmp_path, claims, FAST_CPU_SHORT).to_dict()
    assert {"recommendation", "confidence", "answers", "reasons", "settle_command"} <= set(data)
    reason = data["reasons"][0]
    for key in ("claim", "study", "verdict", "effect", "ci", "task", "device", "closeness",
                "favours"):
        assert key in reason
    assert reason["claim"] == "speed" and reason["closeness"]["level"] == "near"


def test_inconclusive_own_study_gets_more_seeds(crafted, tmp_path) -> None:
    study = crafted.study(tmp_path / "my study", "inconclusive", 0.8, (-1.2, 2.8),
                          family="sequence", suggested=4)
    advice = advise(Answers(seq_len=40), load_evidence([study], include_shipped=False))
    assert advice.recommendation == EITHER and advice.confidence == "low"
    assert advice.settle_command == (f"gatebench compare YOUR_SEQUENCES.csv --task sequence "
                                     f"--seeds 9 --out '{study}'")
