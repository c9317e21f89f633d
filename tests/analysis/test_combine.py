"""The one combining rule, outcome by outcome, on crafted per-task decisions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gatebench.analysis import rules
from gatebench.analysis.combine import (
    BETTER,
    CLAIM_OUTCOMES,
    MATCHES,
    TaskTest,
    better_test,
    combine,
    combine_codes,
    holm_informative,
    matches_test,
    ratio_threshold_test,
)
from gatebench.analysis.rules import OUTCOMES, Decision, holm_rows

WINNERS_OR_MIXED = ("a_better", "b_better", "mixed")


def _d(outcome: str, estimate: float | None, p: float | None,
       p_eq: float | None = None, rule: str = "paired") -> Decision:
    return Decision(outcome, estimate, (None, None), p, 8, "test", "why", p_equivalence=p_eq,
                    rule=rule)


A_WINS = _d("a_better", 2.0, 0.001, 0.9)
B_WINS = _d("b_better", -2.0, 0.001, 0.9)
EQUAL = _d("equivalent", 0.1, 0.6, 0.001)
UNDECIDED = _d("inconclusive", 0.5, 0.4, 0.3)
SILENT = _d("uninformative", None, None)


def _better(*decisions: Decision) -> str:
    return combine({f"t{i}": better_test(d) for i, d in enumerate(decisions)}, BETTER).verdict


def _matches(*decisions: Decision) -> str:
    return combine({f"t{i}": matches_test(d) for i, d in enumerate(decisions)}, MATCHES).verdict


@pytest.mark.parametrize(("decisions", "verdict"), [
    ((A_WINS,), "supported"),
    ((A_WINS, UNDECIDED, SILENT), "supported"),  # one for, none against
    ((B_WINS,), "refuted"),
    ((EQUAL, UNDECIDED), "refuted"),  # equivalent survives Holm: A is not better
    ((A_WINS, B_WINS), "mixed"),
    ((A_WINS, EQUAL), "mixed"),
    ((UNDECIDED, UNDECIDED), "inconclusive"),
    ((SILENT, SILENT), "inconclusive"),
    ((), "inconclusive"),
])
def test_a_better_claim_every_outcome(decisions: tuple[Decision, ...], verdict: str) -> None:
    assert _better(*decisions) == verdict


@pytest.mark.parametrize(("decisions", "verdict"), [
    ((EQUAL, EQUAL, SILENT), "supported"),  # every informative task equivalent
    ((EQUAL, UNDECIDED, UNDECIDED), "inconclusive"),  # one equivalent + undecided: not support
    ((EQUAL, A_WINS), "refuted"),  # a significant difference refutes
    ((B_WINS,), "refuted"),
    ((UNDECIDED,), "inconclusive"),
    ((SILENT,), "inconclusive"),
])
def test_a_matches_b_claim_every_outcome(decisions: tuple[Decision, ...], verdict: str) -> None:
    assert _matches(*decisions) == verdict


def test_holm_takes_away_a_lone_unadjusted_finding() -> None:
    # each p < 0.05 alone, 0.06 after Holm across two tasks: no winner, no refutation
    weak = [_d("a_better", 1.0, 0.03, 0.9), _d("a_better", 1.0, 0.04, 0.9)]
    result = combine({"x": better_test(weak[0]), "y": better_test(weak[1])}, BETTER)
    assert result.verdict == "inconclusive"
    assert [t.p_for_adjusted for t in result.tasks.values()] == pytest.approx([0.06, 0.06])


def test_an_unadjusted_equivalence_refutes_nothing() -> None:
    # TOST p = 0.04 beside two other tasks: after Holm (×3) it is no longer significant
    eq = _d("equivalent", 0.1, 0.7, 0.04)
    result = combine({"a": better_test(eq), "b": better_test(UNDECIDED),
                      "c": better_test(UNDECIDED)}, BETTER)
    assert result.verdict == "inconclusive"
    assert result.tasks["a"].reading == "undecided"
    assert result.tasks["a"].p_against_adjusted == pytest.approx(0.12)


def test_uninformative_tasks_leave_the_holm_family_and_the_tally_says_so() -> None:
    result = combine({"a": better_test(_d("a_better", 1.0, 0.03, 0.9)),
                      "b": better_test(SILENT), "c": TaskTest.silent("health check failed")},
                     BETTER)
    assert result.verdict == "supported"  # family of one: 0.03 stays 0.03
    assert result.tally() == "1 of 3 tasks informative, 1 for, 0 against"
    assert result.tasks["c"].why == "health check failed"
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["counts"]["informative"] == 1


def test_ratio_decisions_lean_by_their_estimate_and_b_can_be_favoured() -> None:
    faster = _d("a_better", 0.7, 0.001, 0.9, rule="ratio")  # A/B time 0.7: A faster
    assert combine({"x": better_test(faster)}, BETTER).verdict == "supported"
    # "B better" read from an A-vs-B decision (long: A = LSTM favoured with b_better off)
    assert combine({"x": better_test(A_WINS, favoured="b_better")}, BETTER).verdict == "refuted"


def test_threshold_test_is_for_below_support_and_against_above_refute() -> None:
    rng = np.random.default_rng(0)
    jitter = np.exp(rng.normal(0, 0.01, 6))
    assert combine({"c": ratio_threshold_test(0.75 * jitter, 0.85, 0.9)}, BETTER,
                   noun="configuration").verdict == "supported"
    assert combine({"c": ratio_threshold_test(1.05 * jitter, 0.85, 0.9)}, BETTER
                   ).verdict == "refuted"
    assert combine({"c": ratio_threshold_test(0.87 * jitter, 0.85, 0.9)}, BETTER
                   ).verdict == "inconclusive"
    assert ratio_threshold_test([0.8, 0.8, 0.8], 0.85, 0.9).uninformative
    assert ratio_threshold_test([0.8], 0.85, 0.9).uninformative


def test_holm_informative_matches_holm_within_each_rows_informative_tasks() -> None:
    rng = np.random.default_rng(4)
    p = rng.uniform(0, 0.1, (200, 4))
    informative = rng.random((200, 4)) < 0.7
    got = holm_informative(p, informative)
    for row in range(200):
        keep = informative[row]
        want = np.ones(4)
        if keep.any():
            want[keep] = holm_rows(p[row, keep][None, :])[0]
        assert got[row] == pytest.approx(want)


def test_vectorised_rule_is_never_stricter_than_combine(monkeypatch) -> None:
    # The simulations (`gatebench calibrate`, row "holm") run one Holm family of two-sided
    # p-values; the claims hold each direction's tests apart, which can only adjust more. So a
    # winner the claims name is a winner in the simulation too: its false-winner rate bounds
    # theirs.
    # statsmodels' holm runs gc.collect() on every call: the row version stands in for speed
    monkeypatch.setattr("gatebench.analysis.combine.holm", lambda p: list(holm_rows(
        np.array([[1.0 if v is None else v for v in p]]))[0]) if len(p) else [])
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 5, (300, 3))
    p = np.where(codes == 4, 1.0, rng.uniform(0, 0.06, (300, 3)))
    p_eq = rng.uniform(0, 0.1, (300, 3))
    got = combine_codes(codes, p, p_eq)
    for row in range(300):
        ds = [_d(OUTCOMES[c], 1.0 if c == 0 else -1.0, None if c == 4 else float(q), float(e))
              for c, q, e in zip(codes[row], p[row], p_eq[row], strict=True)]
        # which winner survives Holm, as the scalar rule reads it for each direction
        for_a = combine({i: TaskTest(d.p_value if d.outcome == "a_better" else None, None,
                                     d.reason if d.outcome == "uninformative" else None)
                         for i, d in enumerate(ds)}, BETTER).counts["for"]
        for_b = combine({i: TaskTest(d.p_value if d.outcome == "b_better" else None, None,
                                     d.reason if d.outcome == "uninformative" else None)
                         for i, d in enumerate(ds)}, BETTER).counts["for"]
        matched = combine({i: matches_test(d) for i, d in enumerate(ds)}, MATCHES)
        claim = CLAIM_OUTCOMES[int(got[row])]
        assert not for_a or claim in ("a_better", "mixed"), row
        assert not for_b or claim in ("b_better", "mixed"), row
        if not for_a and not for_b:  # equivalence: the same intersection-union test
            all_eq = matched.counts["informative"] and \
                matched.counts["for"] == matched.counts["informative"]
            assert (claim == "equivalent") == bool(all_eq) or claim in WINNERS_OR_MIXED, row


def test_rules_keeps_no_second_combining_rule() -> None:
    assert not hasattr(rules, "combine_tasks") and not hasattr(rules, "combine_codes")
