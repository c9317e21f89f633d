"""What a study folder logs to a tracker, as data: parent runs with their child runs.

Deciding what to log is kept apart from logging it (tracking.sink): these functions read the
folder's results.sqlite and JSON files and return RunContent, with no tracker in sight. Runs are
found again by their `gatebench.key` tag, which is what makes a second logging an update.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from gatebench.errors import DataError
from gatebench.protocol.record import TrialRecord, trials_only
from gatebench.protocol.specs import ModelDoc, SizingDoc, StudySpecDoc, TrainDoc
from gatebench.store import StoredStudy, open_store

KEY_TAG = "gatebench.key"  # identity of a run: the study (parents) or study + trial (children)
VERSION_TAG = "gatebench.version"  # children: the stored record's created_at (a rerun replaces)
KIND_TAG = "gatebench.kind"
HISTORY = ("train_loss", "val_loss", "val_metric", "train_loss_eval", "train_time_s", "wall_s")
MAX_PARAM = 500  # MLflow's parameter values have a length limit; ours stay far below it

if TYPE_CHECKING:
    from gatebench.analysis.documents import SummaryDoc


@dataclass(frozen=True)
class RunContent:
    """One tracker run: name, identity key, params, tags, single metrics, stepped curves, files."""

    key: str
    name: str
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    curves: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    artifacts: tuple[Path, ...] = ()
    version: str = ""


@dataclass(frozen=True)
class ParentContent:
    """A parent run and its children (a study and its trials, or a claim)."""

    run: RunContent
    children: tuple[RunContent, ...] = ()


def flatten(data: object, prefix: str = "") -> dict[str, object]:
    """Nested dicts as dotted keys; lists and scalars are leaves."""
    if not isinstance(data, dict):
        return {prefix: data} if prefix else {}
    out: dict[str, object] = {}
    for key, value in data.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def numbers(data: Mapping[str, object], prefix: str = "") -> dict[str, float]:
    """The finite numeric leaves of `data` (booleans left out), under dotted names."""
    out = {}
    for key, value in flatten(data, prefix).items():
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            out[key] = float(value)
    return out


def as_params(data: Mapping[str, object]) -> dict[str, str]:
    """Flattened values as parameter strings (None and empty values left out)."""
    out = {}
    for key, value in flatten(data).items():
        if value is None or value == {} or value == []:
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        out[key] = text[:MAX_PARAM]
    return out


def study_key(folder_kind: str, study: dict[str, Any]) -> str:
    """A study's identity: its id and creation time in the store (stable across reruns)."""
    raw = json.dumps([folder_kind, study["study_id"], study["created_at"]])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def trial_run(record: TrialRecord, parent_key: str) -> RunContent:
    """A child run for one stored trial: its spec, curves, test metrics, times and kernel."""
    spec = record.spec
    params = as_params({"arm": record.arm, "cell": record.cell,
                        "seed": record.seed, "hidden": record.hidden_size,
                        "params_total": record.params.total,
                        "data_fraction": record.data_fraction,
                        "design": (record.importance or {}).get("levels"),
                        "lr": spec.get("train", {}).get("lr"),
                        "batch": spec.get("train", {}).get("batch_size"),
                        **{k: v for k, v in spec.items()
                           if k not in ("task", "cell", "arm", "seed", "data_fraction")}})
    metrics = {
        **numbers(record.test, "test"),
        **numbers(record.timing.to_dict(), "time"),
        **numbers(record.memory or {}, "memory"),
        **numbers({k: v for k, v in record.extra.items() if "peak" in k}),
        **numbers({"best_epoch": record.best_epoch, "epochs_run": record.epochs_run}),
    }
    curves: dict[str, list[tuple[int, float]]] = {}
    for row in record.history:
        for name, value in numbers({k: row.get(k) for k in HISTORY}).items():
            curves.setdefault(name, []).append((int(row["epoch"]), value))
    tags = {KEY_TAG: f"{parent_key}/{record.spec_id}", "gatebench.spec_id": record.spec_id,
            "kernel": str(record.kernel), "device": record.device,
            "threads": str(record.threads), "status": record.status}
    name = f"{record.arm} seed {record.seed}"
    return RunContent(tags[KEY_TAG], name, params, tags, metrics, curves,
                      version=record.created_at or "")


class StudyDesign(TypedDict):
    """A head-to-head study's design as a parent run's parameters (None: not in the spec)."""

    task: str | None
    arms: str  # the labels, comma-separated
    seeds: int | str | None  # "auto (up to N)" for an adaptive study
    task_options: dict[str, Any] | None  # free-form: the task family's own options
    arm_options: dict[str, dict[str, float]]  # label -> its overrides
    margin: float | None
    data_fractions: list[float] | None
    sizing: SizingDoc | None
    model: ModelDoc | None
    train: TrainDoc | None


