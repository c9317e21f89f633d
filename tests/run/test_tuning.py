"""Equal-budget tuning: the search space, bad input, and a tiny real search that resumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatebench.api import compare, study_spec
from gatebench.cli.main import main
from gatebench.errors import SpecError, UnknownNameError
from gatebench.protocol import TaskSpec
from gatebench.run import StudyProgress
from gatebench.run.tuning import TUNING_SEED, TUNING_STORAGE, parse_space
from gatebench.store import open_store

SPEC = study_spec(TaskSpec.make("italy-power"), lr=2e-3, hidden=64)
TINY = {"seeds": 1, "max_epochs": 2, "hidden": 16, "threads": 1, "batch_size": 16,
        "latency": False}


def test_space_defaults_scale_with_the_study_and_ranges_parse() -> None:
    lr, hidden = parse_space("lr,hidden", SPEC)
    assert (lr.low, lr.high, lr.log) == pytest.approx((2e-4, 2e-2, True))
    assert (hidden.low, hidden.high, hidden.integer) == (16, 128, True)
    [dropout] = parse_space("dropout=0.1:0.4", SPEC)
    assert (dropout.low, dropout.high) == (0.1, 0.4)


@pytest.mark.parametrize(("text", "error", "message"), [
    ("momentum", UnknownNameError, "known: dropout, hidden, lr, weight_decay"),
    ("lr=0.01:0.001", SpecError, "is empty"),
    ("lr=0:0.01", SpecError, "must be positive"),
    ("lr=-1:0.01", SpecError, "must be positive"),
    ("dropout=0.2:1.5", SpecError, "must lie in [0, 1)"),
    ("lr=abc", SpecError, "low:high"),
    ("lr,lr", SpecError, "twice"),
])
def test_bad_space_names_the_problem(text: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message.replace("[", r"\[").replace(")", r"\)")):
        parse_space(text, SPEC)


@pytest.mark.parametrize("args", [["--trials", "0"], ["--tune", "lr=1:1"],
                                  ["--tune", "lr=-0.1:0.1"], ["--tune", "nope"]])
def test_cli_bad_tuning_input_exits_2_and_writes_nothing(args: list[str], tmp_path: Path,
                                                         capsys) -> None:
    out = tmp_path / "s"
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--dataset", "italy-power", "--out", str(out), "--tune", "lr", *args])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


class Interrupt(StudyProgress):
    """Stops the run (as Ctrl-C would) once `after` trials are stored; counts trials run."""

    def __init__(self, after: int | None = None) -> None:
        self.after, self.started, self.ended = after, 0, 0

    def trial_start(self, spec: Any) -> None:
        self.started += 1

    def trial_end(self, record: dict[str, Any]) -> None:
        self.ended += 1
        if self.after is not None and self.ended >= self.after:
            raise KeyboardInterrupt


def test_search_is_equal_per_arm_selects_on_validation_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "tuned"
    with pytest.raises(KeyboardInterrupt):
        compare(dataset="italy-power", out=out, tune="lr", trials=3,
                progress=Interrupt(after=3), **TINY)
    with open_store(out, create=False) as store:
        stored = store.count()
    assert stored == 3
    counting = Interrupt()
    study = compare(dataset="italy-power", out=out, tune="lr", trials=3, progress=counting,
                    **TINY)
    assert counting.started == 2 * 3 - stored + 2  # the rest of the search, then one pair
    tuning = study.summary_data["tuning"]
    assert set(tuning["arms"]) == {"gru", "lstm"}
    for label, arm in tuning["arms"].items():
        assert len(arm["trials"]) == 3 and arm["trials"][0]["params"] == {"lr": 2e-3}
        assert 2e-4 <= arm["best"]["lr"] <= 2e-2
        assert study.summary_data["arms"][label]["overrides"]["lr"] == arm["best"]["lr"]
    assert (out / TUNING_STORAGE).is_file()
    with open_store(out, create=False) as store:
        searched = [r for r in store.records() if r["seed"] == TUNING_SEED]
    assert len(searched) == 6 and all(r["test"] == {} for r in searched)
    again = Interrupt()
    rerun = compare(dataset="italy-power", out=out, tune="lr", trials=3, progress=again, **TINY)
    assert again.started == 0
    assert json.dumps(rerun.summary_data["tuning"]) == json.dumps(tuning)
    fresh = Interrupt()
    compare(dataset="italy-power", out=out, tune="lr", trials=3, progress=fresh, fresh=True,
            **TINY)
    assert fresh.started == 2 * 3 + 2  # --fresh repeats the whole search and the pair
