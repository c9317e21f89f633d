"""Compare's timing pass: interleaved rounds on the study's own batches, stored, resumed, and
free of the first-trial penalty."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from gatebench.analysis.timing import timing_pass_ratio, timing_pass_settled
from gatebench.api import compare, study_spec, task_spec
from gatebench.protocol import ModelOptions
from gatebench.protocol.timing import (
    STUDY_TIMING_MAX_ROUNDS,
    STUDY_TIMING_MIN_ROUNDS,
    study_timing_key,
)
from gatebench.run.progress import StudyProgress
from gatebench.run.study_timing import (
    run_timing_pass,
    spread_batches,
    stored_rounds,
    timing_state_id,
)
from gatebench.run.trial import cached_task
from gatebench.store import open_store
from gatebench.train import Batch
from tests.conftest import TINY, make_reviews

OPTIONS = {"text_col": "review", "label_col": "sentiment"}
ROOT = Path(__file__).resolve().parents[2]


def spec_for(path: Path, **overrides):
    return study_spec(task_spec(path, **OPTIONS), **{**TINY, **overrides})


def ended_by_its_rule(rounds: list[list[dict]], arms=("gru", "lstm")) -> bool:
    """The pass stopped at its rule's first yes: settled now, not one round earlier."""
    flat = [[r for rd in rounds[:n] for r in rd] for n in (len(rounds) - 1, len(rounds))]
    return (STUDY_TIMING_MIN_ROUNDS <= len(rounds) <= STUDY_TIMING_MAX_ROUNDS
            and timing_pass_settled(flat[1], arms) and not timing_pass_settled(flat[0], arms))


def _batch(t: int, b: int = 4) -> Batch:
    return Batch(torch.zeros(b, t), torch.full((b,), t), torch.zeros(b), b * t)


def test_spread_batches_cover_the_shortest_and_longest() -> None:
    batches = [_batch(t) for t in (30, 5, 17, 9, 44, 12, 3, 25)]
    picked = spread_batches(batches, 4)
    lengths = [b.x.shape[1] for b in picked]
    assert lengths[0] == 3 and lengths[-1] == 44 and len(lengths) == 4
    assert lengths == sorted(lengths)
    assert len(spread_batches(batches, 20)) == 8  # never more than there are


def test_the_pass_is_stored_by_round_and_resumed(reviews_csv: Path, tmp_path: Path) -> None:
    study = spec_for(reviews_csv)
    data = cached_task(study.task, None)
    with open_store(tmp_path, create=True) as store:
        run_timing_pass(study, data, store, "compare", StudyProgress())
        rounds = stored_rounds(store, study, "compare")
        assert ended_by_its_rule(rounds)
        for i, rd in enumerate(rounds):
            assert [r["round"] for r in rd] == [i, i]
            assert {r["arm"] for r in rd} == {"gru", "lstm"}
            assert rd[0]["seq_lens"] == rd[1]["seq_lens"]  # the same batches for every arm
            assert all(r["seconds"] > 0 and not r["concurrent"] for r in rd)
        assert store.count() == 0  # no trial rows: the pass lives in the study's state
        stamps = [r["created_at"] for rd in rounds for r in rd]
        # resumed: nothing re-measured, also when only the learning rate or epochs changed
        run_timing_pass(replace(study, train=replace(study.train, lr=0.01, max_epochs=9)),
                        data, store, "compare", StudyProgress())
        assert [r["created_at"] for rd in stored_rounds(store, study, "compare")
                for r in rd] == stamps
        # a half-finished pass measures only its missing rounds, until its rule says enough
        state = store.study_state(timing_state_id("compare"))
        store.save_study_state(timing_state_id("compare"), {**state, "rounds": rounds[:2]})
        run_timing_pass(study, data, store, "compare", StudyProgress())
        again = stored_rounds(store, study, "compare")
        assert again[:2] == rounds[:2] and ended_by_its_rule(again)


def test_a_changed_model_needs_a_new_pass(reviews_csv: Path) -> None:
    study = spec_for(reviews_csv)
    wider = replace(study, model=ModelOptions(embed_dim=32))
    assert study_timing_key(study) != study_timing_key(wider)
    longer = replace(study, train=replace(study.train, max_epochs=50, patience=9, lr=0.1))
    assert study_timing_key(study) == study_timing_key(longer)


def _round(i: int, gru_s: float, lstm_s: float) -> list[dict]:
    base = {"kind": "study_timing", "status": "ok", "round": i, "batches": 3,
            "seq_lens": [4, 9, 20], "threads": 1, "device": "cpu"}
    return [{**base, "arm": "gru", "seconds": gru_s, "per_epoch_s": 10 * gru_s},
            {**base, "arm": "lstm", "seconds": lstm_s, "per_epoch_s": 10 * lstm_s}]


