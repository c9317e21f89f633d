"""The verdict box shows the training-health lines; the protocol table shows the step floor."""

from __future__ import annotations

import json
from pathlib import Path

from gatebench.analysis.health import apply_health, health_checks
from gatebench.report import build_report
from gatebench.store import open_store


def _with_health(folder: Path, still_improving: bool) -> dict:
    """Add health checks (and the verdict they give) to a golden study's summary.json.

    The golden validation loss turns up after epoch 3: a checkpoint there is healthy; one at
    the last epoch means the trial was still improving when its epochs ran out.
    """
    with open_store(folder) as store:
        records = [r.tagged(best_epoch=r.epochs_run if still_improving else 3)
                   for r in store.records()]
    path = folder / "summary.json"
    summary = json.loads(path.read_text())
    summary["health"] = health_checks(records, arms=("gru", "lstm"), margin=1.0)
    summary["verdict"] = apply_health(summary["verdict"], summary["health"], ("gru", "lstm"))
    summary["study"]["training_floor"] = ["max epochs 6 \u2192 38: at 8 step(s) per epoch"]
    path.write_text(json.dumps(summary))
    build_report(folder)
    return summary


def _verdict_box(folder: Path) -> tuple[str, str]:
    html = (folder / "report.html").read_text(encoding="utf-8")
    start = html.index('id="verdict"')
    md = (folder / "report.md").read_text(encoding="utf-8")
    return html[start:html.index("</section>", start)], md


def test_verdict_box_leads_with_the_failed_check(study) -> None:
    folder = study()
    summary = _with_health(folder, still_improving=True)
    assert summary["verdict"]["health"] == ["still-improving"]
    box, md = _verdict_box(folder)
    assert '<ul class="health">' in box
    assert '<li class="fail"><b>fail</b> still-improving: ' in box
    assert "raise --max-epochs" in box
    assert box.index("Verdict: inconclusive") < box.index("still-improving")
    assert "- **fail** still-improving: " in md and "Training health:" in md
    assert "step floor" in md and "max epochs 6 \u2192 38" in md


def test_a_healthy_study_shows_one_passed_line(study) -> None:
    folder = study()
    _with_health(folder, still_improving=False)
    box, md = _verdict_box(folder)
    assert '<li class="fail">' not in box and '<li class="warn">' not in box
    assert '<li class="ok"><b>ok</b> passed: ' in box and "diverged" in box
    assert "- **ok** passed: " in md


def test_old_summaries_without_health_render_no_health_list(study) -> None:
    folder = study()
    path = folder / "summary.json"
    summary = json.loads(path.read_text())
    summary.pop("health", None)  # written before the checks existed
    path.write_text(json.dumps(summary))
    build_report(folder)
    box, md = _verdict_box(folder)
    assert 'class="health"' not in box and "Training health:" not in md
