"""Each decision rule against scipy/statsmodels and its own definition, case by case."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from gatebench.analysis.calibration import success_codes
from gatebench.analysis.rules import (
    OUTCOMES,
    holm,
    holm_rows,
    paired_rule,
    paired_tests,
    ratio_rule,
    sign_flip_p,
    success_rule,
    t_interval,
)
from gatebench.analysis.verdict import decide


def test_paired_p_is_scipys_t_test_below_six_pairs() -> None:
    diffs = [0.5, 1.5, 0.2, 2.0, -0.3]
    d = paired_rule(diffs, margin=1.0)
    assert d.p_value == pytest.approx(sps.ttest_1samp(diffs, 0.0).pvalue)
    assert d.ci == pytest.approx(t_interval(np.mean(diffs), np.std(diffs, ddof=1), 5, 0.95))


def test_from_six_pairs_the_exact_sign_flip_test_must_agree() -> None:
    # t alone says p ~ 0.01, but only 2 of 64 sign patterns are as extreme: p = 1/32
    diffs = [1.0, 1.1, 0.9, 1.2, 0.8, 1.0]
    t_p = sps.ttest_1samp(diffs, 0.0).pvalue
    flip = sps.permutation_test((np.array(diffs),), np.mean, permutation_type="samples",
                                n_resamples=np.inf).pvalue
    d = paired_rule(diffs, margin=0.5)
    assert t_p < flip == pytest.approx(2 / 64)
    assert d.p_value == pytest.approx(max(t_p, flip)) and d.outcome == "a_better"
    assert paired_rule([*diffs[:5], -1.0], margin=0.5).outcome == "inconclusive"


def test_when_only_the_t_test_sees_a_winner_the_reason_says_so() -> None:
    diffs = [1.0, 1.1, 0.9, 1.2, 0.8, -0.5]  # t: p = 0.033; sign flips: 4 of 64 as extreme
    d = paired_rule(diffs, margin=0.5)
    assert d.outcome == "inconclusive" and d.ci[0] > 0
    assert sps.ttest_1samp(diffs, 0.0).pvalue < 0.05 and d.p_value == pytest.approx(4 / 64)
    assert "exact sign-flip test gives p = 0.0625" in d.reason
    assert d.reason in decide(diffs, 0.5)["text"]


@pytest.mark.parametrize("n", [6, 7, 9])
def test_sign_flip_p_matches_scipy_permutation_test(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(5):
        x = rng.normal(0.7, 1.0, n)
        want = sps.permutation_test((x,), np.mean, permutation_type="samples",
                                    n_resamples=np.inf).pvalue
        assert sign_flip_p(x[None, :])[0] == pytest.approx(want)


def test_equivalence_is_tost_the_90_percent_interval_inside_the_margin() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        x = rng.normal(rng.uniform(-1, 1), rng.uniform(0.1, 1.5), size=int(rng.integers(3, 9)))
        d = paired_rule(x, margin=1.0)
        lo, hi = t_interval(x.mean(), x.std(ddof=1), x.size, 0.90)
        inside = -1.0 < lo and hi < 1.0
        assert (d.p_equivalence < 0.05) == inside
        if d.outcome == "equivalent":
            assert d.level == pytest.approx(0.90) and d.ci == pytest.approx((lo, hi))


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_identical_pairs_are_uninformative_never_a_zero_width_interval(value: float) -> None:
    d = paired_rule([value] * 5, margin=1.0)
    assert d.outcome == "uninformative" and d.ci == (None, None) and d.p_value is None
    assert "no spread" in d.reason


def test_rounding_noise_is_not_spread() -> None:
    # a mean of equal values can differ from them in the last bit; the rule must not
    # read that as a (tiny) SD and return a zero-width interval
    assert paired_rule([0.1] * 3 + [0.1 + 1e-17], margin=1.0).outcome == "uninformative"
    assert paired_tests(np.full((2, 4), 0.3), 1.0).codes.tolist() == [4, 4]


@pytest.mark.parametrize("diffs", [[], [2.0], [math.nan, 2.0]])
def test_fewer_than_two_pairs_is_inconclusive(diffs: list[float]) -> None:
    d = paired_rule(diffs, margin=1.0)
    assert d.outcome == "inconclusive" and d.ci == (None, None)


def test_decision_to_dict_is_json() -> None:
    for d in (paired_rule([1.0, 2.0, 1.5], 1.0), paired_rule([0.0] * 3, 1.0),
              success_rule([True] * 3, [True] * 3), ratio_rule([0.8, 0.9, 0.85])):
        out = d.to_dict()
        json.loads(json.dumps(out, allow_nan=False))
        assert set(out) >= {"outcome", "estimate", "ci", "p_value", "n", "method", "reason"}
        assert out["outcome"] in OUTCOMES and isinstance(out["ci"], list)


def test_success_rule_is_the_exact_mcnemar_test() -> None:
    a = [True] * 7 + [True, False]
    b = [False] * 7 + [True, False]
    d = success_rule(a, b)
    assert d.outcome == "a_better" and d.extra == {"only_a": 7, "only_b": 0}
    assert d.p_value == pytest.approx(sps.binomtest(7, 7, 0.5).pvalue)
    assert d.estimate == pytest.approx(7 / 9)
    lo, hi = d.ci
    assert lo < d.estimate <= hi and lo < hi
    # five discordant pairs all one way: p = 1/16 > 0.05, honest about five seeds
    assert success_rule([True] * 5, [False] * 5).outcome == "inconclusive"
    assert success_rule([False] * 6, [True] * 6).outcome == "b_better"


@pytest.mark.parametrize(("a", "b", "words"), [
    ([False] * 4, [False] * 4, "both fail in every pair"),
    ([True] * 4, [True] * 4, "both succeed in every pair"),
    ([True, False, True], [True, False, True], "both succeed in 2 and both fail in 1 pairs"),
])
def test_all_concordant_pairs_are_uninformative(a: list[bool], b: list[bool], words: str) -> None:
    d = success_rule(a, b)
    assert d.outcome == "uninformative" and d.ci == (None, None) and words in d.reason


def test_success_rule_rejects_unequal_lengths() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        success_rule([True, False], [True])


def test_vectorised_success_codes_agree_with_binomtest() -> None:
    for m in range(0, 26):
        for k in range(m + 1):
            code = int(success_codes(np.array([k]), np.array([m - k]))[0])
            if m == 0:
                assert OUTCOMES[code] == "uninformative"
                continue
            p = sps.binomtest(k, m, 0.5).pvalue
            want = "inconclusive" if p >= 0.05 else ("a_better" if k > m - k else "b_better")
            assert OUTCOMES[code] == want, (k, m)


def test_ratio_rule_geometric_mean_and_symmetry() -> None:
    r = np.array([0.80, 0.85, 0.78, 0.82])
    fwd, inv = ratio_rule(r), ratio_rule(1 / r)
    assert fwd.outcome == "a_better" and inv.outcome == "b_better"
    assert fwd.estimate == pytest.approx(float(np.exp(np.log(r).mean())))
    assert fwd.estimate * inv.estimate == pytest.approx(1.0)
    assert fwd.ci[0] * inv.ci[1] == pytest.approx(1.0) and fwd.ci[0] < fwd.estimate < fwd.ci[1]
    assert fwd.p_value == pytest.approx(sps.ttest_1samp(np.log(r), 0.0).pvalue)
    same = ratio_rule([1.01, 0.99, 1.0, 1.005, 0.995, 1.002])
    assert same.outcome == "equivalent"
    assert 1 / 1.05 < same.ci[0] and same.ci[1] < 1.05
    assert ratio_rule([0.9, 0.9, 0.9]).outcome == "uninformative"
    assert ratio_rule([0.9, -1.0, math.nan, 0.8]).n == 2


def test_holm_is_statsmodels_holm_and_rows_agree() -> None:
    p = [0.01, 0.04, 0.03, 0.2]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert holm([0.01, None]) == pytest.approx([0.02, 1.0]) and holm([]) == []
    rng = np.random.default_rng(3)
    rows = rng.uniform(0, 0.2, (5, 4))  # statsmodels' holm runs gc.collect(): slow
    rows[0, 1] = rows[0, 2]  # ties
    assert holm_rows(rows) == pytest.approx(np.array([holm(list(r)) for r in rows]))


