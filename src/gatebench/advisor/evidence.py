"""Evidence sources: a suite's claims.json, a compare study's summary.json, the shipped file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

from gatebench.analysis.documents import SummaryDoc
from gatebench.claims.base import ClaimJSON
from gatebench.claims.catalogue import Claim
from gatebench.claims.registry import CLAIMS as REGISTERED
from gatebench.errors import DataError

CLAIMS_FILE = "claims.json"
SUMMARY_FILE = "summary.json"
SHIPPED, USER = "shipped", "user"
CLAIMS, STUDY = "claims", "study"


class TaskFacts(TypedDict, total=False):
    """What a claims file records about one task (the suite's provenance, under "tasks")."""

    n_train: int
    seq_len: dict[str, float]  # min, median, p95, max


@dataclass
class EvidenceSource:
    """One evidence file: a claims table (kind "claims") or a compare study (kind "study").

    `origin` is "user" (passed with --evidence; takes precedence) or "shipped" (the package's
    own claims file). `meta` keeps whatever else the file records (profile, cost, machine).
    """

    kind: str
    path: Path
    origin: str = USER
    claims: list[ClaimJSON] = field(default_factory=list)
    summary: SummaryDoc = field(default_factory=SummaryDoc)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a reason names this source: "shipped evidence" or the folder's path."""
        return "shipped evidence" if self.origin == SHIPPED else str(self.path.parent)

    def task_facts(self, name: str | None) -> TaskFacts:
        """Optional per-task facts (n_train, seq_len) a claims file may record under "tasks"."""
        tasks = self.meta.get("tasks")
        return (tasks.get(name) or {}) if isinstance(tasks, dict) and name else {}


def catalogued(claim_id: str) -> Claim | None:
    """The catalogued claim an evidence file's id names (None: one this version does not know,
    which the advisor leaves uncited)."""
    entry = REGISTERED.get(claim_id)
    return entry.claim if entry else None


def shipped_path() -> Path:
    """Where the package's own claims file lives (it may be missing in a fresh checkout)."""
    return Path(str(resources.files("gatebench.advisor").joinpath("evidence", CLAIMS_FILE)))


def read_source(path: str | os.PathLike, origin: str = USER) -> EvidenceSource:
    """A suite folder (claims.json), a compare folder (summary.json), or either file itself."""
    p = Path(path).expanduser()
    if p.is_dir():
        for name in (CLAIMS_FILE, SUMMARY_FILE):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise DataError(f"evidence folder {p} has neither {CLAIMS_FILE} (from gatebench "
                            f"suite) nor {SUMMARY_FILE} (from gatebench compare)")
    elif not p.is_file():
        raise DataError(f"evidence {p} not found; pass a suite or compare folder")
    data = _read_json(p)
    if isinstance(data, dict) and isinstance(data.get("claims"), list):
        meta = {k: v for k, v in data.items() if k != "claims"}
        return EvidenceSource(CLAIMS, p, origin, claims=_claims(data["claims"], p), meta=meta)
    if isinstance(data, dict) and isinstance(data.get("verdict"), dict) and "task" in data:
        return EvidenceSource(STUDY, p, origin, summary=data, meta=data.get("study") or {})
    raise DataError(f"{p} is neither a claims file (from gatebench suite) nor a study summary "
                    f"(from gatebench compare)")


def load_evidence(dirs: Iterable[str | os.PathLike] = (),
                  include_shipped: bool = True) -> list[EvidenceSource]:
    """User sources first (they take precedence), then the shipped claims file.

    With no user sources, a missing shipped file is an error naming the fix; with some, it is
    simply left out.
    """
    sources = [read_source(d) for d in dirs]
    if include_shipped:
        shipped = shipped_path()
        if shipped.is_file():
            sources.append(read_source(shipped, SHIPPED))
        elif not sources:
            raise DataError("no shipped evidence in this installation (advisor/evidence/"
                            "claims.json is missing); pass --evidence DIR with a gatebench "
                            "suite or compare folder")
    if not sources:
        raise DataError("no evidence to advise from; pass --evidence DIR with a gatebench "
                        "suite or compare folder")
    return sources


def _read_json(p: Path) -> Any:
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read evidence {p}: {exc}") from None


def _claims(items: list[Any], p: Path) -> list[ClaimJSON]:
    for item in items:
        if not (isinstance(item, dict) and {"id", "verdict"} <= item.keys()):
            raise DataError(f"{p}: every claim needs at least an id and a verdict")
    return items
