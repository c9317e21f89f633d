"""The terminal lines of studies that finish: the plan, the budget used, the pick's panel."""

from __future__ import annotations

from rich.console import Console

from gatebench.cli.display import budget_line, plan_text
from gatebench.cli.pick import render_decision


def test_the_plan_shows_the_default_budget_and_maximum() -> None:
    assert plan_text(None, 30, 600.0, "quality") == (
        "Seeds: auto, adding pairs until decided: at most 30 pairs within 600 s "
        "(--max-seeds, --time-budget); pick priority: quality.")
    assert plan_text(3, 30, 600.0, "latency") == "Seeds: 3 fixed pairs; pick priority: latency."


def test_the_budget_line_says_what_was_used_and_why_it_can_overrun() -> None:
    assert budget_line({"elapsed_s": 100, "time_budget_s": 150, "pairs_run": 5,
                        "max_seeds": 30}) == "Budget: 100 s of 150 s used (67%); 5 of at " \
                                             "most 30 pairs"
    over = budget_line({"elapsed_s": 434, "time_budget_s": 150, "pairs_run": 3,
                        "max_seeds": 30})
    assert "(289%)" in over and over.endswith("the first look's pairs run whatever the budget")


def test_the_pick_panel_holds_the_headline_reasons_and_notes() -> None:
    console = Console(record=True, width=200)
    render_decision({"headline": "Pick LSTM: training 1.42\u00d7 faster [1.30, 1.55] here",
                     "reasons": ["accuracy: equivalent within \u00b11 points",
                                 "size: same size"],
                     "notes": ["3 arms: the pick weighs the first two"],
                     "priority": "quality"}, console)
    text = console.export_text()
    for part in ("The pick, for this data on this hardware", "Pick LSTM: training 1.42",
                 "\u2022 accuracy: equivalent within \u00b11 points", "\u2022 size: same size",
                 "3 arms: the pick weighs the first two", "priority: quality"):
        assert part in text, part
    render_decision(None, console)  # a summary without a pick prints nothing more
    assert console.export_text() == ""


def test_the_budget_line_counts_pairs_run_past_the_deciding_look() -> None:
    line = budget_line({"elapsed_s": 30, "time_budget_s": 600, "pairs_run": 6,
                        "max_seeds": 100, "seeds_past_stop": 1})
    assert line.startswith("Budget: 30 s of 600 s used (5%); 6 of at most 100 pairs (1 more "
                           "ran in the same parallel round, past the deciding look")
