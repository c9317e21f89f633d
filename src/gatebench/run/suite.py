"""Run the claims suite: studies through any executor, timings serially, then the verdicts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypedDict

from gatebench.advisor.evidence import shipped_path
from gatebench.analysis import latency_table
from gatebench.claims import evaluate_claims
from gatebench.claims.base import ClaimJSON
from gatebench.claims.catalogue import FOLKLORE_CELLS
from gatebench.claims.cost import (
    Phases,
    PhaseWork,
    describe,
    estimate,
    measured_section,
    timing_work,
)
from gatebench.claims.health import study_health
from gatebench.claims.long import long_range_view
from gatebench.claims.plan import SuitePlan, plan_suite
from gatebench.fileio import write_atomic
from gatebench.protocol.record import EnvDoc, Measurement, TrialRecord, trials_only
from gatebench.report import build_report
from gatebench.run.executors import Executor
from gatebench.run.importance import plan_importance, run_design
from gatebench.run.latency_pass import latency_records, latency_spec_ids
from gatebench.run.progress import StudyProgress
from gatebench.run.study import prepare_study, run_study, with_training_floor
from gatebench.run.timing import run_step_timings
from gatebench.store import open_store
from gatebench.store.base import ResultStore, StoredRecord

CLAIMS_FILE = "claims.json"
LATENCY_FILE = "latency.json"
LONG_RANGE_FILE = "long_range.json"


class ProvenanceMachine(TypedDict):
    """The machine the suite's trials ran on, as its provenance names it (claims.cost.Machine is
    the part a cost estimate needs); None: not recorded."""

    cpu: str | None
    cpu_count: int | None
    gpu: str | None
    threads: int | None
    platform: str | None


class TaskSize(TypedDict):
    """A suite task's size as its loader described it."""

    n_train: int | None
    seq_len: dict[str, float] | None  # tasks.splits.length_stats: min, median, p95, max


class Provenance(TypedDict):
    """Where a suite's verdicts come from (claims.json's top): command, machine, versions,
    when the newest record was made and each task's size."""

    command: str
    machine: ProvenanceMachine
    versions: dict[str, str]  # package -> version
    generated: str | None
    tasks: dict[str, TaskSize]


@dataclass
class SuiteResult:
    """A finished suite: the plan it ran, the claim verdicts and where they were written."""

    out_dir: Path
    plan: SuitePlan
    claims: list[ClaimJSON]
    provenance: Provenance
    measured: dict[str, Any] | None = None
    health: dict[str, list[str]] | None = None  # per study, its failed health checks

    def to_json(self) -> str:
        """claims.json: profile, cost, provenance (machine, versions, tasks), the verdicts, the
        studies whose health checks failed (as `gatebench compare` runs them) and what was
        measured (for the next plan's cost estimate)."""
        return json.dumps({"profile": self.plan.profile, "cost": self.plan.cost,
                           **self.provenance, "claims": self.claims,
                           "health": self.health or {},
                           "plan_notes": list(self.plan.notes),
                           **({"measured": self.measured} if self.measured else {})},
                          indent=2, allow_nan=False)


def previous_measurements(out: str | Path) -> tuple[dict[str, Any] | None, str]:
    """The measurements a cost estimate can use: the suite folder's own claims.json if it has
    some, else the shipped evidence's; with where they come from."""
    for path, label in ((Path(out) / CLAIMS_FILE, f"the run in {out}"),
                        (shipped_path(), "the shipped evidence's run")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("measured"), dict):
            profile = data.get("profile")
            return data["measured"], f"{label}" + (f" (profile {profile})" if profile else "")
    return None, ""


def with_cost(plan: SuitePlan, out: str | Path) -> SuitePlan:
    """The plan with its cost line estimated from previous measurements (see claims.cost)."""
    n_trials = len({t.spec_id for s in plan.studies for t in s.spec.trials()})
    n_trials += sum(i.budget for i in plan.importance)
    measured, source = previous_measurements(out)
    return replace(plan, cost=describe(n_trials, estimate(plan, measured), source))


