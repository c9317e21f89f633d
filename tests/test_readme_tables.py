"""tools/readme_tables.py rewrites only what lies between its markers, from the evidence."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "readme_tables.py"


def _module(path: Path):
    """A script outside the package (tools/, benchmarks/), loaded by its path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool():
    return _module(TOOL)


def test_the_claims_table_comes_from_the_evidence(tmp_path: Path) -> None:
    tool = _tool()
    evidence = {"command": "gatebench suite --profile quick", "claims": [
        {"id": "speed", "statement": "GRU trains faster", "verdict": "mixed",
         "depends_on": "the batch size", "reason": "r",
         "effect": {"what": "w", "value": 0.93, "ci": [0.87, 0.99], "unit": "ratio"},
         "would_change": "more rounds | at batch 64"},
        {"id": "long", "statement": "LSTM wins", "verdict": "inconclusive", "reason": "r",
         "effect": {"what": "w", "value": None, "ci": [None, None], "unit": "ratio"}}]}
    (tmp_path / "claims.json").write_text(json.dumps(evidence))
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- claims:start -->\nold table\n<!-- claims:end -->\nend\n")
    args = ["--readme", str(readme), "--evidence", str(tmp_path / "claims.json")]
    assert tool.main([*args, "--check"]) == 1
    assert tool.main(args) == 0
    text = readme.read_text()
    assert text.startswith("intro\n<!-- claims:start -->\n| claim |") and text.endswith(
        "<!-- claims:end -->\nend\n")
    assert "old table" not in text
    assert "| **speed**: GRU trains faster | mixed (depends on the batch size) | " \
           "0.93\u00d7 [0.87, 0.99] | more rounds \\| at batch 64 |" in text
    assert "| **long**: LSTM wins | inconclusive | \u2013 | \u2013 |" in text
    assert tool.main([*args, "--check"]) == 0


def test_missing_markers_are_named(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n")
    (tmp_path / "claims.json").write_text('{"claims": []}')
    with pytest.raises(SystemExit, match="claims:start"):
        _tool().main(["--readme", str(readme), "--evidence", str(tmp_path / "claims.json")])


def test_the_decisiveness_table_comes_from_the_benchmark_rows(tmp_path: Path) -> None:
    tool = _tool()
    assert "No decisiveness run recorded" in tool.decisiveness({}, tmp_path / "none.json")
    rows = [{"task": "nile", "verdict": "GRU better", "outcome": "a_better", "pairs": 9,
             "wall_s": 95.2, "budget_share": 0.16, "bound": None, "unit": "% lower error",
             "pick": "Pick GRU: GRU better"},
            {"task": "gunpoint", "verdict": "inconclusive", "outcome": "inconclusive",
             "pairs": 12, "wall_s": 590.0, "budget_share": 0.98, "bound": 4.25,
             "unit": "points", "pick": "Either GRU or LSTM | undecided"}]
    path = tmp_path / "decisiveness.json"
    path.write_text(json.dumps({"command": "python benchmarks/decisiveness.py", "rows": rows,
                                "decided": 1, "machine": "x86_64", "generated": "today"}))
    table = tool.decisiveness({}, path)
    assert "| nile | GRU better | 9 | 95 | 16% | \u2013 | Pick GRU: GRU better |" in table
    assert "| gunpoint | inconclusive | 12 | 590 | 98% | \u00b14.25 points | " \
           "Either GRU or LSTM \\| undecided |" in table
    assert "Decided (a winner or equivalence): **1 of 2** tasks" in table


def test_the_scaling_block_quotes_the_shipped_benchmark(tmp_path: Path, monkeypatch) -> None:
    tool = _tool()
    point = {"cell": "gru", "n_train": 1000, "seq_len": 64, "per_epoch_s": 0.51, "threads": 1,
             "tokens_per_s": 125_000.0, "peak_rss_mb": 612.0, "added_rss_mb": 14.0}
    result = {
        "rows": {"points": [point, {**point, "n_train": 4000, "per_epoch_s": 2.1}],
                 "slopes": {"gru": {"per_epoch_s": 1.02, "tokens_per_s": -0.01,
                                    "peak_rss_mb": 0.03, "added_rss_mb": None}}},
        "length": {"points": [], "slopes": {}},
        "setup": {"command": "python benchmarks/scaling.py --quick", "hidden": 64, "batch": 64,
                  "task": "adding", "seconds": 90, "env": {"threads": 2, "cpu": "X"}},
    }
    shipped = tmp_path / "scaling.json"
    shipped.write_text(json.dumps(result))
    monkeypatch.setattr(tool, "SCALING", shipped)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    text = tool.scaling_tables({})
    assert "| GRU | 4,000 | 64 | 2.1 | 125,000 | 612 | 14 |" in text
    assert "| training rows | GRU | +1.02 | -0.01 | +0.03 | \u2013 |" in text
    assert "`python benchmarks/scaling.py --quick`" in text and "1 thread(s) per trial" in text
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- scaling:start -->\nold\n<!-- scaling:end -->\n"
                      "<!-- claims:start -->\n<!-- claims:end -->\n")
    (tmp_path / "claims.json").write_text(json.dumps({"claims": []}))
    assert tool.main(["--readme", str(readme), "--evidence", str(tmp_path / "claims.json")]) == 0
    assert "| GRU | 1,000 | 64 | 0.51 |" in readme.read_text()


