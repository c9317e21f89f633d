"""Arms through the study loop (A/A studies, overrides) and adaptive seeding (--seeds auto)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.cli.main import main
from gatebench.protocol import Arm
from gatebench.run import run_study
from gatebench.store import open_store
from tests.conftest import TINY

OPTIONS = {"text_col": "review", "label_col": "sentiment"}


def spec_for(path: Path, **overrides):
    return study_spec(task_spec(path, **OPTIONS), **{**TINY, **overrides})


def test_aa_arms_differ_only_by_their_initialisation(reviews_csv: Path, tmp_path: Path) -> None:
    study = spec_for(reviews_csv, cells=("lstm", "lstm"), seeds=1)
    a, b = run_study(study, tmp_path / "aa")
    assert (a["arm"], b["arm"]) == ("lstm-a", "lstm-b") and a["cell"] == b["cell"] == "lstm"
    assert a["pair_key"] == b["pair_key"] and a["spec_id"] != b["spec_id"]
    assert a["hidden_size"] == b["hidden_size"]
    # different initialisation streams, so the two fits are not copies of each other
    assert a["history"][0]["train_loss"] != b["history"][0]["train_loss"]


def test_arm_overrides_reach_the_trial(reviews_csv: Path, tmp_path: Path) -> None:
    arms = (Arm.make("gru", "small", hidden=8), Arm.make("gru", "big", hidden=24, lr=5e-3))
    small, big = run_study(spec_for(reviews_csv, arms=arms, seeds=1), tmp_path / "o")
    assert (small["hidden_size"], big["hidden_size"]) == (8, 24)
    assert big["spec"]["overrides"] == {"hidden": 24, "lr": 5e-3}


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


# seconds measured by this run: they differ between a run and its resume
CLOCK = ("elapsed_s", "pair_s")


def _timeless(state: dict) -> dict:
    """The state without its clock readings (a resumed run has its own)."""
    kept = {k: v for k, v in state.items() if k not in CLOCK and k != "projection"}
    return {**kept, "stopped": kept["stopped"].split(" (")[0]}


def test_seeds_auto_stops_with_a_reason_and_resumes(reviews_csv: Path, tmp_path: Path,
                                                    capsys) -> None:
    out = tmp_path / "auto"
    args = ["compare", str(reviews_csv), "--text-col", "review", "--label-col", "sentiment",
            "--max-seeds", "4", "--hidden", "8", "--max-epochs", "2",
            "--embed-dim", "8", "--threads", "1", "--no-latency", "--executor", "local",
            "--out", str(out), "--json"]
    code, stdout, err = _run(args, capsys)  # --seeds auto is the default
    assert code == 0, err
    summary = json.loads(stdout)
    seeding = summary["seeding"]
    assert seeding["design"] == "sequential" and "e-process" in seeding["method"]
    assert seeding["time_budget_s"] == 600 and seeding["max_seeds"] == 4
    looks = seeding["looks"]
    # the median rule names no winner before 7 agreeing pairs, nor certifies a margin this
    # soon; an undecided study still runs to its maximum (or budget) before saying so
    assert [look["pairs"] for look in looks] == [3, 4]
    assert seeding["stopped"].startswith("reached max seeds (4) undecided")
    assert summary["n_pairs"] == 4
    assert summary["verdict"]["rule"] == "sequential"
    assert summary["decision"]["pick"] in ("gru", "lstm", "either")
    with open_store(out) as store:
        stored = store.count()
        assert store.study_state("compare") == seeding
    code, again, _ = _run(args, capsys)
    assert code == 0 and _timeless(json.loads(again)["seeding"]) == _timeless(seeding)
    with open_store(out) as store:
        assert store.count() == stored  # the resume ran nothing twice


def test_unhealthy_training_is_remedied_for_every_arm_then_runs_on(reviews_csv: Path,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    # one epoch of a tiny model at lr 1e-5 leaves every seed at the baseline
    code, stdout, err = _run(["compare", str(reviews_csv), "--text-col", "review",
                              "--label-col", "sentiment", "--max-seeds", "3", "--max-epochs",
                              "1", "--lr", "1e-5", "--hidden", "8", "--embed-dim", "8",
                              "--threads", "1", "--no-latency", "--executor", "local",
                              "--out", str(tmp_path / "h"), "--json"], capsys)
    assert code == 0, err
    summary = json.loads(stdout)
    actions = summary["seeding"]["health_actions"]
    assert actions and actions[0]["check"] in ("failed-to-train", "still-improving")
    assert all(a["applied"] for a in actions)  # the default budget pays for every remedy
    remedies = [a["remedy"] for a in actions]
    if actions[0]["check"] == "failed-to-train":
        assert remedies[0] == "learning-rate search" and summary["tuning"]["arms"]
        # the search gave every arm its own lr, from the same trials
        assert {len(arm["trials"]) for arm in summary["tuning"]["arms"].values()} == {6}
    train = summary["study"]["spec"]["train"]
    assert train["max_epochs"] == 2 ** remedies.count("more epochs")
    assert train["patience"] >= 2 ** remedies.count("more epochs")
    assert summary["n_pairs"] == 3  # ran on to its maximum under the remedied configuration


@pytest.mark.parametrize("extra, message", [
    (["--seeds", "auto", "--max-seeds", "1"], "--max-seeds must be between 3 and 100"),
    (["--max-seeds", "101"], "--max-seeds must be between 3 and 100"),
    (["--time-budget", "-5"], "--time-budget must be a positive number of seconds"),
    (["--time-budget", "nan"], "--time-budget must be a positive number of seconds"),
    (["--time-budget", "inf"], "--time-budget must be a positive number of seconds"),
    (["--priority", "speed"], "--priority takes one of: quality, training, latency"),
    (["--seeds", "auto", "--time-budget", "soon"], "--time-budget"),
    (["--seeds", "many"], "--seeds takes a number"),
    (["--cells", "gru,gru2"], "no cell 'gru2'; known: gru, lstm"),
    (["--arms", "a=lstm:depth=2,b=gru"], "no option 'depth'"),
])
def test_bad_seed_and_arm_values_fail_cleanly(reviews_csv: Path, tmp_path: Path, capsys,
                                               extra: list[str], message: str) -> None:
    out = tmp_path / "bad"
    code, stdout, err = _run(["compare", str(reviews_csv), "--text-col", "review",
                              "--label-col", "sentiment", *extra, "--out", str(out)], capsys)
    assert code == 2 and stdout == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_pairs_per_round_keeps_parallel_workers_busy() -> None:
    from gatebench.run.study import pairs_per_round

    class Pool:
        def __init__(self, workers):
            self.workers = workers

    assert pairs_per_round(Pool(1)) == 1
    assert pairs_per_round(Pool(2)) == 2  # one trial of each arm per worker
    assert pairs_per_round(Pool(None)) == 1  # a cluster of unknown size: one pair a look


@pytest.mark.parametrize("cells", [("gru", "lstm"), ("gru", "lstm", "gru")],
                         ids=["two arms", "three arms (ranking)"])
def test_a_pool_running_pairs_in_rounds_stops_where_one_pair_a_look_stops(
        reviews_csv: Path, tmp_path: Path, cells: tuple[str, ...]) -> None:
    """Two workers run two pairs a round; the round is looked at pair by pair, so the looks,
    the stop and the verdict's records are those of a one-trial-at-a-time study."""
    from gatebench.run import LocalExecutor, ProcessExecutor

    study = spec_for(reviews_csv, cells=cells, seeds="auto", max_pairs=6, max_epochs=1,
                     hidden=8, embed_dim=8)
    with ProcessExecutor(workers=2, threads_per_worker=1) as pool:
        in_rounds = run_study(study, tmp_path / "p", executor=pool)
    with LocalExecutor() as local:
        one_by_one = run_study(study, tmp_path / "l", executor=local)
    states = []
    for folder in ("p", "l"):
        with open_store(tmp_path / folder) as store:
            states.append(store.study_state("compare"))
    pooled, alone = states
    assert [(look["pairs"], look["verdict"]) for look in pooled["looks"]] == \
        [(look["pairs"], look["verdict"]) for look in alone["looks"]]
    assert [look["pairs"] for look in alone["looks"]] == list(range(3, alone["pairs"] + 1))
    assert pooled["stopped"] == alone["stopped"]
    assert sorted(r.spec_id for r in in_rounds) == sorted(r.spec_id for r in one_by_one)
    assert all(r["concurrent"] for r in in_rounds)
    # rounds of 2 after the first look at 3: the pool ran an even number of pairs past 3
    ran = pooled["seeds_in_verdict"] + pooled.get("seeds_past_stop", 0)
    assert (ran - 3) % 2 == 0 or ran == study.max_pairs
