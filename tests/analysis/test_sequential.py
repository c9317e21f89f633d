"""The --seeds auto rule (anytime-valid, for the median) and the seed-count estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from gatebench.analysis.rules import OUTCOMES
from gatebench.analysis.sequential import (
    PRIOR,
    certified_bound,
    fewest_pairs_to_decide,
    log_e,
    median_sequence,
    required_pairs,
    sequential_codes,
    sequential_decide,
)
from gatebench.errors import SpecError


@pytest.mark.parametrize(("k", "n"), [(0, 0), (3, 4), (7, 7), (2, 9), (25, 40)])
def test_e_value_is_the_beta_mixture_of_sign_likelihood_ratios(k: int, n: int) -> None:
    a, b = PRIOR
    weight = integrate.quad(lambda p: sps.beta.pdf(p, a, b), 0.5, 1.0)[0]
    mix = integrate.quad(lambda p: (2 * p) ** k * (2 * (1 - p)) ** (n - k)
                         * sps.beta.pdf(p, a, b) / weight, 0.5, 1.0)[0]
    assert float(log_e(k, n)) == pytest.approx(math.log(mix), abs=1e-9)


def test_e_value_is_a_martingale_at_a_fair_coin_and_grows_with_agreement() -> None:
    # under "median = m" each untied pair lands above m with probability 1/2: E's next value
    # averages to its current one, so Ville's inequality bounds the chance of ever reaching 1/a
    for n in (0, 3, 10, 30):
        for k in range(n + 1):
            nxt = (math.exp(log_e(k + 1, n + 1)) + math.exp(log_e(k, n + 1))) / 2
            assert nxt == pytest.approx(math.exp(log_e(k, n)), rel=1e-9)
    assert all(log_e(n, n) > log_e(n - 1, n) for n in range(1, 30))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"min_pairs": 0}, "min_pairs"), ({"max_pairs": 2, "min_pairs": 3}, "max_pairs"),
    ({"max_pairs": 101}, "max_pairs"), ({"alpha": 0.0}, "alpha"),
])
def test_bad_settings_raise(kwargs: dict, match: str) -> None:
    args = {"margin": 1.0, "max_pairs": 10, **kwargs}
    with pytest.raises(SpecError, match=match):
        sequential_decide([1.0, 2.0, 3.0], **args)


def test_a_winner_needs_seven_pairs_that_agree() -> None:
    six = sequential_decide([2.0, 2.5, 3.0, 2.2, 2.6, 1.9], margin=1.0, max_pairs=20)
    assert six.outcome == "inconclusive" and not six.final
    d = sequential_decide([2.0, 2.5, 3.0, 2.2, 2.6, 1.9, 2.4], margin=1.0, max_pairs=20)
    assert d.outcome == "a_better" and d.final and d.reason == "decided at 7 pairs"
    assert d.estimate == pytest.approx(2.4) and d.ci[0] > 0 and d.level == pytest.approx(0.95)
    assert d.p_value < 0.05 and d.estimand.startswith("median")
    flipped = sequential_decide([-x for x in (2.0, 2.5, 3.0, 2.2, 2.6, 1.9, 2.4)], margin=1.0,
                                max_pairs=20)
    assert flipped.outcome == "b_better" and flipped.ci[1] < 0


def test_no_futility_stop_final_only_when_decided_or_at_max() -> None:
    diffs = [1.0, -1.1, 0.05, 0.2, -0.3, 0.4]
    d = sequential_decide(diffs, margin=0.1, max_pairs=20)
    assert d.outcome == "inconclusive" and not d.final and "add a pair" in d.reason
    done = sequential_decide(diffs, margin=0.1, max_pairs=6)
    assert done.final and done.reason.startswith("reached max seeds (6) undecided")
    assert d.to_dict()["extra"]["futility"] is False


def test_max_pairs_changes_only_when_to_stop_never_the_evidence() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        diffs = rng.normal(0.8, 2.0, 15)
        small, large = (sequential_decide(diffs, margin=1.0, max_pairs=m) for m in (15, 100))
        assert (small.outcome, small.ci, small.bound) == (large.outcome, large.ci, large.bound)


def test_a_decision_stays_when_pairs_are_added_after_it() -> None:
    # the confidence sequence is intersected over the pairs so far: adding pairs after a stop
    # (a rerun with a larger --max-seeds) can only narrow it
    diffs = [2.0, 2.5, 3.0, 2.2, 2.6, 1.9, 2.4]
    first = sequential_decide(diffs, margin=1.0, max_pairs=7)
    later = sequential_decide([*diffs, -5.0, -4.0, -6.0], margin=1.0, max_pairs=20)
    assert first.outcome == later.outcome == "a_better"
    assert first.ci[0] <= later.ci[0] and later.ci[1] <= first.ci[1]


def test_equivalence_and_the_certified_bound() -> None:
    diffs = [0.05, -0.05, 0.0, 0.02, -0.01, 0.03, -0.02]
    eq = sequential_decide(diffs, margin=1.0, max_pairs=20)
    assert eq.outcome == "equivalent" and eq.final and eq.level == pytest.approx(0.9)
    assert eq.p_equivalence < 0.05  # an anytime-valid p-value: 1 / the weaker e-value
    assert sequential_decide([0.0, 0.1, -0.1], margin=1.0, max_pairs=20).p_equivalence > 0.05
    assert -1.0 < eq.ci[0] and eq.ci[1] < 1.0
    assert eq.bound == pytest.approx(max(abs(eq.ci[0]), abs(eq.ci[1])))
    # the bound is the smallest margin the data certify: just above it, equivalence
    wide = [0.5, -0.8, 1.2, -0.3, 0.9, -1.1, 0.2, 0.4]
    bound = certified_bound(wide)
    assert bound is not None
    assert sequential_decide(wide, margin=bound * 1.01, max_pairs=20).outcome == "equivalent"
    assert sequential_decide(wide, margin=bound * 0.99, max_pairs=20).outcome == "inconclusive"
    assert certified_bound([1.0, -1.0]) is None  # too few pairs to bound the median


def test_the_sequence_covers_a_skewed_median_at_every_look() -> None:
    # one arm fails 20% of seeds (-18 points) and is otherwise +1.2: the median is at 0.664
    rng = np.random.default_rng(4)
    fails = rng.random((200, 25)) < 0.2
    diffs = np.where(fails, -18.0, 1.2) + rng.normal(0.0, 2.0, (200, 25))
    pop = np.where(rng.random(400_000) < 0.2, -18.0, 1.2) + rng.normal(0.0, 2.0, 400_000)
    median = float(np.median(pop))
    missed = 0
    for row in diffs:
        missed += any(not lo <= median <= hi for k in range(7, 26)
                      for lo, hi in [median_sequence(row[:k], 0.025)])
    assert missed / len(diffs) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / len(diffs))


def test_vectorised_rule_matches_pair_by_pair_calls() -> None:
    rng = np.random.default_rng(5)
    d = rng.normal(1.5, 2.0, (40, 12))
    codes, used = sequential_codes(d, 2.0, 12)
    for row in range(40):
        for n in range(3, 13):
            step = sequential_decide(d[row, :n], margin=2.0, max_pairs=12)
            if step.final:
                break
        assert (OUTCOMES[int(codes[row])], int(used[row])) == (step.outcome, n)


def test_looks_in_batches_see_a_subset_of_the_same_decisions() -> None:
    rng = np.random.default_rng(8)
    d = rng.normal(1.0, 2.0, (300, 20))
    each, each_used = sequential_codes(d, 1.0, 20)
    batch, used = sequential_codes(d, 1.0, 20, looks=range(3, 21, 4))
    assert set(np.unique(used)) <= {3, 7, 11, 15, 19, 20}
    decided = batch != OUTCOMES.index("inconclusive")
    # a batch look decides only what a look after every pair had decided by then
    assert np.all(each_used[decided] <= used[decided]) and decided.sum() > 50


def test_fewest_pairs_to_decide_projects_the_most_favourable_pairs() -> None:
    diffs = [1.0, -1.0, 2.0, -0.5]
    need = fewest_pairs_to_decide(diffs, 0.5, 50)
    k = min(v for v in need.values() if v is not None)
    assert all(v is None for v in fewest_pairs_to_decide(diffs, 0.5, k - 1).values())
    # the projection is real: that many agreeing pairs do decide, one fewer do not
    best = min(need, key=lambda key: need[key] if need[key] is not None else 10**9)
    value = {"a_better": 5.0, "b_better": -5.0, "equivalent": 0.0}[best]
    assert sequential_decide([*diffs, *[value] * k], margin=0.5, max_pairs=60).outcome == best
    assert sequential_decide([*diffs, *[value] * (k - 1)], margin=0.5,
                             max_pairs=60).outcome == "inconclusive"
    assert fewest_pairs_to_decide([3.0] * 7, 1.0, 5)["a_better"] == 0
    assert fewest_pairs_to_decide([], 1.0, 7)["a_better"] == 7  # the first win needs 7 pairs
    assert all(v is None for v in fewest_pairs_to_decide([], 1.0, 5).values())


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
