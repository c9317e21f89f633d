"""Margins in units of the task's skill, and per-arm failure rates with exact upper bounds."""

from __future__ import annotations

import pytest
from scipy import stats as sps

from gatebench.analysis.margins import (
    FALLBACK,
    GIVEN,
    SKILL,
    SKILL_SHARE,
    failure_rate_bound,
    failure_rates,
    skill_margin,
)
from gatebench.analysis.summary import summarize
from gatebench.protocol.record import TaskDescription


def _task(metric: str, value: float, n_test: int = 1000) -> TaskDescription:
    return TaskDescription("toy", "synthetic",
                           description={"kind": "classify", "n_test": n_test,
                                        "baseline": {"metric": metric, "value": value,
                                                     "what": "majority class"}})


@pytest.fixture
def pairs_on(make_pairs):
    """Paired records on a task that recorded a trivial baseline (metric, value)."""
    def make(gru, lstm, baseline: tuple[str, float], **kwargs):
        return [r.tagged(task=_task(*baseline)) for r in make_pairs(gru, lstm, **kwargs)]
    return make


def test_accuracy_margin_is_a_share_of_the_points_above_the_baseline(pairs_on) -> None:
    # both arms about 65% against a 43% baseline: 22 points of skill, a 2.2-point margin
    recs = pairs_on([0.66, 0.64, 0.65], [0.65, 0.66, 0.64], ("accuracy", 0.43))
    m = skill_margin(recs)
    assert m.source == SKILL and m.skill == pytest.approx(22.0)
    assert m.value == pytest.approx(SKILL_SHARE * 22.0) and m.baseline == 0.43
    assert "10% of the arms' skill" in m.text and "points above the trivial baseline" in m.text


def test_error_margin_is_a_share_of_the_naive_error_removed(pairs_on) -> None:
    # naive MAE 10, the arms about 6: they remove 40% of it; the margin is 4% lower error
    recs = pairs_on([6.0, 6.2, 5.8], [6.1, 5.9, 6.0], ("mae", 10.0), metric="mae",
                    higher_is_better=False)
    m = skill_margin(recs)
    assert m.source == SKILL and m.skill == pytest.approx(40.0, abs=0.01)
    assert m.value == pytest.approx(4.0, abs=0.01) and "% lower error" in m.text


def test_the_given_margin_wins_and_no_baseline_falls_back(pairs_on, make_pairs) -> None:
    recs = pairs_on([0.66, 0.64, 0.65], [0.65, 0.66, 0.64], ("accuracy", 0.43))
    given = skill_margin(recs, 0.5)
    assert (given.value, given.source) == (0.5, GIVEN) and "--margin" in given.text
    plain = skill_margin(make_pairs([0.66, 0.64], [0.65, 0.66]))
    assert (plain.value, plain.source) == (1.0, FALLBACK)
    assert "no trivial baseline recorded" in plain.text
    # arms at the baseline have no skill to take a share of
    none = skill_margin(pairs_on([0.43, 0.42], [0.43, 0.41], ("accuracy", 0.43)))
    assert none.source == FALLBACK and "no skill" in none.text


def test_summary_uses_the_skill_margin_and_says_where_it_came_from(pairs_on) -> None:
    recs = pairs_on([0.66, 0.64, 0.65], [0.65, 0.66, 0.64], ("accuracy", 0.43))
    s = summarize(recs)
    assert s["protocol"]["margin"] == pytest.approx(2.2)
    assert s["verdict"]["margin"] == pytest.approx(2.2)
    assert s["protocol"]["margin_source"]["source"] == SKILL
    assert summarize(recs, margin=1.0)["protocol"]["margin_source"]["source"] == GIVEN


@pytest.mark.parametrize(("failures", "n"), [(0, 8), (0, 3), (1, 10), (4, 12), (5, 5)])
def test_failure_rate_bound_is_the_exact_one_sided_clopper_pearson(failures: int,
                                                                   n: int) -> None:
    upper = failure_rate_bound(failures, n)
    if failures == n:
        assert upper == 1.0
    else:  # the rate at which seeing this few failures has probability 5%
        assert sps.binom.cdf(failures, n, upper) == pytest.approx(0.05, abs=1e-9)
    assert failure_rate_bound(0, 8) == pytest.approx(0.312, abs=0.001)  # "up to 31%"


def test_failure_rate_bound_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="failures"):
        failure_rate_bound(3, 2)


def test_failure_rates_per_arm_in_the_summary(pairs_on) -> None:
    # one GRU trial ends at the baseline: a failure to train; the LSTM had none in 8
    gru = [0.43] + [0.66] * 7
    recs = pairs_on(gru, [0.65] * 8, ("accuracy", 0.43))
    rates = failure_rates(recs, ("gru", "lstm"), margin=2.0)
    assert (rates["gru"]["failed"], rates["gru"]["n"]) == (1, 8)
    assert rates["lstm"]["text"] == ("0 of 8 failed to train: a rate up to 31% cannot be "
                                     "excluded (95%)")
    assert summarize(recs)["failures"]["lstm"]["upper"] == pytest.approx(0.312, abs=0.001)
