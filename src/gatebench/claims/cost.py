"""A suite plan's cost, estimated from measured runs (never typed in): torch-free.

A finished suite stores what it measured in claims.json under "measured": per trial its task,
options, planned epochs, epochs run, data fraction, hidden size and wall seconds; per serial
phase its seconds and work. `estimate` scales those to another plan:

- a trial costs rate(task) x epochs x fraction x size x hidden^2, where size is the product
  of the task's seq_len and n_train options (1 when absent) and rate(task) is the median of
  wall / (epochs run x fraction x size x hidden^2) over the measured trials of that task (all
  tasks' median for a task never measured); epochs are the planned maximum times the measured
  share of it that early stopping used (all of it for a study without early stopping);
- an importance design costs its budget times the mean wall time of its own measured fits
  (the rate model above for its base configuration when it was never measured);
- the step-timing phase costs its measured seconds per unit of steps x batch x length x
  hidden^2, per kernel implementation; the latency phase its measured seconds per config.

The estimate is for the machine that measured (its cores and device are named with it).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any, TypedDict

from gatebench.numbers import finite
from gatebench.protocol.record import Measurement, TrialRecord, read_record, trials_only


class TrialEntry(TypedDict):
    """One measured trial in "measured": what it ran and its wall seconds (prep included)."""

    task: str | None
    study: str | None
    options: dict[str, Any]  # the task's options as given (seq_len, n_train, ...)
    max_epochs: int | None
    epochs_run: int
    data_fraction: float
    hidden: int | None
    wall_s: float


class PhaseWork(TypedDict):
    """A serial phase's seconds and the work they did (timing_work units, or configs)."""

    seconds: float
    work: float


class LatencyPhase(TypedDict):
    """The latency phase's seconds and how many configurations it timed."""

    seconds: float
    configs: int


class Phases(TypedDict, total=False):
    """The serial phases a suite measured (a phase it did not run is absent)."""

    step_timing: dict[str, PhaseWork]  # per kernel implementation
    latency: LatencyPhase


class Machine(TypedDict):
    """The machine the measurements ran on."""

    cpu_count: int | None
    threads: int | None
    gpu: str | None


class Measured(TypedDict):
    """claims.json "measured": trial entries, serial phases and the machine they ran on."""

    trials: list[TrialEntry]
    phases: Phases
    machine: Machine


class CostEstimate(TypedDict):
    """A plan's estimated seconds by part, with what could only be guessed or not priced."""

    trials_s: float
    timing_s: float
    latency_s: float
    total_s: float
    unmeasured_tasks: list[str]
    unpriced_phases: list[str]
    machine: Machine


def _size(options: dict[str, Any]) -> float:
    size = 1.0
    for key in ("seq_len", "n_train"):
        value = finite(options.get(key))
        if value:
            size *= value
    return size


def trial_entry(record: TrialRecord) -> TrialEntry | None:
    """What one stored trial contributes to "measured" (None without a wall time)."""
    history = record.history
    wall = finite(history[-1].get("wall_s")) if history else None
    if wall is None:
        return None
    task, train = record.spec.get("task") or {}, record.spec.get("train") or {}
    return {"task": task.get("name"), "study": record.study_id,
            "options": task.get("options") or {}, "max_epochs": train.get("max_epochs"),
            "epochs_run": len(history), "data_fraction": record.data_fraction,
            "hidden": record.hidden_size,
            "wall_s": wall + (finite(record.timing.prep_s) or 0.0)}


def timing_work(batch: int, seq_len: int, hidden: int, steps: int) -> float:
    """Work units of timed training steps: steps x batch x length x hidden^2."""
    return float(steps) * batch * seq_len * hidden * hidden


def measured_section(records: Iterable[TrialRecord | Measurement],
                     phases: Phases, machine: Machine) -> Measured:
    """claims.json "measured": trial entries, serial phases and the machine they ran on."""
    trials, seen = [], set()
    for r in trials_only(map(read_record, records)):
        if r.spec_id in seen:
            continue
        seen.add(r.spec_id)
        if r.concurrent:
            continue  # a shared machine's times would understate a serial run's
        entry = trial_entry(r)
        if entry is not None:
            trials.append(entry)
    return {"trials": trials, "phases": phases, "machine": machine}


def _rate(entry: TrialEntry) -> float | None:
    hidden, epochs = finite(entry.get("hidden")), finite(entry.get("epochs_run"))
    fraction = finite(entry.get("data_fraction")) or 1.0
    if not hidden or not epochs:
        return None
    return entry["wall_s"] / (epochs * fraction * _size(entry["options"]) * hidden * hidden)


