"""Deployment numbers for a finished study: export its best checkpoint, time its trained models."""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict

import torch

from gatebench.analysis.documents import Int8Cost, LatencyOptions, LatencyResult, StudyLatency
from gatebench.cells import SequenceModel, get_cell
from gatebench.deploy.export import DEFAULT_ATOL, FORMATS, export_model
from gatebench.deploy.latency import LatencyPlan, measure_latency
from gatebench.deploy.quantize import quantize_eager
from gatebench.deploy.runtimes import get_runtime
from gatebench.errors import SpecError, UnknownNameError
from gatebench.fileio import write_atomic
from gatebench.protocol import TaskSpec
from gatebench.protocol.record import TrialRecord, trials_only
from gatebench.run.trial import cached_task, load_checkpoint
from gatebench.store import open_store
from gatebench.store.base import StoredRecord
from gatebench.tasks.base import TaskData
from gatebench.train import Batcher, evaluate, make_objective

SUFFIXES = {"onnx": ".onnx", "torchscript": ".pt"}


def best_record(out_dir: str | Path, records: Sequence[StoredRecord], cell: str,
                seed: int | None = None, *, arm: str | None = None) -> TrialRecord:
    """The record of `cell` (of its arm labelled `arm`, when given) whose checkpoint scored best
    on validation (or seed `seed`), among the trials on the most training data."""
    get_cell(cell)  # an unknown cell fails here, naming the known ones
    saved = [r for r in trials_only(records) if r.best_epoch and r.checkpoint
             and (Path(out_dir) / r.checkpoint).is_file()]
    mine = [r for r in saved if r.cell == cell and (arm is None or r.arm == arm)]
    what = cell if arm is None else f"arm {arm}"
    if not mine:
        have = sorted({r.cell if arm is None else r.arm for r in saved})
        raise SpecError(f"the study in {out_dir} has no trained {what!r} model with a checkpoint"
                        f"; it has: {', '.join(have) or 'none'}")
    most = max(r.data_fraction for r in mine)
    mine = [r for r in mine if r.data_fraction == most]
    if seed is not None:
        match = [r for r in mine if r.seed == seed]
        if not match:
            seeds = ", ".join(str(s) for s in sorted({r.seed for r in mine}))
            raise SpecError(f"no {what} checkpoint for seed {seed}; seeds with one: {seeds}")
        return match[0]
    return max(mine, key=lambda r: (_val_score(r), -r.seed))


class ExportManifest(TypedDict):
    """The JSON manifest written beside an exported model: what it is, its files and inputs,
    how far it is from PyTorch and the trial's scores."""

    format: str
    cell: str
    arm: str  # the arm label the checkpoint belongs to
    seed: int
    spec_id: str
    checkpoint: str | None
    files: list[str]
    inputs: dict[str, str]  # "full" | "step" -> the input it takes
    hidden_size: int
    max_abs_diff: dict[str, float]  # graph ("full", "step") -> vs PyTorch
    atol: float
    validation: dict[str, float]  # metric -> the best epoch's validation score
    test: dict[str, float]


class ExportResult(ExportManifest):
    """`export_study`'s answer: the manifest and where it was written."""

    manifest: str


def export_target(records: Sequence[StoredRecord], cell: str | None,
                  arm: str | None) -> tuple[str, str | None]:
    """The (cell, arm label) that `--cell` or `--arm` (give one) names among a study's trials;
    the label is None for a cell the study never ran. `--cell` must name a cell with one arm: a
    study's arms are keyed by label (its summary's "cells"), and two may share a cell."""
    if (cell is None) == (arm is None):
        raise SpecError("give one of --cell CELL or --arm LABEL (an arm's label as the study's "
                        "summary shows it)")
    arms = {r.arm: r.cell for r in trials_only(records)}
    if arm is not None:
        label = _match_label(arm, sorted(arms))
        return arms[label], label
    mine = sorted(label for label, of in arms.items() if of == cell)
    if len(mine) > 1:
        raise SpecError(f"the study has {len(mine)} {cell} arms ({', '.join(mine)}): "
                        f"choose one with --arm LABEL")
    return cell, mine[0] if mine else None