def study_design(spec: StudySpecDoc) -> StudyDesign:
    """A head-to-head study's design as parameters: task, arms, seeds, protocol."""
    arms = [a.get("label") for a in spec.get("arms") or []] or list(spec.get("cells", []))
    return {"task": spec.get("task", {}).get("name"), "arms": ", ".join(map(str, arms)),
            "seeds": f"auto (up to {spec.get('max_seeds')})" if spec.get("adaptive")
            else spec.get("seeds"),
            "task_options": spec.get("task", {}).get("options"),
            "arm_options": {a.get("label"): a.get("overrides") for a in spec.get("arms") or []},
            "margin": spec.get("margin"), "data_fractions": spec.get("data_fractions"),
            "sizing": spec.get("sizing"), "model": spec.get("model"), "train": spec.get("train")}


def study_parent(out_dir: Path, study: StoredStudy, kind: str = "compare",
                 summary: SummaryDoc | None = None) -> RunContent:
    """A study's parent run: its design as params; with the finished study's summary, also
    verdict and decision tags, the difference and time ratios, and the summary and report."""
    spec = study["spec"]
    design = study_design(spec) if "train" in spec else spec  # importance: base + design
    key = study_key(kind, study)
    tags = {KEY_TAG: key, KIND_TAG: kind, "gatebench.study_id": study["study_id"],
            "gatebench.study_dir": str(out_dir.resolve())}
    metrics: dict[str, float] = {}
    files: tuple[Path, ...] = ()
    if summary is not None:
        tags.update(_verdict_tags(summary))
        metrics = summary_metrics(summary)
        files = _files(out_dir, "summary.json", "report.html", "report.md")
    name = (f"{design['task']}: {design['arms']}" if kind == "compare"
            else f"{kind} {study['study_id']}")
    return RunContent(key, name, as_params(design), tags, metrics, artifacts=files)


def compare_parent(out_dir: Path, study: StoredStudy,
                   summary: SummaryDoc | None) -> RunContent:
    """A compare study's parent run (see study_parent)."""
    return study_parent(out_dir, study, "compare", summary)


def _files(out_dir: Path, *names: str) -> tuple[Path, ...]:
    return tuple(out_dir / n for n in names if (out_dir / n).is_file())


def _verdict_tags(summary: SummaryDoc) -> dict[str, str]:
    verdict = summary.get("verdict") or {}
    tags = {"verdict": str(verdict.get("label", "")), "outcome": str(verdict.get("outcome", "")),
            "verdict_text": str(verdict.get("text", ""))[:MAX_PARAM]}
    decision = summary.get("decision")
    if isinstance(decision, dict):
        tags["decision"] = str(next((decision[k] for k in ("pick", "label", "text")
                                     if decision.get(k)), json.dumps(decision)))[:MAX_PARAM]
    elif decision is not None:
        tags["decision"] = str(decision)[:MAX_PARAM]
    return tags


def summary_metrics(summary: SummaryDoc) -> dict[str, float]:
    """The difference with its interval, p-values, time ratios and each arm's test mean."""
    out: dict[str, float] = {}
    for name in ("difference", "time_ratio", "total_time_ratio"):
        part = summary.get(name) or {}
        low, high = [*(part.get("ci") or []), None, None][:2]
        out.update(numbers({name: part.get("mean", part.get("geomean")),
                            f"{name}.ci_low": low, f"{name}.ci_high": high}))
    verdict = summary.get("verdict") or {}
    out.update(numbers({k: verdict.get(k) for k in ("p_value", "p_equivalence")}))
    out.update(numbers({"n_pairs": summary.get("n_pairs")}))
    for arm, cell in (summary.get("cells") or {}).items():
        out.update(numbers({"test_mean": (cell.get("test") or {}).get("mean")}, arm))
    for row in (summary.get("latency") or {}).get("ratios") or []:
        if isinstance(row, dict) and row.get("runtime"):
            out.update(numbers({k: v for k, v in row.items() if k != "runtime"},
                               f"latency_ratio.{row['runtime']}"))
    return out


def _studies_with_trials(out_dir: Path, kinds: tuple[str, ...],
                         summary_of: Callable[[StoredStudy], SummaryDoc | None],
                         ) -> list[ParentContent]:
    """A parent per stored study of these kinds, with a child per stored trial."""
    with open_store(out_dir, create=False) as store:
        parents = []
        for study in (s for s in store.studies() if s["kind"] in kinds):
            parent = study_parent(out_dir, study, study["kind"], summary_of(study))
            records = trials_only(store.records(study_id=study["study_id"]))
            parents.append(ParentContent(parent, tuple(trial_run(r, parent.key)
                                                       for r in records)))
    return parents