def estimate(plan: Any, measured: Measured | None) -> CostEstimate | None:
    """Seconds the plan should take on the measuring machine, by part (None: no measurements).

    `plan` is a SuitePlan; trials shared by two studies count once.
    """
    if not measured or not measured.get("trials"):
        return None
    rates: dict[str | None, list[float]] = {}  # by task name (None: not recorded)
    shares: dict[str | None, list[float]] = {}
    for e in measured["trials"]:
        rate = _rate(e)
        if rate is not None:
            rates.setdefault(e["task"], []).append(rate)
            if finite(e.get("max_epochs")):
                shares.setdefault(e["task"], []).append(e["epochs_run"] / e["max_epochs"])
    if not rates:
        return None
    every = statistics.median(r for rs in rates.values() for r in rs)
    guessed: set[str] = set()

    def trial_s(t: Any) -> float:
        name = t.task.name
        if name not in rates:
            guessed.add(name)
        rate = statistics.median(rates[name]) if name in rates else every
        # early stopping's measured share of the cap; a study without early stopping (patience
        # as long as the cap) runs every epoch
        stops = t.train.patience < t.train.max_epochs
        share = statistics.mean(shares[name]) if stops and shares.get(name) else 1.0
        hidden = t.sizing.reference_hidden
        return (rate * t.train.max_epochs * share * t.data_fraction
                * _size(dict(t.task.options)) * hidden * hidden)

    trials_s, seen = 0.0, set()
    for study in plan.studies:
        for t in study.spec.trials():
            if t.spec_id not in seen:
                seen.add(t.spec_id)
                trials_s += trial_s(t)
    for imp in plan.importance:
        # a design varies size and rate around its base: its own measured fits, where there
        # are some, price it better than the base configuration's rate
        walls = [e["wall_s"] for e in measured["trials"] if e.get("study") == imp.study_id]
        per_trial = statistics.mean(walls) if walls else trial_s(imp.spec.trials(1)[0])
        trials_s += imp.budget * per_trial
    timing_s, latency_s = _serial_seconds(plan, measured.get("phases") or {})
    unpriced = [name for name, planned, priced in (
        ("training-step timing", bool(plan.step_timings), timing_s > 0),
        ("inference latency", plan.latency is not None, latency_s > 0)) if planned and not priced]
    return {"trials_s": trials_s, "timing_s": timing_s, "latency_s": latency_s,
            "total_s": trials_s + timing_s + latency_s, "unmeasured_tasks": sorted(guessed),
            "unpriced_phases": unpriced, "machine": measured.get("machine") or {}}


def _serial_seconds(plan: Any, phases: Phases) -> tuple[float, float]:
    """The step-timing and latency phases' seconds, priced per unit of measured work."""
    timing_s = 0.0
    for spec in plan.step_timings:
        per = (phases.get("step_timing") or {}).get(spec.impl)
        if per and per.get("work"):
            work = timing_work(spec.batch, spec.seq_len, spec.hidden,
                               2 * plan.timing_rounds * (spec.repeats + spec.warmup))
            timing_s += per["seconds"] / per["work"] * work
    latency_s = 0.0
    lat = phases.get("latency")
    if plan.latency is not None and lat and lat.get("configs"):
        n = len(plan.latency.seq_lens) * len(plan.latency.batch_sizes) * len(
            plan.latency.runtimes)
        latency_s = lat["seconds"] / lat["configs"] * n
    return timing_s, latency_s


def describe(n_trials: int, est: CostEstimate | None, source: str) -> str:
    """The plan's cost line: "42 trials; about 11 min on 2 cores (estimated from ...)"."""
    if est is None:
        return (f"{n_trials} trials; no measured run to estimate the cost from yet (each "
                f"finished suite stores its measurements in claims.json)")
    machine = est["machine"]
    where = f"{machine.get('cpu_count') or '?'} CPU cores" + (
        f" and {machine['gpu']}" if machine.get("gpu") else "")
    minutes = est["total_s"] / 60.0
    size = f"about {minutes:.0f} min" if minutes < 120 else f"about {minutes / 60:.1f} h"
    guess = (f"; tasks never measured, costed at the median rate: "
             f"{', '.join(est['unmeasured_tasks'])}" if est["unmeasured_tasks"] else "")
    unpriced = est.get("unpriced_phases") or []
    missing = (f"; not priced, as that run measured none: {', '.join(unpriced)}"
               if unpriced else "")
    return (f"{n_trials} trials; {size} on {where} (estimated from the measurements of "
            f"{source}{guess}{missing})")
