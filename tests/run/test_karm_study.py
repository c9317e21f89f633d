"""Bake-offs of three arms or more through the study loop: every arm on the same pairs, the
ranking in summary.json and the terminal, --reference, and --seeds auto on the ranking."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gatebench.api import study_spec, task_spec
from gatebench.cli.main import main
from gatebench.errors import SpecError
from gatebench.run.study import ranking_decided
from tests.analysis.conftest import _make_record

OPTIONS = {"text_col": "review", "label_col": "sentiment"}
# --executor local: trials in this process (auto would spawn a process pool: seconds of imports)
BASE = ["--text-col", "review", "--label-col", "sentiment", "--hidden", "8", "--embed-dim", "8",
        "--threads", "1", "--no-latency", "--max-epochs", "1", "--executor", "local"]


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_four_cells_share_pairs_and_rank(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    # hidden 16: the stacked minimal cells' counts step too coarsely at 8 to land within 1%
    base = [("16" if a == "8" and BASE[i - 1] == "--hidden" else a) for i, a in enumerate(BASE)]
    args = ["compare", str(reviews_csv), *base, "--cells", "gru,lstm,mingru,minlstm",
            "--seeds", "2", "--out", str(tmp_path / "k"), "--json"]
    code, stdout, err = _run(args, capsys)
    assert code == 0, err
    summary = json.loads(stdout)
    assert list(summary["cells"]) == ["gru", "lstm", "mingru", "minlstm"]
    assert len(summary["pairwise"]) == 6 and summary["n_pairs"] == 2
    assert {row["arm"] for row in summary["ranking"]["order"]} == set(summary["cells"])
    assert summary["difference"]["what"] == "gru \u2212 lstm"  # the two-arm keys stay
    # same split and batch order per pair: one pair key per seed across all four arms
    assert (tmp_path / "k" / "report.html").read_text().count('id="ranking"') == 1
    code, stdout, err = _run(args[:-1], capsys)  # resumes; the terminal shows the ranking
    assert code == 0 and "Ranking (" in stdout and "MINGRU" in stdout


def test_reference_must_be_an_arm(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    code, _, err = _run(["compare", str(reviews_csv), *BASE, "--cells", "gru,lstm,mingru",
                         "--reference", "rnn", "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "--reference 'rnn' is not one of the arms (gru, lstm, mingru)" in err


def test_seeds_auto_stops_when_the_ranking_is_decided(reviews_csv: Path) -> None:
    spec = study_spec(task_spec(reviews_csv, **OPTIONS), cells=("gru", "lstm", "mingru"),
                      seeds="auto", max_pairs=10)
    spec.validate()  # three arms may run adaptively
    far = {"gru": 0.9, "lstm": 0.8, "mingru": 0.7}
    rng = np.random.default_rng(0)
    records = [_make_record(c, k, far[c] + 0.005 * float(rng.standard_normal()))
               for k in range(10) for c in far]
    stop, look = ranking_decided(records[:9], spec)  # 3 pairs: too few for alpha / 3
    assert look["pairs"] == 3 and look["verdict"].startswith("ranking")
    stop, look = ranking_decided(records, spec)
    assert stop and look["decided"] and "1. GRU \u00b7 2. LSTM \u00b7 3. MINGRU" in look["verdict"]
    with pytest.raises(SpecError, match="not one of the arms"):
        study_spec(task_spec(reviews_csv, **OPTIONS), cells=("gru", "lstm", "mingru"),
                   reference="minlstm").validate()


def test_a_k_arm_study_records_its_time_budget(reviews_csv: Path, tmp_path: Path) -> None:
    from gatebench.cli.display import budget_line
    from gatebench.run import run_study
    from gatebench.store import open_store

    spec = study_spec(task_spec(reviews_csv, **OPTIONS), cells=("gru", "lstm", "mingru"),
                      seeds="auto", max_pairs=3, time_budget=300, hidden=16, embed_dim=8,
                      max_epochs=1, threads=1)
    run_study(spec, tmp_path / "k3")
    with open_store(tmp_path / "k3") as store:
        state = store.study_state("compare")
    assert state["time_budget_s"] == 300 and 0 < state["elapsed_s"] < 300
    assert budget_line(state).startswith(f"Budget: {state['elapsed_s']:.0f} s of 300 s used")
