"""What moves the test metric in a designed experiment: effects and net shares (numpy only).

The designs `gatebench importance` runs are balanced: every cell crossed with a regular
two-level fraction (resolution IV or better) of the other factors, each design point run on
the same replicate seeds. On such a design:

- a factor's *effect* is in the metric's own units: the mean at its high level minus the mean at
  its low level (for the cell, the second cell's mean minus the first's; with more than two
  cells, the range of the cell means). Its 95% interval is the pure-error t interval: the
  variance comes from the seeds within design points (MSE = pure-error SS / its df), the only
  noise estimate a fixed design has;
- a part's *net share* is (SS − df·MSE) / total SS, floored at 0: a sum of squares carries df·MSE
  of noise even when the factor does nothing, so a raw share of a null factor is about df / N,
  not 0. Seed noise is the pure-error SS itself; "interactions" the lack of fit beyond the main
  effects;
- the cell is also credited with its two-factor interactions (cell × each factor): "the cell
  matters" includes the cell changing what the learning rate does;
- a trial with no finite metric (diverged, failed) is scored as the worst value of the design,
  never dropped: dropping it would flatter the setting that diverges;
- share intervals resample seeds within each design point (the design points are fixed, not
  sampled; each point's deviations inflated by sqrt(r / (r − 1)) so that two seeds do not halve
  the noise), percentile method; with one seed per point there is no noise estimate and no
  interval.

The output states the levels each factor ran at: shares hold for those ranges only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
from scipy import stats as sps

from gatebench.numbers import finite, is_finite
from gatebench.protocol.design import DesignDoc
from gatebench.protocol.specs import TaskSpecDoc, TrialSpecDoc

INTERACTIONS = "interactions"
SEED = "seed"
METHOD = (
    "effects in the metric's units with pure-error t intervals (seeds within design points); "
    "shares net of noise, (SS \u2212 df\u00b7MSE) / total SS; the cell also with its "
    "two-factor interactions; trials with no metric scored as the design's worst value; share "
    "intervals from resampling seeds within design points (deviations inflated by "
    "\u221a(r/(r\u22121)), percentile); the shares hold for the factor levels listed"
)
RESAMPLES = 200
LEVEL = 0.95


class DesignRow(TypedDict, total=False):
    """One trial of a factorial design as `decompose` reads it: its point, levels, response."""

    point: int
    levels: dict[str, str]  # factor -> level label
    seed: int
    metric: float | None
    log10_train_s: float | None


class Effect(TypedDict):
    """A factor's effect: high − low mean (or the range of level means) with its interval."""

    value: float
    ci: list[float | None]
    what: str


class ImportancePart(TypedDict):
    """One term of a decomposition (a factor, INTERACTIONS or SEED) and its share."""

    name: str
    sum_sq: float
    df: int
    share: float
    gross_share: float
    ci: list[float | None]
    effect: Effect | None
    level_means: dict[str, float]


class Contrast(TypedDict):
    """The contrast factor's lead over the largest other part, with its interval and
    bootstrap p-values of the lead being above and below 0 (None: no resamples)."""

    factor: str
    lead_of_largest_other: float
    ci: list[float | None]
    p_above: float | None
    p_below: float | None


class Credited(TypedDict):
    """The contrast factor's net share with its interactions credited to it."""

    name: str
    share: float
    ci: list[float | None]
    interactions_share: float


class DecomposeOptions(TypedDict, total=False):
    """`decompose`'s optional keywords as a caller collects them."""

    resamples: int
    contrast: str


class Decomposition(TypedDict, total=False):
    """`decompose`'s result: the response's parts with shares, effects and intervals."""

    response: str
    n_dropped: int
    n_worst: int
    method: str
    ranges: dict[str, list[str]]  # factor -> the levels the shares hold for
    contrast: Contrast  # with a contrast factor
    credited: Credited  # with a contrast factor
    n: int
    n_points: int
    total_ss: float
    noise: dict[str, float | None]
    parts: list[ImportancePart]