def _match_label(name: str, labels: list[str]) -> str:
    # Exact, else the one label equal to it ignoring case (the terminal shows them upper-case).
    if name in labels:
        return name
    same = [label for label in labels if label.lower() == name.lower()]
    if len(same) != 1:
        raise UnknownNameError("arm", name, labels)
    return same[0]


def export_study(out_dir: str | Path, cell: str | None, fmt: str, *, arm: str | None = None,
                 out: str | Path | None = None, seed: int | None = None,
                 atol: float = DEFAULT_ATOL) -> ExportResult:
    """Write a study's best checkpoint of `cell` or of the arm labelled `arm` (give one) as
    ONNX or TorchScript (full-sequence and one-step files plus a JSON manifest), after checking
    the export against PyTorch."""
    if fmt not in FORMATS:
        raise SpecError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not atol >= 0:
        raise SpecError(f"--atol must be a non-negative number, got {atol}")
    out_dir = Path(out_dir)
    with open_store(out_dir, create=False) as store:
        records = store.records()
    cell, label = export_target(records, cell, arm)
    record = best_record(out_dir, records, cell, seed, arm=label)
    model = load_checkpoint(out_dir / str(record.checkpoint))
    export = export_model(model, fmt, atol=atol)
    name = cell if arm is None else record.arm  # --cell keeps the file names it always had
    path = Path(out) if out is not None else (
        out_dir / "export" / f"{name}-seed{record.seed}{SUFFIXES[fmt]}")
    files = export.save(path)
    manifest: ExportManifest = {
        "format": fmt, "cell": cell, "arm": record.arm, "seed": record.seed,
        "spec_id": record.spec_id, "checkpoint": record.checkpoint,
        "files": [str(f) for f in files],
        "inputs": {
            "full": "x: (batch, time) token ids or (batch, time, features) floats, "
                    "every sequence full length",
            "step": f"x_t: (batch,) ids or (batch, features); then {model.encoder.cell.state_parts}"
                    " state tensor(s), each (layers, batch, hidden); zeros start a stream",
        },
        "hidden_size": model.hidden_size, "max_abs_diff": export.max_abs_diff, "atol": atol,
        "validation": {record.metric: _val_metric(record)},
        "test": record.test,
    }
    manifest_path = path.with_suffix(".json")
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return {**manifest, "manifest": str(manifest_path)}


def measure_study_latency(
    out_dir: str | Path,
    records: Sequence[StoredRecord],
    *,
    runtimes: Sequence[str] = ("eager", "torchscript", "onnx"),
    seq_len: int | None = None,
    repeats: int = 100,
    threads: int | None = None,
    quantize: bool = True,
) -> LatencyResult:
    """Batch-1 full-sequence and streaming-step latency of each arm's best checkpoint per
    runtime, at the study's median test length, with a ratio for every pair of arms (rows and
    ratios are named by arm label: the cell's name in a default study, and two arms of one
    cell are timed apart); with `quantize`, the test-metric change that dynamic int8 costs.
    Runtimes whose packages are missing, and arms without a checkpoint, are listed under
    "skipped"; SpecError if no arm has one."""
    out_dir = Path(out_dir)
    chosen, skipped = {}, {}
    arms = {r.arm: r.cell for r in trials_only(records)}
    # arms in a fixed order (by label), not in the order parallel trials happened to finish
    for label in sorted(arms):
        try:
            chosen[label] = best_record(out_dir, records, arms[label], arm=label)
        except SpecError as exc:  # e.g. every trial of the arm diverged before its first epoch
            skipped[label] = str(exc)
    if not chosen:
        raise SpecError(f"no trained checkpoint in {out_dir} to time: "
                        + "; ".join(skipped.values()))
    models: dict[str, SequenceModel] = {
        label: load_checkpoint(out_dir / str(r.checkpoint)) for label, r in chosen.items()
    }
    usable = [rt for rt in runtimes if all(importlib.util.find_spec(m) for m in
                                           get_runtime(rt).needs)]
    skipped.update({rt: f"needs {', '.join(get_runtime(rt).needs)}: pip install "
                    "'gatebench[deploy]'" for rt in runtimes if rt not in usable})
    first = next(iter(chosen.values()))
    data = cached_task(TaskSpec.from_dict(first.spec["task"]), out_dir)
    source = "given" if seq_len is not None else "median test-split length"
    if seq_len is None:
        seq_len = int(data.test.lengths.float().median().round())
    plan = LatencyPlan(seq_lens=(seq_len,), batch_sizes=(1,), runtimes=tuple(usable),
                       repeats=repeats, rounds=5, warmup=2,
                       threads=first.threads if threads is None else threads)
    result = measure_latency(models, plan, every_pair=True)
    result["seq_len_source"] = source
    result["checkpoints"] = {
        label: {"spec_id": r.spec_id, "seed": r.seed, "checkpoint": r.checkpoint}
        for label, r in chosen.items()
    }
    result["skipped"] = skipped
    if quantize:
        result["quantization"] = {label: _int8_cost(m, data) for label, m in models.items()}
    return result


