"""The --seeds auto rule and the seed-count estimate, case by case."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from gatebench.analysis.rules import OUTCOMES
from gatebench.analysis.sequential import (
    boundaries,
    design_sd,
    log_lr,
    required_pairs,
    sequential_codes,
    sequential_decide,
)
from gatebench.errors import SpecError


def test_boundaries_are_deterministic_and_monotone_in_t() -> None:
    b = boundaries(3, 10)
    boundaries.cache_clear()
    assert boundaries(3, 10) == b
    assert b.log_b < 0 < b.log_a and 0.005 < b.alpha_equivalence < 0.05
    # a winner is out of reach at 3 pairs (the t statistic on 2 degrees of freedom cannot
    # carry that much evidence), then needs p below about 0.01-0.02
    assert b.win[0] == 0.0 and all(0.005 < w < 0.05 for w in b.win[2:])
    # futility stops need a large p; none at the last look
    assert all(0.1 < f < 1 for f in b.futile[:-1]) and b.futile[-1] > 1
    # the thresholds are the likelihood ratio's: LR at the winner's p equals A
    n, w = 7, b.look(7)[0]
    t = sps.t.isf(w / 2, n - 1)
    assert float(log_lr(t, n)) == pytest.approx(b.log_a, abs=1e-6)


def test_power_target_is_80_percent_or_what_the_max_seeds_allow() -> None:
    assert boundaries(3, 20).power_target == pytest.approx(0.8)
    short = boundaries(3, 10)
    assert 0.5 < short.power_target < 0.8  # 10 pairs cannot give 80% power at one SD
    assert short.power == pytest.approx(short.power_target, abs=0.01)


def test_a_larger_budget_looks_for_a_smaller_difference() -> None:
    assert design_sd(10) == design_sd(20) == 1.0
    wide = boundaries(3, 50)
    assert wide.design_sd == pytest.approx((20 / 50) ** 0.5)
    assert wide.power == pytest.approx(0.8, abs=0.01)
    # at that smaller difference, 50 pairs find far more than 20 pairs do
    rng = np.random.default_rng(9)
    d = rng.normal(wide.design_sd, 1.0, (3000, 50))
    found_50 = np.mean(sequential_codes(d, 0.1, 50)[0] == 0)
    found_20 = np.mean(sequential_codes(d[:, :20], 0.1, 20)[0] == 0)
    assert found_50 >= 0.75 and found_50 > found_20 + 0.2


def test_log_lr_matches_the_noncentral_t_densities() -> None:
    # the closed form equals the mixture of noncentral t densities (±√n) over the central one
    for n in (3, 5, 12):
        t = np.array([-4.0, -1.0, 0.0, 0.7, 2.5])
        nc = np.sqrt(n)
        mix = (sps.nct.pdf(t, n - 1, nc) + sps.nct.pdf(t, n - 1, -nc)) / 2
        assert np.allclose(log_lr(t, n), np.log(mix / sps.t.pdf(t, n - 1)), atol=1e-8)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"min_pairs": 1}, "min_pairs"), ({"max_pairs": 2}, "max_pairs"),
    ({"max_pairs": 101}, "max_pairs"), ({"alpha": 0.0}, "alpha"),
])
def test_bad_settings_raise(kwargs: dict, match: str) -> None:
    args = {"margin": 1.0, "max_pairs": 10, **kwargs}
    with pytest.raises(SpecError, match=match):
        sequential_decide([1.0, 2.0, 3.0], **args)


def test_stops_with_a_winner_and_says_when() -> None:
    d = sequential_decide([2.0, 2.5, 3.0, 2.2, 2.6], margin=1.0, max_pairs=10)
    assert d.outcome == "a_better" and d.final and d.reason == "decided at 5 pairs"
    a_star = d.extra["alpha_look"]
    assert d.p_value < a_star and d.level == pytest.approx(1 - a_star)
    assert d.p_value == pytest.approx(sps.ttest_1samp([2.0, 2.5, 3.0, 2.2, 2.6], 0.0).pvalue)


def test_no_winner_before_the_evidence_can_carry_one() -> None:
    # p ~ 0.002 at 4 pairs, yet with 3 degrees of freedom the likelihood ratio for a one-SD
    # difference cannot reach the winner's threshold: the rule asks for another pair
    d = sequential_decide([2.0, 2.5, 3.0, 2.2], margin=0.1, max_pairs=10)
    assert d.outcome == "inconclusive" and not d.final and "no winner can be named" in d.reason
    assert d.level == pytest.approx(0.95)


def test_stops_for_futility_and_says_so() -> None:
    d = sequential_decide([1.0, -1.1, 0.05, 0.2], margin=0.1, max_pairs=20)
    assert d.outcome == "inconclusive" and d.final and d.reason.startswith("futility at 3 pairs")
    assert d.extra["futility_look"] is not None and d.p_value > d.extra["futility_look"]


def test_later_pairs_of_a_batch_do_not_change_the_decision() -> None:
    # asked after every pair or once after a batch of three: the same stop at the same look
    diffs = [2.0, 2.5, 3.0, 2.2, 2.6, -5.0, -4.0]
    each = next(d for k in range(3, 8)
                if (d := sequential_decide(diffs[:k], margin=1.0, max_pairs=10)).final)
    batch = sequential_decide(diffs, margin=1.0, max_pairs=10)
    assert (batch.outcome, batch.n, batch.estimate) == (each.outcome, each.n, each.estimate)
    assert "the 2 pairs after it not counted" in batch.reason


def test_continues_then_stops_at_max_seeds() -> None:
    assert not sequential_decide([1.0, 2.0], margin=1.0, max_pairs=10).final
    undecided = sequential_decide([-1.0, 2.0, 1.5, 1.0], margin=0.1, max_pairs=10)
    assert undecided.outcome == "inconclusive" and not undecided.final
    assert "add a pair" in undecided.reason
    done = sequential_decide([1.0, 2.0, 1.5, -0.5], margin=0.1, max_pairs=4)
    assert done.final and done.reason == "reached max seeds (4)"


def test_stops_for_equivalence_and_for_no_spread() -> None:
    eq = sequential_decide([0.05, -0.05, 0.0, 0.02, -0.01], margin=1.0, max_pairs=10)
    assert eq.outcome == "equivalent" and eq.final
    assert -1.0 < eq.ci[0] and eq.ci[1] < 1.0
    flat = sequential_decide([0.0, 0.0, 0.0], margin=1.0, max_pairs=10)
    assert flat.outcome == "uninformative" and flat.final and flat.ci == (None, None)


def test_a_borderline_fixed_winner_is_not_yet_a_sequential_one() -> None:
    # p ~ 0.03 at 5 pairs: enough for the fixed 5-pair rule, not for a rule that looks after
    # every pair and so must ask for more at each look
    diffs = [1.0, 2.0, 0.5, 1.5, 0.3]
    p = sps.ttest_1samp(diffs, 0.0).pvalue
    assert boundaries(3, 10).look(5)[0] < p < 0.05
    assert sequential_decide(diffs, margin=0.1, max_pairs=10).outcome == "inconclusive"


def test_vectorised_rule_matches_pair_by_pair_calls() -> None:
    rng = np.random.default_rng(5)
    d = rng.normal(1.0, 2.0, (40, 8))
    codes, used = sequential_codes(d, 1.0, 8)
    for row in range(40):
        for n in range(1, 9):
            step = sequential_decide(d[row, :n], margin=1.0, max_pairs=8)
            if step.final:
                break
        assert (OUTCOMES[int(codes[row])], int(used[row])) == (step.outcome, n)


def test_required_pairs_edge_cases() -> None:
    assert required_pairs([1.0], 1.0) is None
    assert required_pairs([2.0, 2.0, 2.0], 1.0) is None
    assert required_pairs([-50.0, 50.0, 1.0], 1.0) is None  # beyond 100 pairs
    small, large = required_pairs([0.1, -0.2, 0.3], 1.0), required_pairs([1.0, -1.0, 0.5], 1.0)
    assert small is not None and large is not None and small < large


def _fixed_power_ok(n: int, sd: float, margin: float) -> bool:
    """True power of the fixed design with n pairs, for both aims of required_pairs."""
    df, shift = n - 1, margin * np.sqrt(n) / sd
    crit2, crit1 = sps.t.ppf(0.975, df), sps.t.ppf(0.95, df)
    detect = sps.nct.sf(crit2, df, shift) + sps.nct.cdf(-crit2, df, shift)
    return detect >= 0.8 and 2 * sps.nct.sf(crit1, df, shift) - 1 >= 0.8


def test_required_pairs_allows_for_the_sd_being_underestimated() -> None:
    # from 3-pair pilots (true SD 1, margin 1) the estimate is enough for 80% power in about
    # 80% of pilots; planning with the observed SD itself would manage only about half
    rng = np.random.default_rng(6)
    pilots = rng.normal(0.0, 1.0, (300, 3))
    enough = [(k := required_pairs(p, 1.0)) is None or _fixed_power_ok(k, 1.0, 1.0)
              for p in pilots]
    assert np.mean(enough) >= 0.75
