"""GRU/LSTM time ratios from interleaved rounds, pooled into groups with a verdict each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from gatebench.analysis.combine import ratio_threshold_test
from gatebench.analysis.rules import ratio_rule
from gatebench.claims.base import (
    BETTER,
    ClaimResult,
    EvidenceRow,
    Exclusions,
    counts_as,
    decide_tasks,
    effect,
    fmt_ratio,
    ratio_verdict,
    row,
    split_by,
)
from gatebench.claims.catalogue import FOLKLORE_CELLS, GRU, LSTM, Claim
from gatebench.protocol.record import Measurement

Key = tuple[Any, ...]
UNIT = "ratio"


class RatioSummary(TypedDict):
    """A group's geometric-mean ratio and its interval [lo, hi]."""

    geomean: float | None
    ci: list[float | None]


@dataclass
class RatioGroup:
    """Per-round GRU/LSTM ratios of one group, with their geometric mean, CI and verdict."""

    ratios: list[float] = field(default_factory=list)
    configs: list[Key] = field(default_factory=list)

    @property
    def summary(self) -> RatioSummary:
        """{"geomean", "ci"} of the ratios (the statistics core's `ratio_rule`)."""
        d = ratio_rule(self.ratios)
        return {"geomean": d.estimate, "ci": list(d.ci)}

    def verdict(self, support: float, refute: float) -> str:
        """supported / refuted / inconclusive from the CI against the two thresholds."""
        return ratio_verdict(self.summary["ci"], support, refute)


def round_pairs(
    records: Iterable[Measurement], config_fields: Sequence[str]
) -> tuple[dict[Key, list[dict[str, Measurement]]], int]:
    """Per configuration (the values of `config_fields`), one {gru, lstm} pair per round.

    Measurements that failed (status other than "ok") are left out; a round missing a cell is
    counted as incomplete and skipped.
    """
    rounds: dict[Key, dict[Any, dict[str, Measurement]]] = {}
    for r in records:
        if r.get("status", "ok") != "ok" or r.get("cell") not in FOLKLORE_CELLS:
            continue
        key = tuple(r.get(f) for f in config_fields)
        rounds.setdefault(key, {}).setdefault(r.get("round"), {}).setdefault(r["cell"], r)
    pairs: dict[Key, list[dict[str, Measurement]]] = {}
    incomplete = 0
    for key, by_round in rounds.items():
        for cells in by_round.values():
            if len(cells) < 2:
                incomplete += 1
            else:
                pairs.setdefault(key, []).append(cells)
    return dict(sorted(pairs.items(), key=lambda kv: tuple(map(str, kv[0])))), incomplete


def ratios_of(pairs: list[dict[str, Measurement]], value: str) -> list[float]:
    """gru[value] / lstm[value] per pair (pairs with a missing or non-positive value skipped)."""
    out = []
    for p in pairs:
        g, lstm = p[GRU].get(value), p[LSTM].get(value)
        if isinstance(g, (int, float)) and isinstance(lstm, (int, float)) and g > 0 and lstm > 0:
            out.append(g / lstm)
    return out


def pool(configs: dict[Key, list[float]], group_of: Callable[[Key], Key]) -> dict[Key, RatioGroup]:
    """Pool configurations' per-round ratios into groups (their disagreement widens the CI)."""
    groups: dict[Key, RatioGroup] = {}
    for key, ratios in configs.items():
        if not ratios:
            continue
        g = groups.setdefault(group_of(key), RatioGroup())
        g.ratios.extend(ratios)
        g.configs.append(key)
    return groups


def decide_groups(
    claim: Claim,
    groups: dict[Key, RatioGroup],
    *,
    what: str,
    key_fields: Sequence[str],
    dimensions: Sequence[str],
    headline: Key,
    support: float,
    refute: float,
    rows: list[EvidenceRow],
    excluded: Exclusions,
) -> ClaimResult:
    """Each group tested against the thresholds and combined by the one rule (analysis.combine,
    "GRU better", Holm across groups); mixed names the dimensions it depends on.

    `groups` is keyed by the values of `key_fields`, each described by `dimensions`; the
    headline effect is the first group whose key ends with `headline`, else the first group.
    """
    combined = decide_tasks({group_label(k): ratio_threshold_test(g.ratios, support, refute)
                             for k, g in groups.items()}, BETTER, noun="group")
    readings = counts_as(combined)
    verdicts = {key: readings[group_label(key)] for key in groups}
    for key, g in groups.items():
        label = group_label(key)
        rows.append(row(label, what, g.summary["geomean"], g.summary["ci"], len(g.ratios),
                        **dict(zip(key_fields, key, strict=True)), level="group", unit=UNIT,
                        group=label, verdict=verdicts[key],
                        detail=f"{len(g.configs)} configurations, rounds pooled"))
    top = next((k for k in groups if k[-len(headline):] == headline), next(iter(groups)))
    h = groups[top].summary
    depends_on = split_by(verdicts, dimensions)
    verdict = combined.verdict
    reason = (f"{combined.tally()}; {what} is {fmt_ratio(h['geomean'], h['ci'])} for "
              f"{group_label(top)} (n={len(groups[top].ratios)} rounds); per group: "
              + "; ".join(f"{group_label(k)} {v}" for k, v in verdicts.items())
              + f" (for: significantly below {support:g}, against: significantly above "
              f"{refute:g}, Holm across groups)")
    if depends_on:
        reason += f"; it depends on {depends_on}"
    change = {
        "supported": f"a group significantly above {refute:g} would make it mixed",
        "refuted": f"a group significantly below {support:g} would make it mixed",
        "mixed": f"it stays mixed while groups disagree (it depends on {depends_on})",
        "inconclusive": f"more rounds, until a group is significantly below {support:g} "
                        f"or above {refute:g}",
    }[verdict]
    return ClaimResult(claim.id, claim.statement, verdict, reason + ".",
                       effect(f"{what}, {group_label(top)}", h["geomean"], h["ci"], UNIT),
                       depends_on=depends_on if verdict == "mixed" else None, evidence=rows,
                       excluded=excluded, would_change=change, combined=combined)


def group_label(key: Key) -> str:
    """A group key as text: "cpu native/params" for ("cpu", "native", "params")."""
    head, *rest = map(str, key)
    return f"{head} {'/'.join(rest)}" if rest else head
