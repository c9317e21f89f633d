"""The suite runner on a tiny plan: every claim decided from stored records, resumable, reported."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.claims.plan import LatencyPass, PlannedStudy, SuitePlan
from gatebench.claims.registry import claim_ids
from gatebench.errors import DataError
from gatebench.protocol import TaskSpec
from gatebench.protocol.timing import StepTimingSpec
from gatebench.run.suite import CLAIMS_FILE, run_plan
from gatebench.store import open_store
from tests.conftest import make_reviews

VERDICTS = {"supported", "refuted", "mixed", "inconclusive"}
ROW_KEYS = {"label", "what", "value", "ci", "n", "task", "device", "runtime", "detail"}
# The tiny plan feeds these claims experiments; the others have none, and must say so.
FED = {"speed", "speed-architecture", "inference", "short", "small-data", "long", "iteration"}
UNFED = {"cell-vs-rest", "contenders"}


def tiny_plan(csv: Path) -> SuitePlan:
    """Every kind of experiment the quick profile runs, at toy sizes (seconds, not minutes)."""
    text = task_spec(csv, text_col="review", label_col="sentiment")

    def spec(task: TaskSpec, **options):
        fractions = options.pop("fractions", (1.0,))
        made = study_spec(task, seeds=2, max_epochs=2, patience=2, hidden=8, embed_dim=8,
                          batch_size=32, threads=1, **options)
        return dataclasses.replace(made, data_fractions=fractions)

    studies = [
        PlannedStudy("short/reviews", spec(text), ("short", "convergence", "speed")),
        PlannedStudy("small/reviews", spec(text, fractions=(0.5, 1.0)),
                     ("small-data", "convergence")),
        *(PlannedStudy(f"long/adding/T={t}", spec(TaskSpec.make(
            "adding", seq_len=t, n_train=128, n_val=64, n_test=64), match="hidden"), ("long",))
          for t in (8, 16)),
        PlannedStudy("long/anbn/N=2", spec(TaskSpec.make(
            "anbn", seq_len=12, n_train_max=2, n_train=128, n_val=64, n_test=64),
            match="hidden"), ("long",)),
        *(PlannedStudy(f"iteration/reviews/lr={lr:g}", spec(text, lr=lr), ("iteration",))
          for lr in (1e-3, 1e-2)),
    ]
    timings = tuple(StepTimingSpec(impl=impl, hidden=8, input_size=4, seq_len=5, batch=4,
                                   threads=1, repeats=2, warmup=1)
                    for impl in ("native", "neutral"))
    latency = LatencyPass(hidden=8, input_size=4, seq_lens=(5,), batch_sizes=(1,),
                          runtimes=("eager",), rounds=2)
    return SuitePlan(profile="quick", claims=tuple(claim_ids()), studies=tuple(studies),
                     step_timings=timings, timing_rounds=2, latency=latency, cost="toy")


@pytest.fixture(scope="module")
def tiny_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("suite-data") / "reviews.csv"
    make_reviews().to_csv(path, index=False)
    return path


def _assert_evidence_shape(claims: list[dict]) -> None:
    """Every row carries the fields every claims row has; intervals are ordered; a ratio is
    positive and inside its interval; counts are whole numbers."""
    for c in claims:
        assert set(c["effect"]) == {"what", "value", "ci", "unit"}, c["id"]
        for r in c["evidence"]:
            assert ROW_KEYS <= set(r), (c["id"], r["label"])
            assert isinstance(r["n"], int) and r["n"] >= 0
            lo, hi = r["ci"]
            if lo is not None and hi is not None:
                assert lo <= hi, (c["id"], r["label"])
            if r.get("unit") == "ratio" and r["value"] is not None:
                assert r["value"] > 0, (c["id"], r["label"])
                if lo is not None and hi is not None:
                    assert lo <= r["value"] <= hi, (c["id"], r["label"])


def _assert_tiny_outcomes(claims: list[dict]) -> None:
    """What the tiny plan decides whatever the machine's clocks say."""
    by_id = {c["id"]: c for c in claims}
    assert {i for i, c in by_id.items() if c["reason"] == "not run"} & (FED | UNFED) == UNFED
    # one native and one kernel-neutral configuration, each timed for two rounds
    configs = [r for r in by_id["speed"]["evidence"] if r.get("level") == "config"]
    assert sorted(r["impl"] for r in configs) == ["native", "neutral"]
    assert all(r["n"] == 2 and r["value"] is not None for r in configs)
    # latency: one group per mode on cpu eager
    groups = [r for r in by_id["inference"]["evidence"] if r.get("level") == "group"]
    assert sorted(r["label"] for r in groups) == ["cpu eager/full", "cpu eager/step"]
    # two epochs on toy tasks: both long-range probes are uninformative, so no verdict
    probes = {r["task"]: r["counts_as"] for r in by_id["long"]["evidence"]
              if r.get("level") == "probe"}
    assert probes == {"adding": "uninformative", "anbn": "uninformative"}
    assert by_id["long"]["verdict"] == "inconclusive"
    assert by_id["short"]["verdict"] == "inconclusive"
    # the learning curve ran both fractions
    gaps = [r for r in by_id["small-data"]["evidence"] if r.get("level") == "gap"]
    assert sorted(r["label"] for r in gaps) == ["reviews @ 0.5", "reviews @ 1"]