def run_suite(
    profile: str = "quick",
    claims: tuple[str, ...] | None = None,
    out: str | Path = "runs/suite",
    *,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    fresh: bool = False,
) -> SuiteResult:
    """Run a profile's experiments (resuming finished ones) and decide every claim."""
    return run_plan(with_cost(plan_suite(profile, claims), out), out, executor=executor,
                    progress=progress, fresh=fresh)


def run_plan(
    plan: SuitePlan,
    out: str | Path,
    *,
    executor: Executor | None = None,
    progress: StudyProgress | None = None,
    fresh: bool = False,
) -> SuiteResult:
    """Run any suite plan (a profile's, or a custom one) and write claims.json and the report."""
    out_dir = Path(out)
    progress = progress or StudyProgress()
    for study in plan.studies:  # validate every study before anything is written
        prepare_study(study.spec, out_dir)
    # the claim is about the folklore's two cells, whatever else is registered
    designs = [plan_importance(with_training_floor(i.spec, out_dir)[0].trials()[0], out_dir,
                               cells=FOLKLORE_CELLS, budget=i.budget)
               for i in plan.importance]
    for study in plan.studies:
        progress.phase(study.study_id, len(study.spec.trials()))
        run_study(study.spec, out_dir, study_id=study.study_id, kind="suite", fresh=fresh,
                  executor=executor, progress=progress)
    importance_records: list[TrialRecord] = []
    for design in designs:  # cell-vs-rest's designed experiments, through the same executor
        progress.phase(design.study_id, len(design.design.trials()))
        importance_records += run_design(design, out_dir, fresh=fresh, executor=executor,
                                         progress=progress)[0]
    with open_store(out_dir, create=True) as store:
        # Speed and latency are timed here, serially, whatever the executor: parallel trials
        # share cores and their clocks are not evidence for a speed claim.
        timing_ids = [spec.spec_id(cell, r) for spec in plan.step_timings
                      for r in range(plan.timing_rounds) for cell in spec.cells]
        latency_ids = latency_spec_ids(plan.latency)
        if fresh:
            store.delete_study_trials(timing_ids + latency_ids)
        phases: Phases = {}
        if plan.step_timings:
            new, _ = _serial_phase(
                store, progress, "training-step timing", timing_ids,
                run_step_timings(list(plan.step_timings), plan.timing_rounds, done=store.has))
            phases["step_timing"] = _timing_phase(plan, new)
        if plan.latency is not None:
            new, seconds = _serial_phase(store, progress, "inference latency", latency_ids,
                                         latency_records(plan.latency, done=store.has))
            configs = {(r.get("runtime"), r.get("seq_len"), r.get("batch")) for r, _ in new}
            phases["latency"] = {"seconds": seconds, "configs": len(configs)}
        records = gather_evidence(store, plan, timing_ids + latency_ids) + importance_records
    prov = provenance(plan, records)
    measured = measured_section(records, {k: v for k, v in phases.items() if v},
                                {"cpu_count": prov["machine"].get("cpu_count"),
                                 "threads": prov["machine"].get("threads"),
                                 "gpu": prov["machine"].get("gpu")})
    result = SuiteResult(out_dir, plan, evaluate_claims(records, plan.claims), prov, measured,
                         study_health(records))
    write_atomic(out_dir / CLAIMS_FILE, result.to_json())
    write_figure_inputs(out_dir, result.claims, records)
    build_report(out_dir)
    return result