class ImportanceTask(TypedDict):
    """The task an importance study ran on, and its spec."""

    name: str
    family: str
    metric: str
    higher_is_better: bool
    spec: TaskSpecDoc


class FactorDoc(TypedDict):
    """One factor of the design: its name, what it changes and its level labels."""

    name: str
    what: str
    levels: list[str]


class ImportanceCost(TypedDict, total=False):
    """What the study cost: trial seconds, and (once run) wall time, resumes, executor."""

    trial_s: float
    concurrent: bool
    run_wall_s: float
    resumed: int
    executor: str


class Share(TypedDict):
    """A part's net share of the test metric's variance with its interval."""

    share: float
    ci: list[float | None]


class ImportanceResult(TypedDict, total=False):
    """importance.json (run.importance.importance_result): the study and both decompositions."""

    task: ImportanceTask
    study_id: str
    design: DesignDoc
    factors: list[FactorDoc]
    base: TrialSpecDoc
    method: str
    metric: Decomposition
    time: Decomposition
    trials: int
    diverged: int
    cost: ImportanceCost
    shares: dict[str, Share]  # part name -> its share
    ranges: dict[str, list[str]]
    training_floor: list[str]


def score_missing(rows: Sequence[DesignRow], response: str,
                  higher_is_better: bool | None) -> tuple[list[DesignRow], int]:
    """Rows with a missing or non-finite response scored as the design's worst value (None:
    left out); and how many were scored so."""
    values = [float(r[response]) for r in rows if is_finite(r.get(response))]
    if higher_is_better is None or not values:
        return [r for r in rows if is_finite(r.get(response))], 0
    worst = min(values) if higher_is_better else max(values)
    out = [r if is_finite(r.get(response)) else {**r, response: worst} for r in rows]
    return out, sum(not is_finite(r.get(response)) for r in rows)


def _codes(labels: Sequence[Any]) -> tuple[np.ndarray, list[str]]:
    """Integer codes in order of first appearance (the design lists low levels first)."""
    order = list(dict.fromkeys(str(v) for v in labels))
    return np.array([order.index(str(v)) for v in labels]), order


def _group_ss(y: np.ndarray, codes: np.ndarray, grand: float) -> float:
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.maximum(counts, 1)
    return float((counts * (means - grand) ** 2).sum())


def sums_of_squares(y: np.ndarray, points: np.ndarray, levels: dict[str, np.ndarray],
                    credit: str | None = None) -> dict[str, tuple[float, int]]:
    """(SS, df) per factor, INTERACTIONS (lack of fit), SEED (pure error) and, with `credit`,
    that factor's two-factor interactions ("<credit> x rest")."""
    grand = float(y.mean())
    out: dict[str, tuple[float, int]] = {}
    for name, codes in levels.items():
        out[name] = (_group_ss(y, codes, grand), int(len(np.unique(codes)) - 1))
    n_points = len(np.unique(points))
    between = _group_ss(y, points, grand)
    point_means = (np.bincount(points, weights=y) / np.maximum(np.bincount(points), 1))[points]
    pure = float(((y - point_means) ** 2).sum())
    mains = sum(ss for ss, _ in out.values())
    df_lof = n_points - 1 - sum(df for _, df in out.values())
    if credit is not None and credit in levels:
        ss_x, df_x = 0.0, 0
        k = int(levels[credit].max()) + 1
        for name, codes in levels.items():
            if name == credit:
                continue
            cross = levels[credit] * (int(codes.max()) + 1) + codes
            ss = _group_ss(y, cross, grand) - out[credit][0] - out[name][0]
            ss_x += max(ss, 0.0)
            df_x += (k - 1) * int(len(np.unique(codes)) - 1)
        out[f"{credit} x rest"] = (ss_x, df_x)
    out[INTERACTIONS] = (max(between - mains, 0.0), max(df_lof, 0))
    out[SEED] = (max(pure, 0.0), int(len(y) - n_points))
    return out


