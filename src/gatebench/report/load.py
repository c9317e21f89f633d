"""Read a study folder: the store's records, summary.json (or a recomputed one), optional inputs."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatebench.analysis import arms_in, pair_records, summarize
from gatebench.analysis.documents import StudyLatency, SummaryDoc
from gatebench.errors import GatebenchError, SpecError
from gatebench.protocol import StudySpec
from gatebench.protocol.record import Measurement, TrialRecord, trials_only
from gatebench.report.claim_sections import ClaimDoc
from gatebench.store import STORE_FILENAME, StoredStudy, open_store

SUMMARY_FILE = "summary.json"
CLAIMS_FILE = "claims.json"
OPTIONAL_FILES = {"latency": "latency.json", "long_range": "long_range.json"}


@dataclass
class StudyData:
    """Everything a report shows, read from one study folder."""

    out_dir: Path
    summary: SummaryDoc | None
    records: list[TrialRecord | Measurement] = field(default_factory=list)
    claims: list[ClaimDoc] = field(default_factory=list)
    latency: StudyLatency | None = None
    long_range: dict[str, Any] | None = None  # long_range.json as found: extras checks each row
    recomputed: bool = False  # True when summary.json was missing and rebuilt from the store

    @property
    def cells(self) -> list[str]:
        """The compared arms' labels (each arm's cell's name unless labelled), in order."""
        return list((self.summary or {}).get("cells") or ())

    def headline_records(self) -> list[TrialRecord]:
        """The paired records behind the summary (its data fraction, complete pairs only)."""
        if not self.summary or len(self.cells) != 2:
            return []
        fraction = float(self.summary.get("data_fraction", 1.0))
        at = [r for r in trials_only(self.records)
              if math.isclose(float(r.data_fraction), fraction)]
        pairs = pair_records(at, self.cells)
        return [p[c] for p in pairs for c in self.cells]


def _read_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GatebenchError(
            f"cannot read {path} ({exc}); delete it to rebuild it from results.sqlite"
        ) from None


def _study_spec(summary: SummaryDoc | None, studies: list[StoredStudy]) -> dict | None:
    spec = ((summary or {}).get("study") or {}).get("spec")
    if spec:
        return spec
    compares = [s for s in studies if s.get("kind") == "compare"]
    return compares[-1]["spec"] if compares else None


def _seeds_in_verdict(summary: SummaryDoc | None) -> int | None:
    """Seeds up to the deciding look of a study run in rounds (pairs run past it are left out,
    as the verdict leaves them out); None when every stored seed counts."""
    return ((summary or {}).get("seeding") or {}).get("seeds_in_verdict")


def _spec_ids(spec: dict[str, Any], seeds: int | None = None) -> list[str] | None:
    # The study's own trials: a folder reused with other options keeps the old trials too.
    try:
        study = StudySpec.from_dict(spec)
        return [t.spec_id for t in study.trials(seeds or study.most_seeds)]
    except (KeyError, TypeError, ValueError, SpecError):
        return None


def _load_records(out_dir: Path, summary: SummaryDoc | None
                  ) -> tuple[list[TrialRecord | Measurement], dict | None]:
    if not (out_dir / STORE_FILENAME).is_file():
        return [], _study_spec(summary, [])
    with open_store(out_dir, create=False) as store:
        spec = _study_spec(summary, store.studies())
        ids = _spec_ids(spec, _seeds_in_verdict(summary)) if spec else None
        records = store.records(spec_ids=ids) if ids else []
        if not records:  # ids from an older spec format, or no study row: take what is there
            records = store.records()
    return records, spec


def _default_arms(records: list[TrialRecord], spec: dict | None) -> tuple[str, ...]:
    labels = [a.get("label") for a in (spec or {}).get("arms") or ()]
    if len(labels) == 2:
        return tuple(labels)
    cells = (spec or {}).get("cells") or ()
    if len(cells) == 2 and len(set(cells)) == 2:  # a spec from before arms existed
        return tuple(cells)
    return tuple(arms_in(records)[:2])


def _recompute(records: list[TrialRecord], spec: dict | None, out_dir: Path) -> SummaryDoc:
    fractions = sorted({float(r.data_fraction) for r in records})
    margin = (spec or {}).get("margin")  # None: the skill margin (analysis.margins)
    adaptive = bool((spec or {}).get("adaptive"))
    summary = summarize(records, margin=margin, arms=_default_arms(records, spec),
                        fraction=fractions[-1],
                        max_pairs=int(spec["max_seeds"]) if adaptive else None)
    summary["study"] = {"out_dir": str(out_dir), "spec": spec, "kind": "compare"}
    return summary


def _claims(out_dir: Path, summary: dict | None) -> list[ClaimDoc]:
    raw = _read_json(out_dir / CLAIMS_FILE)
    if raw is None:
        raw = (summary or {}).get("claims")
    if isinstance(raw, dict):
        raw = raw.get("claims")
    return [c for c in raw or () if isinstance(c, dict)]


def load_study(out_dir: str | Path) -> StudyData:
    """Read a study folder; GatebenchError when it is missing or holds no results."""
    out = Path(out_dir).expanduser()
    if not out.is_dir():
        raise GatebenchError(
            f"no study folder at {out}; pass the --out folder of a gatebench compare or suite run"
        )
    summary = _read_json(out / SUMMARY_FILE)
    if summary is not None and not isinstance(summary, dict):
        raise GatebenchError(f"{out / SUMMARY_FILE} is not a gatebench summary; delete it "
                             "to rebuild it from results.sqlite")
    records, spec = _load_records(out, summary)
    claims = _claims(out, summary)
    recomputed = False
    # Only trials make a study summary: a suite's timing and latency records do not pair up.
    trials = trials_only(records)
    if summary is None and trials:
        try:
            summary, recomputed = _recompute(trials, spec, out), True
        except GatebenchError:
            if not claims:  # a claims folder may hold several studies that do not pair up
                raise
    if summary is None and not claims:
        raise GatebenchError(
            f"{out} holds no results (no {STORE_FILENAME}, {SUMMARY_FILE} or {CLAIMS_FILE}); "
            f"run gatebench compare --out {out} first"
        )
    extra = {}
    for key, name in OPTIONAL_FILES.items():
        value = (summary or {}).get(key)
        extra[key] = value if value is not None else _read_json(out / name)
    return StudyData(out, summary, records, claims, recomputed=recomputed,
                     latency=extra["latency"], long_range=extra["long_range"])
