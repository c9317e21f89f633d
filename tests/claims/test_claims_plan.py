"""What each profile plans: every claim has experiments, a subset runs only its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gatebench.claims.cost import describe, estimate, timing_work
from gatebench.claims.plan import plan_suite
from gatebench.claims.registry import claim_ids
from gatebench.errors import UnknownNameError
from gatebench.run.suite import previous_measurements


def test_quick_plan_feeds_every_claim() -> None:
    plan = plan_suite("quick")
    fed = {c for s in plan.studies for c in s.claims}
    assert fed | {"speed", "speed-architecture", "inference"} == (
        set(claim_ids()) - {"cell-vs-rest", "contenders"})
    assert not plan.importance  # opt-in on the quick profile: --claims cell-vs-rest
    assert plan.step_timings and plan.latency is not None
    assert {t.impl for t in plan.step_timings} == {"native", "neutral"}
    assert len({s.study_id for s in plan.studies}) == len(plan.studies)
    assert plan.cost.split()[0].isdigit()


def test_quick_speed_grid_covers_the_regimes() -> None:
    timings = plan_suite("quick", ("speed",)).step_timings
    assert {t.batch for t in timings} >= {1, 32, 64}
    assert max(t.hidden for t in timings) >= 256
    assert plan_suite("quick").timing_rounds >= 5  # an interval per configuration


def test_quick_long_probes_generalise_at_matched_parameters() -> None:
    plan = plan_suite("quick", ("long",))
    ids = {s.study_id for s in plan.studies}
    assert ids == {"long/anbn/N=16"}  # trained on a larger N than before (8)
    anbn = next(s for s in plan.studies if s.study_id == "long/anbn/N=16").spec
    assert anbn.task.option("seq_len") >= 2 * 3 * anbn.task.option("n_train_max")  # to 3N
    assert all(s.spec.sizing.match == "params" for s in plan.studies)
    assert any("adding left out of quick" in n and "T \u2265 400" in n for n in plan.notes)
    assert any("copy memory left out" in n for n in plan.notes)
    full = plan_suite("full", ("long",))
    assert {"long/adding/T=400", "long/adding/T=800"} <= {s.study_id for s in full.studies}
    assert all(s.spec.sizing.match == "params" for s in full.studies)


def test_quick_budgets_let_trials_finish_and_iteration_has_two_tasks() -> None:
    by_id = {s.study_id: s.spec for s in plan_suite("quick").studies}
    assert by_id["short/rotten-tomatoes"].train.max_epochs >= 8  # was a 4-epoch cap
    assert by_id["short/italy-power"].train.max_epochs >= 100  # was a 43-epoch cap
    tasks = {sid.split("/")[1] for sid in by_id if sid.startswith("iteration/")}
    assert tasks == {"rotten-tomatoes", "italy-power"}


def test_small_fractions_get_the_steps_of_the_full_set() -> None:
    plan = plan_suite("quick", ("small-data",))
    by_id = {s.study_id: s.spec for s in plan.studies}
    full, tenth = by_id["small/rotten-tomatoes"], by_id["small/rotten-tomatoes/f=0.1"]
    assert tenth.data_fractions == (0.1,)
    assert tenth.train.max_epochs == 10 * full.train.max_epochs
    # no early stopping below the full set: the gap is read at the fixed step budget
    assert tenth.train.patience == tenth.train.max_epochs
    assert full.train.patience < full.train.max_epochs


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
    assert {t.sizing for t in full.step_timings} == {"hidden", "params"}


def test_a_subset_plans_only_what_it_reads() -> None:
    plan = plan_suite("quick", ("long",))
    assert plan.studies and all(s.study_id.startswith("long/") for s in plan.studies)
    assert not plan.step_timings and plan.latency is None
    speed = plan_suite("quick", ("speed",))
    assert speed.step_timings and speed.latency is None


def test_cost_is_estimated_from_measurements_not_typed_in() -> None:
    quick, full = plan_suite("quick"), plan_suite("full")
    measured = {
        "trials": [{"task": s.spec.task.name, "options": dict(s.spec.task.options),
                    "max_epochs": s.spec.train.max_epochs,
                    "epochs_run": s.spec.train.max_epochs // 2 or 1,
                    "data_fraction": s.spec.data_fractions[0],
                    "hidden": s.spec.sizing.reference_hidden, "wall_s": 2.0}
                   for s in quick.studies],
        "phases": {"step_timing": {"native": {"seconds": 10.0, "work": timing_work(32, 50, 128,
                                                                                   100)},
                                   "neutral": {"seconds": 30.0,
                                               "work": timing_work(32, 50, 128, 100)}},
                   "latency": {"seconds": 6.0, "configs": 6}},
        "machine": {"cpu_count": 2},
    }
    small, big = estimate(quick, measured), estimate(full, measured)
    assert 0 < small["total_s"] < big["total_s"]
    assert small["latency_s"] == pytest.approx(6.0)
    line = describe(70, big, "the quick run")
    assert "estimated from the measurements of the quick run" in line and "2 CPU cores" in line
    assert estimate(quick, None) is None and "no measured run" in describe(70, None, "")


def test_quick_profile_costs_at_most_12_minutes_by_the_shipped_measurements() -> None:
    measured, _ = previous_measurements("/nonexistent/suite/folder")  # the shipped run's
    est = estimate(plan_suite("quick"), measured)
    assert est is not None and not est["unmeasured_tasks"]
    assert est["total_s"] <= 12 * 60


def test_a_study_without_early_stopping_is_costed_at_every_epoch() -> None:
    plan = plan_suite("quick", ("small-data",))
    tenth = next(s for s in plan.studies if s.study_id == "small/rotten-tomatoes/f=0.1")
    entry = {"task": "rotten-tomatoes", "options": {}, "max_epochs": 10, "epochs_run": 5,
             "data_fraction": 0.1, "hidden": 64, "wall_s": 1.0, "study": "x"}
    one = replace(plan, studies=(tenth,))
    est = estimate(one, {"trials": [entry], "phases": {}, "machine": {}})
    rate = 1.0 / (5 * 0.1 * 64 * 64)
    assert est["trials_s"] == pytest.approx(6 * rate * 80 * 0.1 * 64 * 64)  # 80 epochs, all


@pytest.mark.parametrize("profile, claims", [("huge", None), ("quick", ("speed", "magic"))])
def test_unknown_names_list_the_known_ones(profile, claims) -> None:
    with pytest.raises(UnknownNameError, match="known"):
        plan_suite(profile, claims)


def test_phases_the_measurements_lack_are_named_not_priced_at_zero_silently() -> None:
    plan = plan_suite("quick", ("speed",))
    entry = {"task": "rotten-tomatoes", "options": {}, "max_epochs": 8, "epochs_run": 8,
             "data_fraction": 1.0, "hidden": 64, "wall_s": 8.0, "study": "x"}
    est = estimate(plan, {"trials": [entry], "phases": {}, "machine": {"cpu_count": 2}})
    assert est["unpriced_phases"] == ["training-step timing"]
    assert "not priced, as that run measured none: training-step timing" in describe(6, est, "x")
