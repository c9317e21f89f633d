"""Claim contenders: per-T minimal/fused step-time ratios, the crossover length, accuracy on
four-arm reference studies; and what the suite plans for it."""

from __future__ import annotations

from gatebench.claims.contenders import crossover, decide, speed_rows
from gatebench.claims.evidence import Evidence
from gatebench.claims.plan import plan_suite

WOBBLE = (0.0, 0.02, -0.02, 0.01, -0.01)


def _timings(ratio_at: dict[int, float], rounds: int = 5) -> list[dict]:
    """GRU, LSTM, minGRU, minLSTM step timings per round; minimal/fused = ratio_at[T]."""
    out = []
    for t, ratio in ratio_at.items():
        for r in range(rounds):
            ms = {"gru": 10.0 * t, "lstm": 8.0 * t}
            ms["mingru"] = ms["gru"] * ratio * (1 + WOBBLE[r])
            ms["minlstm"] = ms["lstm"] * ratio * (1 - WOBBLE[r])
            out += [{"kind": "step_timing", "cell": c, "impl": "native", "sizing": "hidden",
                     "reference_hidden": 64, "hidden_size": 64, "seq_len": t, "batch": 16,
                     "device": "cpu", "round": r,
                     "median_ms": v, "status": "ok"} for c, v in ms.items()]
    return out


def _study(factory, study_id: str, means: dict[str, float], n: int = 8) -> list[dict]:
    wobble = (0.0, 0.003, -0.003, 0.002, -0.002, 0.001, -0.001, 0.0015)
    return [factory.trial(study_id, cell, k, mean + wobble[(k + i) % 8])
            for k in range(n) for i, (cell, mean) in enumerate(means.items())]


def test_ratios_per_t_and_the_crossover_length() -> None:
    rows = speed_rows(_timings({64: 2.0, 128: 1.2, 256: 0.7, 512: 0.4, 1024: 0.2}))
    mingru = [r for r in rows if r["pairing"] == "mingru"]
    assert [r["seq_len"] for r in mingru] == [64, 128, 256, 512, 1024]
    assert abs(mingru[0]["value"] - 2.0) < 0.05 and mingru[0]["counts_as"] == "refuted"
    assert mingru[-1]["ci"][1] < 0.85 and mingru[-1]["counts_as"] == "supported"
    assert crossover(mingru) == 256
    # faster at 256, not at 512: the crossover is where it stays faster
    flip = speed_rows(_timings({256: 0.5, 512: 1.5, 1024: 0.5}))
    assert crossover([r for r in flip if r["pairing"] == "mingru"]) == 1024


