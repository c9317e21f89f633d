"""Progress relays pass every hook on; the stage clock says where a run's wall time went."""

from __future__ import annotations

import itertools

import pytest

from gatebench.run import progress as progress_module
from gatebench.run.progress import RelayProgress, StageClock, StudyProgress


class Recorder(StudyProgress):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattribute__(self, name: str):
        if name in vars(StudyProgress) and not name.startswith("_"):
            return lambda *a, **k: object.__getattribute__(self, "calls").append(name)
        return object.__getattribute__(self, name)

    def finish(self) -> str:  # beyond StudyProgress, as RichProgress has
        return "finished"


HOOKS = [n for n, v in vars(StudyProgress).items() if callable(v) and not n.startswith("_")]


def test_a_relay_passes_every_hook_and_extra_attribute_on() -> None:
    inner = Recorder()
    relay = RelayProgress(inner)
    for hook in HOOKS:
        getattr(relay, hook)(*([None] * _arity(hook)))
    assert inner.calls == HOOKS
    assert relay.finish() == "finished"


def _arity(hook: str) -> int:
    code = getattr(StudyProgress, hook).__code__
    return code.co_argcount - 1 - len(getattr(StudyProgress, hook).__defaults__ or ())


def test_the_stage_clock_splits_a_run_by_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()  # each clock reading is one second after the last
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: float(next(ticks)))
    inner = Recorder()
    clock = StageClock(inner)  # 0
    clock.phase("timing pass: each arm's step", 3)  # 1: set-up took 1 s
    clock.study_start(4, 0)  # 2
    clock.study_end()  # 3: trials 1 s
    clock.study_start(4, 4)  # 4: a rerun of the study (a remedy): trials again
    clock.study_end()  # 5
    clock.phase("inference latency: each arm", 1)  # 6
    wall = clock.stop()  # 7
    assert wall == {"set-up": 1.0, "timing pass": 1.0, "trials": 2.0, "other": 2.0,
                    "inference latency": 1.0}
    assert inner.calls == ["phase", "study_start", "study_end", "study_start", "study_end",
                           "phase"]