def _int8_cost(model: SequenceModel, data: TaskData) -> Int8Cost:
    info = data.info
    objective = make_objective(info.objective, info.output_size, info.target_scale)
    test = Batcher(data.test, 256, torch.device("cpu"),
                   per_step_targets=info.objective == "tagging")
    with torch.inference_mode():
        fp32 = evaluate(model, test, objective)[info.metric]
        int8 = evaluate(quantize_eager(model), test, objective)[info.metric]
    return {"runtime": "eager-int8", "metric": info.metric, "fp32": fp32, "int8": int8,
            "change": int8 - fp32}


def _val_metric(record: TrialRecord) -> float:
    return float(record.history[record.best_epoch - 1]["val_metric"])


def _val_score(record: TrialRecord) -> float:
    # Larger is better after this sign flip, whatever the metric's direction; NaN is worst.
    value = _val_metric(record)
    if math.isnan(value):
        return -math.inf
    return value if record.higher_is_better else -value


LATENCY_FILE = "latency.json"


def study_latency(out_dir: str | Path, records: Sequence[StoredRecord], *, fresh: bool = False,
                  **options: Any) -> StudyLatency:
    """`measure_study_latency` for a compare summary, kept in <study>/latency.json (raw samples
    included) and reused while it was measured on the same checkpoints (never with `fresh`: a
    retrained study's checkpoints share their trials' ids); returns the summary's compact form:
    percentile rows, GRU/LSTM ratios, int8 costs, what was skipped."""
    out_dir = Path(out_dir)
    path = out_dir / LATENCY_FILE
    ids = sorted({r["spec_id"] for r in records})  # a changed set of trials re-measures
    result = None if fresh else _read_json(path)
    if not (result and result.get("records") == ids
            and result.get("options") == _jsonable(options)):
        result = measure_study_latency(out_dir, records, **options)
        result["records"], result["options"] = ids, _jsonable(options)
        write_atomic(path, json.dumps(result, indent=2, allow_nan=False))
    plan = result["plan"]
    return {
        "rows": [{k: v for k, v in row.items() if k != "samples_ms"} for row in result["results"]],
        "ratios": result["ratios"],
        "device": "cpu", "threads": plan["threads"], "seq_len": plan["seq_lens"][0],
        "seq_len_source": result["seq_len_source"],
        "checkpoints": result["checkpoints"],
        "quantization": result.get("quantization", {}),
        "skipped": result["skipped"],
        "note": f"Best checkpoint of each cell at batch 1, T={plan['seq_lens'][0]} "
                f"({result['seq_len_source']}); raw samples in {LATENCY_FILE}.",
    }


def _read_json(path: Path) -> LatencyResult | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _jsonable(options: LatencyOptions) -> LatencyOptions:
    return json.loads(json.dumps(options, default=list))