def test_faster_at_long_t_and_equivalent_accuracy_supports(claim_records) -> None:
    records = _timings({64: 1.5, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews",
                      {"gru": 0.80, "lstm": 0.80, "mingru": 0.80, "minlstm": 0.80})
    result = decide(Evidence.from_records(records)).to_dict()
    assert result["verdict"] == "supported", result["reason"]
    assert "faster from T=1024" in result["reason"] and "H=64 B=16" in result["reason"]
    assert any(r["label"].startswith("crossover") and r["value"] == 1024
               for r in result["evidence"])
    accuracy = [r for r in result["evidence"] if r.get("level") == "task"]
    assert {r["pairing"] for r in accuracy} == {"mingru", "minlstm"}


def test_worse_accuracy_against_faster_steps_is_mixed(claim_records) -> None:
    records = _timings({64: 1.5, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews",
                      {"gru": 0.90, "lstm": 0.90, "mingru": 0.70, "minlstm": 0.70})
    result = decide(Evidence.from_records(records)).to_dict()
    assert result["verdict"] == "mixed"


def test_never_faster_refutes_and_nothing_is_not_run() -> None:
    result = decide(Evidence.from_records(_timings({64: 3.0, 1024: 1.5}))).to_dict()
    assert result["verdict"] == "refuted"
    assert "not significantly faster at any T" in result["reason"]
    assert decide(Evidence()).to_dict()["reason"] == "not run"


def test_opt_in_on_quick_in_full_pairings_and_t_to_1024() -> None:
    assert not any("contenders" in s.claims for s in plan_suite("quick").studies)
    plan = plan_suite("quick", ("contenders",))
    assert {s.spec.cells for s in plan.studies} == {("gru", "mingru"), ("lstm", "minlstm")}
    assert {s.spec.task.name for s in plan.studies} == {"italy-power", "japanese-vowels"}
    assert {s.spec.sizing.match for s in plan.studies} == {"hidden"}
    lengths = sorted(t.seq_len for t in plan.step_timings)
    assert lengths[0] <= 64 and lengths[-1] >= 1024
    assert {t.cells for t in plan.step_timings} == {("gru", "lstm", "mingru", "minlstm")}
    assert "contenders" in plan_suite("full").claims


def _flat(factory, study_id: str, value: float, n: int = 6) -> list[dict]:
    """Every arm at exactly `value` (both saturate): no spread, an uninformative task."""
    return [factory.trial(study_id, cell, k, value) for k in range(n)
            for cell in ("gru", "lstm", "mingru", "minlstm")]


def _accuracy_part(result: dict) -> str:
    return result["reason"].split("Accuracy (")[1].split(",")[0]


def test_worse_on_one_task_is_not_supported_even_when_equivalent_elsewhere(
        claim_records) -> None:
    records = _timings({64: 1.5, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews",
                      {"gru": 0.80, "lstm": 0.80, "mingru": 0.80, "minlstm": 0.80})
    records += _study(claim_records, "contenders/italy-power",
                      {"gru": 0.95, "lstm": 0.95, "mingru": 0.77, "minlstm": 0.75})
    result = decide(Evidence.from_records(records)).to_dict()
    assert result["verdict"] != "supported", result["reason"]
    assert _accuracy_part(result) == "refuted"
    assert "4 of 4 task readings informative (0 uninformative), 2 equivalent or better, " \
           "2 worse" in result["reason"]


def test_an_inconclusive_task_keeps_accuracy_from_support(claim_records) -> None:
    records = _timings({64: 1.5, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews",
                      {"gru": 0.80, "lstm": 0.80, "mingru": 0.80, "minlstm": 0.80})
    # far apart but too noisy to decide at 2 pairs: it cannot count as comparable
    wide = [claim_records.trial("contenders/italy-power", c, k, v)
            for k, row in enumerate(({"gru": 0.95, "lstm": 0.95, "mingru": 0.50,
                                      "minlstm": 0.55},
                                     {"gru": 0.90, "lstm": 0.92, "mingru": 0.85,
                                      "minlstm": 0.90}))
            for c, v in row.items()]
    result = decide(Evidence.from_records(records + wide)).to_dict()
    assert _accuracy_part(result) == "inconclusive", result["reason"]
    assert result["verdict"] == "inconclusive"


def test_all_equivalent_holds_and_uninformative_tasks_are_counted_and_said(
        claim_records) -> None:
    records = _timings({64: 1.5, 1024: 0.3})
    records += _study(claim_records, "contenders/reviews",
                      {"gru": 0.80, "lstm": 0.80, "mingru": 0.80, "minlstm": 0.80})
    records += _study(claim_records, "contenders/japanese-vowels",
                      {"gru": 0.90, "lstm": 0.90, "mingru": 0.90, "minlstm": 0.90})
    result = decide(Evidence.from_records(records)).to_dict()
    assert result["verdict"] == "supported" and _accuracy_part(result) == "supported"
    with_flat = records + _flat(claim_records, "contenders/italy-power", 1.0)
    result = decide(Evidence.from_records(with_flat)).to_dict()
    assert result["verdict"] == "supported", result["reason"]
    assert "4 of 6 task readings informative (2 uninformative)" in result["reason"]
    # only uninformative tasks: nothing says the accuracy is comparable
    alone = _timings({64: 1.5, 1024: 0.3}) + _flat(claim_records, "contenders/italy-power", 1.0)
    result = decide(Evidence.from_records(alone)).to_dict()
    assert _accuracy_part(result) == "inconclusive" and result["verdict"] == "inconclusive"
    assert "0 of 2 task readings informative (2 uninformative)" in result["reason"]