def net_shares(ss: dict[str, tuple[float, int]], total: float, credit: str | None
               ) -> dict[str, float]:
    """Each part's (SS − df·MSE) / total, floored at 0 (SEED: its own SS / total), and the
    credited factor with its interactions."""
    pure, df_pe = ss[SEED]
    mse = pure / df_pe if df_pe > 0 else 0.0
    out = {}
    for name, (value, df) in ss.items():
        net = value if name == SEED else max(value - df * mse, 0.0)
        out[name] = net / total if total > 0 else 0.0
    if credit is not None and credit in ss:
        out[f"{credit} total"] = out[credit] + out.get(f"{credit} x rest", 0.0)
    return out


def lead_over(share: dict[str, float], factor: str) -> float:
    """The largest other factor's net share minus `factor`'s with its interactions."""
    skip = {factor, f"{factor} x rest", f"{factor} total", INTERACTIONS, SEED}
    others = [v for k, v in share.items() if k not in skip]
    return max(others, default=0.0) - share.get(f"{factor} total", share.get(factor, 0.0))


def _effects(y: np.ndarray, levels: dict[str, np.ndarray], names: dict[str, list[str]],
             mse: float, df_pe: int) -> dict[str, Effect]:
    """Per factor: high − low mean (or the range of level means) with its pure-error interval."""
    out: dict[str, Effect] = {}
    t = float(sps.t.ppf(0.5 + LEVEL / 2, df_pe)) if df_pe > 0 else None
    for name, codes in levels.items():
        counts = np.bincount(codes)
        means = np.bincount(codes, weights=y) / np.maximum(counts, 1)
        if len(means) == 2:
            value = float(means[1] - means[0])
            half = t * np.sqrt(mse * (1 / counts[0] + 1 / counts[1])) if t else None
            ci = [value - half, value + half] if half is not None else [None, None]
            what = f"{names[name][1]} \u2212 {names[name][0]}"
        else:
            value, ci = float(means.max() - means.min()) if len(means) else 0.0, [None, None]
            what = "range of the level means"
        out[name] = {"value": value, "ci": [finite(c) for c in ci], "what": what}
    return out


def _bootstrap(y: np.ndarray, points: np.ndarray, levels: dict[str, np.ndarray],
               credit: str | None, resamples: int, seed: int) -> np.ndarray | None:
    """Net shares (and the lead, with `credit`) per resample of seeds within design points.

    Each point keeps its mean and draws its seeds' deviations from it with replacement,
    inflated by sqrt(r / (r − 1)) for r seeds: a plain resample of r values has a variance of
    the mean (r − 1) / r times too small (half, at two seeds), which would make the intervals
    too narrow.
    """
    groups = [np.flatnonzero(points == p) for p in np.unique(points)]
    if resamples <= 0 or min(len(g) for g in groups) < 2:
        return None
    counts = np.bincount(points)
    means = (np.bincount(points, weights=y) / np.maximum(counts, 1))[points]
    deviations = (y - means) * np.sqrt(counts / (counts - 1.0))[points]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(resamples):
        idx = np.empty(len(y), dtype=int)
        for g in groups:
            idx[g] = rng.choice(g, size=len(g))
        yy = means + deviations[idx]
        total = float(((yy - yy.mean()) ** 2).sum())
        s = net_shares(sums_of_squares(yy, points, levels, credit), total, credit)
        out.append([*s.values(), *([lead_over(s, credit)] if credit else [])])
    return np.array(out)


