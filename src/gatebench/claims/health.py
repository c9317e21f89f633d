"""Training health in the claims: the same checks as `gatebench compare` (analysis.health).

A task whose trials did not finish training (a third of an arm's trials still improving when
they stopped, checkpoints mis-ranked on a coarse validation split, trials that diverged or did
not train) measures a training budget, not the cells. Such a task is *uninformative* for the
claim that reads it, and the claim's row says which check fired. A claim that scores failures
itself (short counts failed seeds in its score; long reads failure as a probe's result) names
the checks it leaves to its own score in `scored`.

Where the checks act: short, convergence and long (per task or probe length). Not where a
check's finding is the measurement: small-data trains its small fractions to a fixed step
budget on purpose (a model still improving there simply has not overfit) and reports one-cell
failures as a failure-rate difference; iteration's sweep includes learning rates meant to be
bad; cell-vs-rest scores a failed trial as the design's worst value. Every suite still lists
each study's failed checks in claims.json (`study_health`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gatebench.analysis.documents import HealthFinding
from gatebench.analysis.health import blocking, health_checks
from gatebench.claims.catalogue import FOLKLORE_CELLS
from gatebench.protocol.record import Measurement, TrialRecord, read_record, trials_only
from gatebench.protocol.specs import DEFAULT_MARGIN

FAILURES = ("diverged", "failed-to-train")  # what a claim that scores failures leaves out


def task_health(records: Iterable[TrialRecord], *, scored: Sequence[str] = (),
                margin: float = DEFAULT_MARGIN, fraction: float | None = 1.0
                ) -> list[HealthFinding]:
    """The blocking health checks of one task's trials (at `fraction`), less `scored`."""
    checks = health_checks(list(records), arms=FOLKLORE_CELLS, margin=margin, fraction=fraction)
    return [c for c in blocking(checks) if c["check"] not in scored]


def health_reason(blockers: Sequence[HealthFinding]) -> str | None:
    """"health check still-improving failed: …" for the first blocker (None when healthy)."""
    if not blockers:
        return None
    names = ", ".join(c["check"] for c in blockers)
    return f"health check {names} failed: {blockers[0]['message']}"


def study_health(records: Iterable[TrialRecord | Measurement], margin: float = DEFAULT_MARGIN
                 ) -> dict[str, list[str]]:
    """Per study id, its blocking checks' one-line messages (healthy studies left out): what
    the suite stores beside the verdicts."""
    by_study: dict[str, list[TrialRecord]] = {}
    for r in trials_only(map(read_record, records)):
        if r.study_id:
            by_study.setdefault(r.study_id, []).append(r)
    out = {}
    for sid, recs in sorted(by_study.items()):
        fractions = {float(r.data_fraction) for r in recs}
        found = task_health(recs, margin=margin, fraction=fractions.pop() if len(fractions) == 1
                            else 1.0)
        if found:
            out[sid] = [f"{c['check']}: {c['message']}" for c in found]
    return out