def test_timing_pass_ratio_takes_ratios_within_rounds() -> None:
    records = _round(0, 0.8, 1.0) + _round(1, 1.8, 2.0) + _round(2, 0.9, 1.0)
    records = [r for r in records if not (r["round"] == 2 and r["arm"] == "lstm")]
    ratio = timing_pass_ratio(records, ("gru", "lstm"))
    assert ratio["values"] == pytest.approx([0.8, 0.9])  # round 2 lacks an arm: left out
    assert ratio["geomean"] == pytest.approx(math.sqrt(0.8 * 0.9))
    assert ratio["source"] == "timing pass" and ratio["rounds"] == 2
    assert ratio["seq_lens"] == [4, 20]
    assert timing_pass_ratio(_round(0, 1, 1)[:1], ("gru", "lstm")) is None


def test_compare_takes_its_time_ratio_from_the_pass(reviews_csv: Path, tmp_path: Path) -> None:
    study = compare(reviews_csv, out=tmp_path / "s", task_options=OPTIONS, latency=False,
                    **TINY)
    ratio, trials = study.summary_data["time_ratio"], study.summary_data["trial_time_ratio"]
    assert ratio["source"] == "timing pass" and trials["source"] == "trials"
    assert STUDY_TIMING_MIN_ROUNDS <= len(ratio["values"]) == ratio["rounds"]
    assert ratio["rounds"] <= STUDY_TIMING_MAX_ROUNDS and len(trials["values"]) == 2
    assert {"what", "geomean", "ci", "values", "concurrent"} <= set(ratio)
    saved = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert saved["time_ratio"]["source"] == "timing pass"
    wall = saved["wall_s"]  # where this run's time went, stage by stage
    assert list(wall)[:3] == ["set-up", "timing pass", "trials"]
    assert all(s > 0 for s in wall.values()) and "inference latency" not in wall
    html = (tmp_path / "s" / "report.html").read_text()
    assert "from the timing pass" in html


COLD = """
import json, sys
from pathlib import Path
from gatebench.api import study_spec, task_spec
from gatebench.run.study_timing import timing_rounds
from gatebench.run.trial import cached_task
spec = study_spec(task_spec(Path(sys.argv[1]), text_col="review", label_col="sentiment"),
                  seeds=1, max_epochs=1, patience=1, hidden=64, embed_dim=32, batch_size=16,
                  threads=1)
rounds = list(timing_rounds(spec, cached_task(spec.task, None), rounds=4))
print(json.dumps([{r["arm"]: r for r in rd} for rd in rounds]))
"""


def _cold_rounds(data: Path) -> list[dict]:
    """Four timing rounds measured in a fresh process (oneDNN's primitive cache empty)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", COLD, str(data)], capture_output=True,
                          text=True, timeout=300, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_round_off(rounds: list[dict]) -> tuple[float, float]:
    """How far the first round's log GRU/LSTM ratio sits from the later rounds' mean, and the
    noise allowed: three standard deviations of the later rounds, at least log(1.25)."""
    logs = [math.log(rd["gru"]["seconds"] / rd["lstm"]["seconds"]) for rd in rounds]
    rest = logs[1:]
    return abs(logs[0] - statistics.mean(rest)), max(3 * statistics.stdev(rest), math.log(1.25))


def test_the_first_round_is_as_fair_as_the_rest(tmp_path: Path) -> None:
    """In a fresh process (as for a study's first trial), the first round's ratio sits within
    the later rounds' noise: the warm-up took the penalty. A burst of load from another test
    process can land on one round (a round is about a second); a warm-up that misses the
    penalty misses it in every fresh process, so a second process must agree before it fails."""
    data = tmp_path / "reviews.csv"
    make_reviews(600).to_csv(data, index=False)
    rounds = _cold_rounds(data)
    off, noise = _first_round_off(rounds)
    if off > noise:
        rounds = _cold_rounds(data)
        off, noise = _first_round_off(rounds)
    assert off <= noise, (rounds, off, noise)
    # the penalty was real: the cold first pass cost more than any timed round's pass
    timed = min(rd[arm]["seconds"] / rd[arm]["passes"] for rd in rounds for arm in rd)
    assert max(rd[arm]["warmup_s"] for rd in rounds[:1] for arm in rd) > timed


def test_only_compare_studies_run_the_pass(reviews_csv: Path, tmp_path: Path) -> None:
    from gatebench.run import run_study

    study = spec_for(reviews_csv, seeds=1, max_epochs=1)
    run_study(study, tmp_path / "suite", study_id="s", kind="suite")
    with open_store(tmp_path / "suite") as store:
        assert stored_rounds(store, study, "s") == []  # the suite times in its own passes
    run_study(study, tmp_path / "compare")
    with open_store(tmp_path / "compare") as store:
        assert ended_by_its_rule(stored_rounds(store, study, "compare"))
