"""Evidence loading: suite and compare folders, the shipped file, user precedence, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gatebench.advisor import GRU, LSTM, Answers, advise, load_evidence, read_source
from gatebench.errors import DataError

SPEED_MATTERS = Answers(device="cpu", time_budget="fast", seq_len=50, train_size=20_000,
                        dependency_range="short")


def test_reads_suite_and_compare_folders_and_files(crafted, tmp_path, no_shipped) -> None:
    suite = crafted.suite(tmp_path / "suite", crafted.all_inconclusive(), machine="2 vCPU")
    study = crafted.study(tmp_path / "study", "GRU better", 2.0, (1.0, 3.0))
    sources = load_evidence([suite, study / "summary.json"])
    assert [s.kind for s in sources] == ["claims", "study"]
    assert sources[0].meta["machine"] == "2 vCPU" and len(sources[0].claims) == 7
    assert sources[1].summary["verdict"]["label"] == "GRU better"


@pytest.mark.parametrize("make, words", [
    (lambda p: p, ["not found"]),
    (lambda p: (p.mkdir(), p)[1], ["neither claims.json", "summary.json"]),
    (lambda p: (p.write_text("{not json"), p)[1], ["cannot read evidence"]),
    (lambda p: (p.write_text(json.dumps({"x": 1})), p)[1], ["neither a claims file"]),
    (lambda p: (p.write_text(json.dumps({"claims": [{"id": "speed"}]})), p)[1],
     ["id and a verdict"]),
])
def test_bad_evidence_is_a_data_error(tmp_path, make, words) -> None:
    with pytest.raises(DataError) as info:
        read_source(make(tmp_path / "evidence"))
    for word in words:
        assert word in str(info.value)


def test_missing_shipped_file_needs_evidence(crafted, tmp_path, no_shipped) -> None:
    with pytest.raises(DataError, match="--evidence DIR"):
        load_evidence([])
    suite = crafted.suite(tmp_path / "suite", crafted.all_inconclusive())
    assert len(load_evidence([suite])) == 1  # with user evidence, no shipped file is fine


def test_user_evidence_overrides_shipped(crafted, tmp_path, shipped) -> None:
    shipped([crafted.claim("speed", "supported", 0.7, (0.65, 0.75),
                           [crafted.speed_group("supported", 0.7, (0.65, 0.75))])],
            machine="reference box")
    assert advise(SPEED_MATTERS, load_evidence()).recommendation == GRU
    mine = crafted.suite(tmp_path / "mine", [crafted.claim(
        "speed", "refuted", 1.4, (1.3, 1.5), [crafted.speed_group("refuted", 1.4, (1.3, 1.5))])])
    advice = advise(SPEED_MATTERS, load_evidence([mine]))
    assert advice.recommendation == LSTM
    speed = next(r for r in advice.reasons if r.claim == "speed")
    assert speed.source == str(mine) and speed.effect["value"] == 1.4
    assert any("reference box" in c for c in advice.caveats)  # shipped provenance is shown


def test_a_claim_not_run_in_user_evidence_falls_back_to_shipped(crafted, tmp_path,
                                                                shipped) -> None:
    shipped([crafted.claim("speed", "supported", 0.7, (0.65, 0.75),
                           [crafted.speed_group("supported", 0.7, (0.65, 0.75))])])
    mine = crafted.suite(tmp_path / "mine", [crafted.claim("speed", "inconclusive",
                                                           reason="not run")])
    speed = next(r for r in advise(SPEED_MATTERS, load_evidence([mine])).reasons
                 if r.claim == "speed")
    assert speed.source == "shipped evidence" and speed.favours == GRU


def test_claims_from_the_real_deciders_are_read(crafted, tmp_path, no_shipped) -> None:
    from gatebench.claims import evaluate_claims

    records = []
    for r in range(4):
        for cell, ms in (("gru", 7.4 + 0.1 * (r % 2)), ("lstm", 10.0)):
            records.append({"kind": "step_timing", "cell": cell, "impl": "native",
                            "sizing": "params", "config_key": "native/params/H=64/T=50/B=32",
                                "reference_hidden": 64, "seq_len": 50, "batch": 32,
                            "device": "cpu", "round": r, "median_ms": ms, "status": "ok"})
    claims = evaluate_claims(records, ["speed"])
    suite = crafted.suite(tmp_path / "suite", claims)
    speed = next(r for r in advise(SPEED_MATTERS, load_evidence([suite])).reasons
                 if r.claim == "speed")
    assert claims[0]["verdict"] == "supported"
    assert speed.favours == GRU and speed.device == "cpu" and speed.closeness.level == "near"
    assert "50 vs 50" in speed.closeness.text()


def test_advisor_never_imports_torch(crafted, tmp_path) -> None:
    suite = crafted.suite(tmp_path / "suite", crafted.all_inconclusive())
    code = (
        "import sys\n"
        "from gatebench.advisor import Answers, advise, load_evidence\n"
        f"advise(Answers(seq_len=10), load_evidence([{str(suite)!r}], include_shipped=False))\n"
        "import gatebench.cli.advise\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr
