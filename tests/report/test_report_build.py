"""build_report on golden studies: the right sections, figures and tables for each study kind."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from gatebench.errors import GatebenchError
from gatebench.report import build_report, load_study
from gatebench.report.extras import long_range
from gatebench.report.load import StudyData

# Compare-study figures: paired seeds, time ratio, parameters, learning curves, time to metric.
BASE_FIGURES = 5


class _Page(HTMLParser):
    """Tags, attributes, section ids and style text of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.style = ""
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}


def _read(folder: Path) -> tuple[str, str, _Page]:
    html = (folder / "report.html").read_text(encoding="utf-8")
    return html, (folder / "report.md").read_text(encoding="utf-8"), _Page(html)


def test_compare_report_shows_verdict_protocol_data_and_figures(golden) -> None:
    html, md, page = _read(golden["compare"])
    assert {"verdict", "protocol", "data", "results", "speed", "learning-curves"} <= page.ids
    assert not {"claims", "data-fraction", "long-range", "latency"} & page.ids
    assert len(page.all("img")) == BASE_FIGURES
    # the verdict comes first, in words, then the protocol
    assert html.index("Verdict:") < html.index('id="protocol"') < html.index('id="data"')
    summary = json.loads((golden["compare"] / "summary.json").read_text())
    assert summary["verdict"]["text"] in html
    for text in ("H = 40", "H = 33", "8,962", "8,912", "oneDNN (mkldnn_rnn_layer)",
                 "generic ATen GRU", "torch 2.13.0+cpu", "93d8d41", "cpu, 2 threads",
                 "median 21", "fresh 7,403", "577 rows truncated", "majority class",
                 f"\u00b1{summary['protocol']['margin']:g} points (10% of the arms"):
        assert text in html, text
    for title in ("Per-seed results", "Training-time ratio", "Parameter counts",
                  "Learning curves", "Time to accuracy"):
        assert f"<b>{title}.</b>" in html


def test_markdown_twin_has_tables_and_no_images(golden) -> None:
    _, md, _ = _read(golden["compare"])
    assert md.startswith("# GRU vs LSTM on rotten-tomatoes")
    assert "## Verdict: " in md and "Speed: GRU needed" in md
    assert "| cell | hidden | params |" in md and "| seed | GRU | LSTM |" in md
    assert "data:image" not in md and "<img" not in md
    assert "*Figures in report.html: Learning curves; Time to accuracy.*" in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in rows)


def test_several_fractions_add_the_learning_curve_section(golden) -> None:
    html, md, page = _read(golden["fractions"])
    assert "data-fraction" in page.ids
    assert len(page.all("img")) == BASE_FIGURES + 1
    assert "Learning curve over data size" in html
    for pct in ("| 10% |", "| 30% |", "| 100% |"):
        assert pct in md


def test_latency_and_long_range_sections(golden) -> None:
    html, md, page = _read(golden["latency"])
    assert {"latency", "long-range"} <= page.ids
    assert len(page.all("img")) == BASE_FIGURES + 2
    assert "crossover at T = 400: LSTM significantly ahead from T = 400" in html  # the claim's
    assert "one step" in md and "3.43\u00d7" in md  # eager GRU/LSTM p50 ratio
    assert "1 latency row(s) lacked required fields" in html


def test_claims_table_colours_verdicts_and_links_to_evidence(golden) -> None:
    html, md, page = _read(golden["claims"])
    badges = {a["class"] for a in page.all("span") if "badge" in (a.get("class") or "")}
    assert badges == {f"badge {v}" for v in ("supported", "refuted", "mixed", "inconclusive")}
    links = {a["href"] for a in page.all("a")}
    for claim in ("speed", "inference", "small-data", "long", "convergence"):
        assert f"#claim-{claim}" in links and f"claim-{claim}" in page.ids
    assert "#speed" in links  # an evidence link to a section of this report
    assert not any(h.startswith("http") for h in links)  # absolute URLs stay text
    assert "upstream (https://example.org/x)" in html
    # the suite's ClaimResult shape: effect dict, evidence rows as a table, depends_on
    assert "1.2 epochs" in html and "[0.4, 2.0]" in html and "LSTM \u2212 GRU epochs" in html
    assert "gru epochs 3.1, lstm epochs 4.3" in html
    assert "diverged s1" in html
    assert "what would change this verdict" in html
    assert "a task where LSTM needs fewer steps would make it mixed" in md
    assert "\U0001f7e2 **supported**" in md and "\U0001f534 **refuted**" in md
    assert "[speed](#claim-speed-evidence)" in md


@pytest.mark.parametrize("kind", ["compare", "full"])
def test_every_image_is_an_embedded_png(golden, kind) -> None:
    _, _, page = _read(golden[kind])
    images = page.all("img")
    assert images
    for attrs in images:
        src = attrs["src"] or ""
        assert src.startswith("data:image/png;base64,"), src[:40]
        png = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1], validate=True)))
        png.verify()
        assert png.size[0] > 300 and png.size[1] > 150
        assert attrs.get("alt")


def test_html_is_self_contained(golden) -> None:
    html, _, page = _read(golden["full"])
    assert not {t for t, _ in page.tags} & {"script", "link", "iframe", "object", "embed",
                                           "base", "video", "audio", "source"}
    for _, attrs in page.tags:
        for key in ("src", "href", "srcset", "action", "poster"):
            value = attrs.get(key) or ""
            assert not re.match(r"^[a-z]+:", value) or value.startswith("data:image/png"), value
    assert "url(" not in page.style and "@import" not in page.style
    assert "@font-face" not in page.style
    assert "<style>" in html and 'charset="utf-8"' in html