def _serial_phase(store: Any, progress: StudyProgress, name: str, ids: list[str],
                  records: Iterable[Measurement]
                  ) -> tuple[list[tuple[Measurement, float]], float]:
    """Store each measured record as it comes (stored ones count as done from the start);
    the newly measured records with the seconds each took, and the phase's seconds."""
    progress.phase(name, len(ids))
    for _ in range(sum(map(store.has, ids))):
        progress.advance()
    new, started = [], time.perf_counter()
    last = started
    for record in records:
        now = time.perf_counter()
        new.append((record, now - last))  # the seconds this record took to measure
        store.put(record)
        progress.advance()
        last = time.perf_counter()
    return new, time.perf_counter() - started


def _timing_phase(plan: SuitePlan,
                  new: list[tuple[Measurement, float]]) -> dict[str, PhaseWork]:
    """Seconds and work (claims.cost.timing_work) of the newly timed steps, per kernel
    implementation."""
    steps = {s.config_key: s.repeats + s.warmup for s in plan.step_timings}
    out: dict[str, PhaseWork] = {}
    for r, seconds in new:
        part = out.setdefault(r["impl"], {"seconds": 0.0, "work": 0.0})
        part["seconds"] += seconds
        part["work"] += timing_work(r["batch"], r["seq_len"], r["reference_hidden"],
                                    steps.get(r["config_key"], 0))
    return out


def write_figure_inputs(out_dir: Path, claims: list[ClaimJSON],
                        records: list[StoredRecord]) -> None:
    """latency.json and long_range.json for the report's latency and long-range figures (each
    written only when the suite measured it; a stale one from an earlier run is removed)."""
    long = next((c for c in claims if c["id"] == "long"), None)
    views = {
        LATENCY_FILE: {"rows": latency_table(records), "device": _one(records, "device"),
                       "threads": _one(records, "threads"),
                       "note": "Untrained models at the suite's size; rounds pooled."},
        LONG_RANGE_FILE: long_range_view(long) if long else {"rows": []},
    }
    for name, view in views.items():
        path = out_dir / name
        if view["rows"]:
            write_atomic(path, json.dumps(view, indent=2, allow_nan=False))
        else:
            path.unlink(missing_ok=True)


def _one(records: list[StoredRecord], key: str) -> Any:
    values = {r.get(key) for r in records if r.get("kind") == "latency"}
    return values.pop() if len(values) == 1 else None


def gather_evidence(store: ResultStore, plan: SuitePlan, extra_ids: list[str]
                    ) -> list[StoredRecord]:
    """The plan's records, each tagged with the planned study that reads it.

    A trial shared by two studies (the full-data point of a learning curve is also a short-
    sequence trial) is stored once and appears under both study ids here.
    """
    records: list[StoredRecord] = []
    for study in plan.studies:
        ids = [t.spec_id for t in study.spec.trials()]
        records.extend(r.tagged(study_id=study.study_id) for r in trials_only(store.records(ids)))
    records.extend(store.records(extra_ids))
    return records


def provenance(plan: SuitePlan, records: list[StoredRecord]) -> Provenance:
    """Where the verdicts come from: the command, machine, versions and each task's size."""
    trials = trials_only(records)
    env = next((r.env for r in trials if r.env), EnvDoc())
    tasks: dict[str, TaskSize] = {}
    for r in trials:
        desc = r.task.description
        if r.task.name and r.task.name not in tasks:
            tasks[r.task.name] = {"n_train": desc.get("n_train"), "seq_len": desc.get("seq_len")}
    default = plan_suite(plan.profile).claims  # quick leaves its opt-in claims out
    claims = "" if set(plan.claims) == set(default) else f" --claims {','.join(plan.claims)}"
    return {
        "command": f"gatebench suite --profile {plan.profile}{claims}",
        "machine": {"cpu": env.get("cpu"), "cpu_count": env.get("cpu_count"),
                    "gpu": env.get("gpu"), "threads": env.get("threads"),
                    "platform": env.get("platform")},
        "versions": env.get("versions", {}),
        "generated": max((r.get("created_at", "") for r in records), default=None),
        "tasks": tasks,
    }
