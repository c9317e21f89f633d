"""What each profile plans: every claim has experiments, a subset runs only its own."""

from __future__ import annotations

import pytest

from gatebench.claims.plan import plan_suite
from gatebench.claims.registry import claim_ids
from gatebench.errors import UnknownNameError


def test_quick_plan_feeds_every_claim() -> None:
    plan = plan_suite("quick")
    fed = {c for s in plan.studies for c in s.claims}
    assert fed | {"speed", "inference"} == set(claim_ids()) - {"cell-vs-rest"}
    assert not plan.importance  # opt-in on the quick profile: --claims cell-vs-rest
    assert plan.step_timings and plan.latency is not None
    assert {t.impl for t in plan.step_timings} == {"native", "neutral"}
    assert {t.sizing for t in plan.step_timings} == {"hidden", "params"}
    assert len({s.study_id for s in plan.studies}) == len(plan.studies)
    assert plan.cost.split()[0].isdigit() and "2 CPU cores" in plan.cost


def test_cell_vs_rest_plans_importance_studies_of_two_families() -> None:
    plan = plan_suite("quick", ("cell-vs-rest",))
    assert not plan.studies and not plan.step_timings and plan.latency is None
    assert [i.study_id for i in plan.importance] == ["importance/italy-power",
                                                     "importance/sunspots"]
    assert {i.study_id for i in plan_suite("full").importance} == {
        i.study_id for i in plan.importance}


def test_full_profile_is_bigger_than_quick() -> None:
    quick, full = plan_suite("quick"), plan_suite("full")
    trials = [sum(len(s.spec.trials()) for s in p.studies) for p in (quick, full)]
    assert trials[1] > 2 * trials[0]
    assert len(full.step_timings) > len(quick.step_timings)


def test_a_subset_plans_only_what_it_reads() -> None:
    plan = plan_suite("quick", ("long",))
    assert plan.studies and all(s.study_id.startswith("long/") for s in plan.studies)
    assert not plan.step_timings and plan.latency is None
    speed = plan_suite("quick", ("speed",))
    assert speed.step_timings and speed.latency is None


@pytest.mark.parametrize("profile, claims", [("huge", None), ("quick", ("speed", "magic"))])
def test_unknown_names_list_the_known_ones(profile, claims) -> None:
    with pytest.raises(UnknownNameError, match="known"):
        plan_suite(profile, claims)