def _row_count(out: Path) -> int:
    with open_store(out, create=False) as store:
        return len(store.records())


def test_every_claim_gets_a_verdict_and_a_rerun_resumes(tiny_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "suite"
    result = run_plan(tiny_plan(tiny_csv), out)
    written = json.loads((out / CLAIMS_FILE).read_text())
    assert [c["id"] for c in written["claims"]] == list(claim_ids())
    assert all(c["verdict"] in VERDICTS for c in written["claims"])
    _assert_evidence_shape(written["claims"])
    _assert_tiny_outcomes(written["claims"])
    assert written["claims"] == result.claims
    assert written["versions"]["torch"] and written["machine"]["cpu_count"]
    # the tiny plan runs every claim, cell-vs-rest too, which plain quick leaves out
    assert written["command"] == ("gatebench suite --profile quick --claims "
                                  + ",".join(claim_ids()))
    kinds = {}
    with open_store(out, create=False) as store:
        for r in store.records():
            kinds[r.get("kind") or "trial"] = kinds.get(r.get("kind") or "trial", 0) + 1
    assert kinds["step_timing"] == 2 * 2 * 2  # specs x rounds x cells
    assert kinds["latency"] == 2 * 2 * 2  # (full + step) x rounds x cells
    markdown = (out / "report.md").read_text()
    assert all(f"| [{claim}](#claim-{claim}-evidence) |" in markdown for claim in claim_ids())
    assert (out / "report.html").is_file()
    assert "## Long-range dependencies" in markdown and "## Inference latency" in markdown
    long_range = json.loads((out / "long_range.json").read_text())
    assert {(r["task"], r["seq_len"]) for r in long_range["rows"]} >= {("adding", 8),
                                                                       ("adding", 16)}
    assert all(0 <= r["score"] <= 1 for r in long_range["rows"])
    with open_store(out, create=False) as store:
        anbn = [r for r in store.records() if (r.get("task") or {}).get("name") == "anbn"]
    assert anbn and all(set(r["test_by_length"]) <= {str(2 * n) for n in range(1, 7)}
                        for r in anbn)
    assert all(h["train_loss_eval"] is not None and h["steps"] > 0 for r in anbn
               for h in r["history"])
    measured = written["measured"]
    assert measured["trials"] and set(measured["phases"]["step_timing"]) == {"native", "neutral"}
    assert all(c["would_change"] for c in written["claims"])
    # two epochs: the health checks of compare fire, and the claims say which tasks they took
    assert "short/reviews" in written["health"]
    assert any("still-improving" in m for m in written["health"]["short/reviews"])
    short = next(c for c in written["claims"] if c["id"] == "short")
    task = next(r for r in short["evidence"] if r.get("level") == "task")
    assert task["counts_as"] == "uninformative" and "health check" in task["uninformative"]
    assert short["reason"].startswith("0 of 1 task informative")
    assert "| 0 of 1 task informative, 0 for, 0 against |" in markdown
    latency = json.loads((out / "latency.json").read_text())
    assert {(r["cell"], r["mode"]) for r in latency["rows"]} == {
        (c, m) for c in ("gru", "lstm") for m in ("full", "step")}
    rows = _row_count(out)

    again = run_plan(tiny_plan(tiny_csv), out)  # everything stored: nothing re-run
    assert _row_count(out) == rows
    assert [c["verdict"] for c in again.claims] == [c["verdict"] for c in result.claims]


def test_a_bad_study_fails_before_anything_is_written(tiny_csv: Path, tmp_path: Path) -> None:
    plan = tiny_plan(tiny_csv)
    broken = PlannedStudy("short/missing", study_spec(
        task_spec(tiny_csv.with_name("nope.csv"), text_col="review", label_col="sentiment")),
        ("short",))
    plan = dataclasses.replace(plan, studies=(*plan.studies, broken))
    with pytest.raises(DataError, match="not found"):
        run_plan(plan, tmp_path / "suite")
    assert not (tmp_path / "suite" / "results.sqlite").exists()


def test_a_timings_only_plan_still_reports(tiny_csv: Path, tmp_path: Path) -> None:
    plan = dataclasses.replace(tiny_plan(tiny_csv), claims=("speed",), studies=(),
                               latency=None)
    result = run_plan(plan, tmp_path / "suite")
    speed = result.claims[0]
    assert {r["regime"] for r in speed["evidence"] if r["level"] == "config"} == {
        "batch 4"}
    assert (tmp_path / "suite" / "report.html").is_file()
