"""`gatebench mlflow` on suite and importance folders: a parent per claim and per study."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatebench.api import study_spec, task_spec
from gatebench.claims.plan import PlannedStudy, SuitePlan
from gatebench.cli.main import main
from gatebench.run.suite import run_plan
from tests.conftest import make_reviews

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra: pip install 'gatebench[mlflow]'")
from mlflow import MlflowClient  # noqa: E402


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def logged(out_dir: Path) -> tuple[list, dict[str, list]]:
    """Parents and each parent's children in the folder's own store."""
    client = MlflowClient(f"sqlite:///{out_dir / 'mlflow.db'}")
    runs = client.search_runs([client.get_experiment_by_name("gatebench").experiment_id],
                              max_results=1000)
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    return parents, {p.info.run_id: [r for r in runs if r.data.tags.get("mlflow.parentRunId")
                                     == p.info.run_id] for p in parents}


def test_suite_logs_a_parent_per_claim_and_per_study(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "reviews.csv"
    make_reviews().to_csv(csv, index=False)
    spec = study_spec(task_spec(csv, text_col="review", label_col="sentiment"), seeds=2,
                      max_epochs=2, patience=2, hidden=8, embed_dim=8, batch_size=32, threads=1)
    plan = SuitePlan(profile="quick", claims=("short", "convergence"),
                     studies=(PlannedStudy("short/reviews", spec, ("short", "convergence")),),
                     cost="toy")
    out = tmp_path / "suite"
    run_plan(plan, out)
    claims = json.loads((out / "claims.json").read_text())["claims"]
    for attempt in range(2):
        code, stdout, err = run_cli(["mlflow", str(out)], capsys)
        assert code == 0, err
        assert ("4 created" if attempt == 0 else "4 kept") in stdout
        parents, children = logged(out)
        by_kind = {}
        for p in parents:
            by_kind.setdefault(p.data.tags["gatebench.kind"], []).append(p)
        assert {p.data.tags["claim"]: p.data.tags["verdict"] for p in by_kind["claim"]} == \
            {c["id"]: c["verdict"] for c in claims}
        (study,) = by_kind["suite"]
        assert study.data.tags["gatebench.study_id"] == "short/reviews"
        assert len(children[study.info.run_id]) == 4  # 2 seeds x GRU, LSTM


def test_importance_logs_shares_and_design_points(tmp_path: Path, capsys) -> None:
    csv = tmp_path / "reviews.csv"
    make_reviews().to_csv(csv, index=False)
    out = tmp_path / "imp"
    code, _, err = run_cli(["importance", str(csv), "--text-col", "review", "--label-col",
                            "sentiment", "--factors", "cell,lr", "--trials", "8",
                            "--max-epochs", "1", "--hidden", "8", "--threads", "1",
                            "--out", str(out)], capsys)
    assert code == 0, err
    result = json.loads((out / "importance.json").read_text())
    code, stdout, err = run_cli(["mlflow", str(out)], capsys)
    assert code == 0 and "8 created" in stdout, err
    (parent,), children = logged(out)
    assert parent.data.tags["gatebench.kind"] == "importance"
    for factor, share in result["shares"].items():
        assert parent.data.metrics[f"{factor}.share"] == pytest.approx(share["share"])
    trials = children[parent.info.run_id]
    assert len(trials) == 8
    assert {t.data.params["design.cell"] for t in trials} == {"gru", "lstm"}
    assert len({t.data.params["design.lr"] for t in trials}) == 2
