"""Variance shares of a designed experiment: which factor moves the test metric (torch-free).

The decomposition is statsmodels' ANOVA on an OLS fit, not ours: a main-effects model
`y ~ C(f1) + C(f2) + ...` gives each factor's sum of squares (type II); a second fit with one
level per design point, `y ~ C(point)`, leaves the pure error between replicate seeds of the
same configuration: that is seed noise. What the main effects and seed noise both miss is the
factors' interactions (lack of fit). Shares are each part's sum of squares over the sum of all
parts; in the balanced designs `gatebench importance` runs, that sum is the total sum of
squares, so shares are shares of the variance. Intervals resample design points (each with all
its seeds) with scipy's bootstrap, percentile method.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from gatebench.numbers import finite, is_finite

if TYPE_CHECKING:  # pandas comes with statsmodels, imported on use: the analysis loads light
    import pandas as pd

INTERACTIONS = "interactions"
SEED = "seed"
METHOD = (
    "ANOVA of an OLS fit with main effects (statsmodels ols + anova_lm, type II sums of "
    "squares); seed noise is the pure error between seeds of one design point "
    "(statsmodels anova_lm of y ~ C(point)), interactions the remaining lack of fit; "
    "95% intervals: scipy.stats.bootstrap over design points, percentile method"
)
RESAMPLES = 200
LEAD = " lead"  # the contrast's key among the bootstrap outputs: no factor's name


def anova_parts(frame: pd.DataFrame, factors: Sequence[str], response: str = "y"
                ) -> dict[str, float]:
    """Sums of squares: one per factor, INTERACTIONS (lack of fit) and SEED (pure error).

    `frame` has a column per factor (levels as text), a `point` column naming the design
    point and the response. A factor with a single level left in the data gets 0.
    """
    from statsmodels.formula.api import ols
    from statsmodels.stats.anova import anova_lm

    data = frame.rename(columns={response: "y"})[["y", "point", *factors]]
    varying = [f for f in factors if data[f].nunique() > 1]
    terms = " + ".join(f"C({f})" for f in varying) or "1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a perfect fit warns about a zero residual variance
        main = ols(f"y ~ {terms}", data=data).fit()
        total_resid = float(main.ssr)
        parts = {f: 0.0 for f in factors}
        if varying:
            table = anova_lm(main, typ=2)
            for f in varying:
                parts[f] = float(table.loc[f"C({f})", "sum_sq"])
        if data["point"].nunique() > 1:
            pure = float(anova_lm(ols("y ~ C(point)", data=data).fit()).loc["Residual", "sum_sq"])
        else:
            pure = float(((data["y"] - data["y"].mean()) ** 2).sum())
    parts[INTERACTIONS] = max(total_resid - pure, 0.0)
    parts[SEED] = max(pure, 0.0)
    return parts


def shares(parts: dict[str, float]) -> dict[str, float]:
    """Each part's sum of squares over their total (all zero: equal shares of nothing = 0)."""
    total = sum(parts.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in parts.items()}


def _frame(rows: Sequence[dict[str, Any]], factors: Sequence[str], response: str
           ) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(
        [{"point": str(r["point"]), response: float(r[response]),
          **{f: str(r["levels"][f]) for f in factors}} for r in rows]
    )
    return frame[np.isfinite(frame[response])]


def _resampled(frame: pd.DataFrame, points: np.ndarray, picks: np.ndarray) -> pd.DataFrame:
    import pandas as pd

    # Each drawn design point keeps all its seeds; a point drawn twice counts as two points.
    chosen = [frame[frame["point"] == points[i]].assign(point=f"{k}") for k, i in
              enumerate(picks.astype(int))]
    return pd.concat(chosen, ignore_index=True)


def lead_over(share: dict[str, float], factor: str) -> float:
    """The largest other factor's share minus `factor`'s (interactions and seed excluded)."""
    others = [v for k, v in share.items() if k not in (factor, INTERACTIONS, SEED)]
    return max(others, default=0.0) - share.get(factor, 0.0)


def decompose(rows: Sequence[dict[str, Any]], factors: Sequence[str], response: str,
              *, resamples: int = RESAMPLES, seed: int = 0, contrast: str | None = None
              ) -> dict[str, Any]:
    """Variance shares of `response` over `factors`, INTERACTIONS and SEED, each with a 95% CI.

    `rows` are dicts with "point" (the design point), "levels" ({factor: level}) and the
    response value; rows whose response is missing or not finite are left out and counted.
    With `contrast` (a factor), "contrast" holds `lead_over` that factor with its interval
    from the same bootstrap resamples: above 0, another factor outweighs it.
    """
    from scipy.stats import bootstrap

    kept = [r for r in rows if is_finite(r.get(response))]
    if not kept:
        return {"response": response, "n": 0, "n_dropped": len(rows), "parts": [],
                "method": METHOD}
    frame = _frame(kept, factors, response)
    parts = anova_parts(frame, factors, response)
    names = list(parts)
    point_ids = np.array(sorted(frame["point"].unique()))
    keys = [*names, *([LEAD] if contrast else [])]
    intervals: dict[str, list[float | None]] = {k: [None, None] for k in keys}
    if len(point_ids) >= 3 and resamples > 0:

        def statistic(picks: np.ndarray) -> np.ndarray:
            s = shares(anova_parts(_resampled(frame, point_ids, picks), factors, response))
            lead = [lead_over(s, contrast)] if contrast else []
            return np.array([s[k] for k in names] + lead)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate resamples warn; their share is 0
            ci = bootstrap((np.arange(len(point_ids)),), statistic, vectorized=False,
                           n_resamples=resamples, method="percentile",
                           rng=np.random.default_rng(seed)).confidence_interval
        intervals = {k: [finite(lo), finite(hi)]
                     for k, lo, hi in zip(keys, ci.low, ci.high, strict=True)}
    share = shares(parts)
    means = {f: frame.groupby(f)[response].mean().to_dict() for f in factors}
    extra = {"contrast": {"factor": contrast, "lead_of_largest_other": lead_over(share, contrast),
                          "ci": intervals[LEAD]}} if contrast else {}
    return {
        **extra,
        "response": response,
        "n": len(frame),
        "n_dropped": len(rows) - len(frame),
        "n_points": len(point_ids),
        "total_ss": sum(parts.values()),
        "parts": [
            {"name": k, "sum_sq": parts[k], "share": share[k], "ci": intervals[k],
             "level_means": {str(lv): float(m) for lv, m in means.get(k, {}).items()}}
            for k in names
        ],
        "method": METHOD,
    }


def ranked(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The parts of a decomposition, largest share first."""
    return sorted(result.get("parts", []), key=lambda p: -(p.get("share") or 0.0))


def share_of(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The part called `name` (a factor, INTERACTIONS or SEED), or None."""
    return next((p for p in result.get("parts", []) if p["name"] == name), None)


__all__ = ["INTERACTIONS", "METHOD", "SEED", "anova_parts", "decompose", "lead_over", "ranked",
           "share_of", "shares"]
