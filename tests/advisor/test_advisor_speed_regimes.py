"""Speed evidence matched on device, batch regime and hidden size; another device never decides."""

from __future__ import annotations

from gatebench.advisor import GRU, LSTM, Answers, advise, read_source
from gatebench.advisor.advice import UNCLEAR


def _mixed_speed(crafted) -> dict:
    """CPU speed: GRU slower at batch 1 (library kernels), faster at training batches."""
    configs = [crafted.speed_config(1.4, batch=1, hidden=h) for h in (64, 256)]
    configs += [crafted.speed_config(0.7, batch=b, hidden=64) for b in (32, 64)]
    configs += [crafted.speed_config(1.2, batch=b, hidden=256) for b in (32, 64)]
    configs += [crafted.speed_config(0.8, batch=b, hidden=256, impl="neutral",
                                     counts_as="inconclusive") for b in (1, 64)]
    return crafted.claim("speed", "mixed", 1.2, (1.17, 1.23), configs,
                         depends_on="the batch size")


def _speed(crafted, tmp_path, answers: Answers):
    suite = crafted.suite(tmp_path / "suite", [_mixed_speed(crafted)])
    advice = advise(answers, [read_source(suite)])
    return advice, next(r for r in advice.reasons if r.claim == "speed")


def test_the_rows_for_the_users_regime_decide(crafted, tmp_path) -> None:
    advice, speed = _speed(crafted, tmp_path, Answers(seq_len=50, device="cpu", batch_size=64,
                                                      hidden=256, time_budget="fast"))
    assert speed.favours == LSTM and speed.verdict == "refuted"
    assert speed.effect["value"] == 1.2
    cited = " ".join(speed.notes)
    assert "native/hidden H=256 T=50 B=64" in cited and "B=1" not in cited
    _, small = _speed(crafted, tmp_path, Answers(device="cpu", batch_size=32, hidden=64,
                                                 time_budget="fast"))
    assert small.favours == GRU and "H=64 T=50 B=32" in " ".join(small.notes)


def test_another_devices_kernels_decide_nothing(crafted, tmp_path) -> None:
    advice, speed = _speed(crafted, tmp_path, Answers(seq_len=60, train_size=100_000,
                                                      device="gpu", time_budget="fast"))
    assert speed.favours == UNCLEAR and speed.weight == 0
    notes = " ".join(speed.notes)
    assert "no speed evidence from your device (gpu)" in notes
    assert "architecture only (kernel-neutral layers" in notes and "0.80\u00d7" in notes
    assert "gatebench suite --claims speed" in notes
    assert advice.recommendation not in (GRU, LSTM)  # nothing else in this evidence decides


def test_iteration_is_not_counted_on_top_of_speed(crafted, tmp_path) -> None:
    iteration = crafted.claim("iteration", "supported", 0.7, (0.65, 0.75),
                              [crafted.row("reviews sweep", 0.7, (0.65, 0.75), level="task",
                                           device="cpu", unit="ratio")])
    speed = crafted.claim("speed", "supported", 0.75, (0.72, 0.78),
                          [crafted.speed_config(0.75)])
    suite = crafted.suite(tmp_path / "suite", [speed, iteration])
    advice = advise(Answers(device="cpu", time_budget="fast"), [read_source(suite)])
    by = {r.claim: r for r in advice.reasons}
    assert by["speed"].weight > 0 and by["iteration"].weight == 0
    assert any("already counts" in n for n in by["iteration"].notes)


def test_timings_without_a_row_device_take_the_evidence_machine(crafted, tmp_path) -> None:
    iteration = crafted.claim("iteration", "refuted", 1.9, (1.5, 2.3),
                              [crafted.row("sweep", 1.9, (1.5, 2.3), unit="ratio")])
    suite = crafted.suite(tmp_path / "suite", [iteration], machine={"cpu": "x", "gpu": None})
    gpu = advise(Answers(device="gpu", time_budget="fast"), [read_source(suite)]).reasons[0]
    assert gpu.favours == UNCLEAR and any("timed on cpu" in n for n in gpu.notes)
    cpu = advise(Answers(device="cpu", time_budget="fast"), [read_source(suite)]).reasons[0]
    assert cpu.favours == LSTM