def compare_folder(out_dir: Path) -> list[ParentContent]:
    """A compare study folder: one parent (the study) with a child per stored trial."""
    summary = read_json(out_dir / "summary.json")
    return _studies_with_trials(out_dir, ("compare",), lambda study: summary)


def suite_folder(out_dir: Path) -> list[ParentContent]:
    """A suite folder: a parent per claim (verdict, effect, evidence) and a parent per study
    the claims read, with its trials as children."""
    claims = read_json(out_dir / "claims.json") or {}
    parents = _studies_with_trials(out_dir, ("suite", "importance"), lambda study: None)
    with open_store(out_dir, create=False) as store:
        started = min((s["created_at"] for s in store.studies()), default="")
    files = _files(out_dir, "claims.json", "report.html", "report.md")
    return [*(ParentContent(claim_run(c, claims, started, files))
              for c in claims.get("claims") or []), *parents]


def claim_run(claim: dict[str, Any], suite: dict[str, Any], started: str,
              files: tuple[Path, ...] = ()) -> RunContent:
    """A claim's parent run: verdict and statement as tags, effect and evidence as metrics."""
    key = study_key("claim", {"study_id": claim["id"], "created_at": started})
    effect = claim.get("effect") or {}
    low, high = [*(effect.get("ci") or []), None, None][:2]
    metrics = numbers({"effect": effect.get("value"), "effect.ci_low": low,
                       "effect.ci_high": high})
    for row in claim.get("evidence") or []:
        label = str(row.get("label", "")).replace("=", "-")
        lo, hi = [*(row.get("ci") or []), None, None][:2]
        metrics.update(numbers({"value": row.get("value"), "ci_low": lo, "ci_high": hi},
                               f"evidence.{label}"))
    tags = {KEY_TAG: key, KIND_TAG: "claim", "claim": claim["id"],
            "verdict": str(claim.get("verdict", "")),
            "statement": str(claim.get("statement", ""))[:MAX_PARAM],
            "reason": str(claim.get("reason", ""))[:MAX_PARAM]}
    params = as_params({"claim": claim["id"], "profile": suite.get("profile"),
                        "effect": effect.get("what")})
    return RunContent(key, f"claim {claim['id']}", params, tags, metrics, artifacts=files)


def importance_folder(out_dir: Path) -> list[ParentContent]:
    """An importance folder: the design's parent (variance shares) with its trials."""
    result = read_json(out_dir / "importance.json") or {}
    parents = _studies_with_trials(out_dir, ("importance",), lambda study: None)
    for i, parent in enumerate(parents):
        run = parent.run
        shares = result.get("shares") or {}
        metrics = {**run.metrics}
        for factor, share in shares.items():
            low, high = [*(share.get("ci") or []), None, None][:2]
            metrics.update(numbers({"share": share.get("share"), "share.ci_low": low,
                                    "share.ci_high": high}, str(factor)))
        params = {**run.params, **as_params({"task": (result.get("task") or {}).get("name"),
                                             "factors": [f.get("name") for f in
                                                         result.get("factors") or []]})}
        parents[i] = ParentContent(RunContent(
            run.key, f"importance: {params.get('task', '')}", params, run.tags, metrics,
            artifacts=_files(out_dir, "importance.json", "report.html", "report.md")),
            parent.children)
    return parents


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON file of the folder, or None when absent; unreadable is a DataError."""
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}; rerun the command that wrote it") from None


FolderReader = Callable[[Path], list[ParentContent]]
FOLDER_KINDS: dict[str, tuple[str, FolderReader]] = {
    # marker file -> (kind, reader); the first marker present decides
    "summary.json": ("compare", compare_folder),
    "claims.json": ("suite", suite_folder),
    "importance.json": ("importance", importance_folder),
}


def folder_runs(out_dir: str | Path) -> tuple[str, list[ParentContent]]:
    """The kind of study folder and what it logs; a folder gatebench did not write is an error."""
    out_dir = Path(out_dir)
    if not (out_dir / "results.sqlite").is_file():
        raise DataError(f"{out_dir} is not a gatebench study folder (no results.sqlite); give "
                        "the folder a compare, suite or importance run wrote (--out)")
    for marker, (kind, reader) in FOLDER_KINDS.items():
        if (out_dir / marker).is_file():
            return kind, reader(out_dir)
    markers = ", ".join(FOLDER_KINDS)
    raise DataError(f"{out_dir} holds no finished study (none of {markers}); let the run "
                    "finish (rerun its command to resume), then log it")