def decompose(rows: Sequence[DesignRow], factors: Sequence[str], response: str,
              *, higher_is_better: bool | None = None, resamples: int = RESAMPLES,
              seed: int = 0, contrast: str | None = None) -> Decomposition:
    """Effects, net shares and intervals of `response` over `factors` (module docstring).

    `rows` are dicts with "point" (the design point), "levels" ({factor: level}) and the
    response; with `higher_is_better` given, a missing response is scored as the worst value
    (counted in "n_worst"), else left out (counted in "n_dropped"). With `contrast` (a
    factor), that factor is credited with its interactions and "contrast" holds `lead_over`
    it, with its interval and bootstrap p-values of the lead being above and below 0.
    """
    scored, n_worst = score_missing(rows, response, higher_is_better)
    base: Decomposition = {
        "response": response, "n_dropped": len(rows) - len(scored), "n_worst": n_worst,
        "method": METHOD,
        "ranges": {f: list(dict.fromkeys(str(r["levels"][f]) for r in rows)) for f in factors}}
    if not scored:
        return {**base, "n": 0, "parts": []}
    y = np.array([float(r[response]) for r in scored])
    points, _ = _codes([r["point"] for r in scored])
    levels, names = {}, {}
    for f in factors:
        levels[f], names[f] = _codes([r["levels"][f] for r in scored])
    ss = sums_of_squares(y, points, levels, contrast)
    total = float(((y - y.mean()) ** 2).sum())
    share = net_shares(ss, total, contrast)
    pure, df_pe = ss[SEED]
    effects = _effects(y, levels, names, pure / df_pe if df_pe else 0.0, df_pe)
    boot = _bootstrap(y, points, levels, contrast, resamples, seed)
    keys = [*share, *(["lead"] if contrast else [])]
    ci = ({k: [finite(np.percentile(boot[:, i], 2.5)), finite(np.percentile(boot[:, i], 97.5))]
           for i, k in enumerate(keys)} if boot is not None else {k: [None, None] for k in keys})
    parts: list[ImportancePart] = [
             {"name": k, "sum_sq": ss[k][0], "df": ss[k][1], "share": share[k],
              "gross_share": ss[k][0] / total if total > 0 else 0.0, "ci": ci[k],
              "effect": effects.get(k),
              "level_means": ({lv: float(y[levels[k] == i].mean())
                               for i, lv in enumerate(names[k])} if k in levels else {})}
             for k in ss if k != f"{contrast} x rest"]
    if contrast in levels:
        lead = lead_over(share, contrast)
        p = ((None, None) if boot is None else
             tuple(min(1.0, 2 * (float(np.sum(cmp)) + 1) / (len(boot) + 1))
                   for cmp in (boot[:, -1] <= 0, boot[:, -1] >= 0)))
        base["contrast"] = {"factor": contrast, "lead_of_largest_other": lead,
                            "ci": ci["lead"], "p_above": p[0], "p_below": p[1]}
        base["credited"] = {"name": contrast, "share": share[f"{contrast} total"],
                            "ci": ci[f"{contrast} total"],
                            "interactions_share": share.get(f"{contrast} x rest", 0.0)}
    return {**base, "n": len(y), "n_points": int(points.max()) + 1, "total_ss": total,
            "noise": {"mse": pure / df_pe if df_pe else None, "df": df_pe}, "parts": parts}


def ranked(result: Decomposition) -> list[ImportancePart]:
    """The parts of a decomposition, largest net share first."""
    return sorted(result.get("parts", []), key=lambda p: -(p.get("share") or 0.0))


def share_of(result: Decomposition, name: str) -> ImportancePart | None:
    """The part called `name` (a factor, INTERACTIONS or SEED), or None."""
    return next((p for p in result.get("parts", []) if p["name"] == name), None)


def ranges_text(result: Decomposition | ImportanceResult) -> str:
    """"lr 0.0005/0.008; hidden 16/64": the levels the shares hold for."""
    return "; ".join(f"{f} {'/'.join(v)}" for f, v in (result.get("ranges") or {}).items())


__all__ = ["INTERACTIONS", "METHOD", "SEED", "Decomposition", "DesignRow", "Effect",
           "ImportancePart", "ImportanceResult", "decompose", "lead_over", "net_shares",
           "ranges_text", "ranked", "score_missing", "share_of", "sums_of_squares"]