def test_scaling_slopes_are_growth_exponents() -> None:
    spec = importlib.util.spec_from_file_location(
        "scaling", TOOL.parent.parent / "benchmarks" / "scaling.py")
    scaling = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaling)
    points = [{"n": n, "t": 3.0 * n, "m": 5.0 * n ** 0.5} for n in (1, 4, 16, 64)]
    assert scaling.slope(points, "n", "t") == pytest.approx(1.0)
    assert scaling.slope(points, "n", "m") == pytest.approx(0.5)
    assert scaling.slope(points[:1], "n", "t") is None


def test_time_to_decision_quotes_each_run_and_the_best_parallel_trials_could_do(
        tmp_path: Path) -> None:
    bench = _module(TOOL.parent.parent / "benchmarks" / "time_to_decision.py")
    tool = _tool()
    local = {"mode": "local", "wall_s": 20.0, "outcome": "equivalent", "verdict": "equivalent",
             "pairs": 6, "time_ratio": 2.0, "time_ratio_ci": [1.9, 2.1],
             "stages_s": {"set-up": 0.1, "timing pass": 5.0, "trials": 10.0}}
    # half the run is trials: on 2 cores the other half stays, at best 15 s of 20
    assert bench.ideal_ratio(local, 2) == pytest.approx(0.75)
    assert bench.ideal_ratio({**local, "stages_s": {}}, 2) is None
    default = {**local, "mode": "default", "wall_s": 18.0,
               "stages_s": {"set-up": 1.0, "timing pass": 5.0, "trials": 8.0}}
    row = {"task": "nile", "default": default, "local": local, "wall_ratio": 0.9,
           "ideal_wall_ratio": 0.75, "same_verdict": True, "ratio_agrees": True}
    path = tmp_path / "ttd.json"
    path.write_text(json.dumps({"command": "python benchmarks/time_to_decision.py",
                                "machine": "x86_64", "generated": "today", "rows": [row],
                                "geomean_wall_ratio": 0.9, "geomean_ideal_wall_ratio": 0.75}))
    text = tool.time_to_decision({}, path)
    assert "| nile | equivalent | 6 / 6 | 18 | 20 | 0.90 | 0.75 | 2.00 [1.90, 2.10] |" in text
    assert "geometric mean **0.75**" in text and "wall time: **0.90**" in text
    assert "| nile | default | 1.0 | 5.0 | 8.0 | 0.0 | 4.0 | 18.0 |" in text