def test_report_from_the_store_alone(golden, tmp_path: Path) -> None:
    folder = shutil.copytree(golden["compare"], tmp_path / "copy")
    (folder / "summary.json").unlink()
    (folder / "report.html").unlink()
    html_path, md_path = build_report(folder)
    html = html_path.read_text()
    assert "summary.json was missing" in html
    summary = json.loads((golden["compare"] / "summary.json").read_text())
    assert summary["verdict"]["text"] in html  # the recomputed summary says the same
    assert len(_Page(html).all("img")) == BASE_FIGURES
    assert md_path.is_file()
    assert not list(folder.glob(".report*"))  # no temporary files left behind


def test_report_from_summary_alone(golden, tmp_path: Path) -> None:
    folder = shutil.copytree(golden["compare"], tmp_path / "copy")
    (folder / "results.sqlite").unlink()
    html = build_report(folder)[0].read_text()
    # no histories: the pair, ratio and parameter figures only; no learning curves
    assert len(_Page(html).all("img")) == 3 and 'id="learning-curves"' not in html


def test_error_metric_with_a_diverged_trial(study) -> None:
    folder = study("errors", error_metric=True, diverged=("gru", 1))
    build_report(folder)
    html, md, page = _read(folder)
    assert "1 GRU trial diverged" in html and "infinite error" in html
    assert "% lower error" in html and "test mse" in html
    assert len(page.all("img")) == BASE_FIGURES
    assert "1 of 3" in md  # the diverged count in the results table


def test_reused_folder_reports_only_the_current_study(study) -> None:
    folder = study("reused", seeds=4, summary=False)
    # a rerun with 3 seeds replaces the study row; the 4th pair stays in the store
    from gatebench.protocol import ModelOptions, SizingConfig, StudySpec, TaskSpec, TrainConfig
    from gatebench.store import open_store

    spec = StudySpec(task=TaskSpec.make("rotten-tomatoes"), seeds=3,
                     sizing=SizingConfig(reference_hidden=32), model=ModelOptions(embed_dim=32),
                     train=TrainConfig(max_epochs=6))
    with open_store(folder) as store:
        store.save_study("compare", spec.to_dict(), kind="compare")
        assert store.count() == 8
    data = load_study(folder)
    assert data.recomputed and data.summary["n_pairs"] == 3 and len(data.records) == 6


def test_claims_only_folder(tmp_path: Path, golden_claims) -> None:
    claims = {"profile": "quick", "claims": golden_claims}
    (tmp_path / "claims.json").write_text(json.dumps(claims))
    html_path, md_path = build_report(tmp_path)
    html = html_path.read_text()
    assert "Verdict:" not in html and 'id="claims"' in html
    assert "<img" not in html
    assert md_path.read_text().startswith("# gatebench claims")


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: p])
def test_missing_or_empty_folder_is_a_clear_error(tmp_path: Path, make) -> None:
    with pytest.raises(GatebenchError, match="study folder|holds no results"):
        build_report(make(tmp_path))
    assert not (tmp_path / "report.html").exists()


def test_the_report_shows_only_the_claims_crossover(tmp_path: Path) -> None:
    # Scores cross between 200 and 400, but the claim found no crossover: none is printed.
    rows = [{"task": "adding", "cell": c, "seq_len": t, "score": r}
            for c, rates in (("gru", (1.0, 0.8, 0.2)), ("lstm", (1.0, 0.6, 0.6)))
            for t, r in zip((100, 200, 400), rates, strict=True)]
    view = {"rows": rows, "crossover": [{"task": "adding", "seq_len": None,
                                         "text": "no crossover: LSTM is not significantly "
                                                 "ahead at the longest informative length"}]}
    section = long_range(StudyData(tmp_path, None, long_range=view), draw=False)
    text = repr(section)
    assert "no crossover: LSTM is not significantly ahead" in text
    assert "crossover at T" not in text


def test_the_pick_heads_the_compare_report(golden, tmp_path: Path) -> None:
    from gatebench.analysis.decision import decide

    folder = shutil.copytree(golden["compare"], tmp_path / "pick")
    summary = json.loads((folder / "summary.json").read_text())
    expected = decide(summary).to_dict()  # a summary without `decision`: recomputed
    build_report(folder)
    html, md, page = _read(folder)
    assert "pick" in page.ids
    assert html.index('id="pick"') < html.index("Verdict:")
    assert md.index(f"## {expected['headline']}") < md.index("## Verdict: ")
    for reason in expected["reasons"]:
        assert f"- {reason}" in md
    # the stored decision and health actions are what the report shows
    summary["decision"] = {**expected, "headline": "Pick LSTM: stored", "priority": "latency"}
    summary["seeding"] = {"health_actions": [{"check": "still-improving", "at_pairs": 3,
                                              "says": "doubled the epochs", "applied": True}]}
    (folder / "summary.json").write_text(json.dumps(summary))
    build_report(folder)
    _, md, _ = _read(folder)
    assert "## Pick LSTM: stored" in md and "(priority: latency)" in md
    assert "training health (still-improving) at 3 pairs: doubled the epochs" in md
