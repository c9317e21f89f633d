"""Open report.html in headless Chromium: every image decodes, and the page requests nothing.

Chromium's own background traffic (updates, sign-in) shows in its net log with the initiator
"not an origin"; anything the page asks for carries the file:// page as its initiator. A
control page with two remote images proves the net-log check can see such requests, and a
copy with one corrupted image proves the broken-image probe can see a broken image.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (make chromium, or apt-get "
    "install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
# Appended to a copy of the report only: the report itself carries no script.
PROBE = ("<script>addEventListener('load', () => { const imgs = [...document.images];"
         " const bad = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;"
         " const d = document.createElement('div'); d.id = 'probe';"
         " d.textContent = 'images=' + imgs.length + ' broken=' + bad;"
         " document.body.appendChild(d); });</script>")


def _chromium(page: Path, tmp: Path, *extra: str) -> str:
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=5000",
         *extra, page.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _page_requests(page: Path, tmp: Path) -> list[str]:
    """URLs the page itself asked the network for, from Chromium's net log."""
    log = tmp / f"{page.stem}.netlog.json"
    _chromium(page, tmp, f"--log-net-log={log}", "--dump-dom")
    data = json.loads(log.read_text())
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    begins = [e.get("params") or {} for e in data["events"] if e["type"] == start]
    return [p["url"] for p in begins if "url" in p and p.get("initiator") != "not an origin"]


def _probe(html: str, tmp: Path, name: str) -> tuple[int, int]:
    page = tmp / f"{name}.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    match = re.search(r'id="probe">images=(\d+) broken=(\d+)<', _chromium(page, tmp,
                                                                          "--dump-dom"))
    assert match, "the probe did not run"
    return int(match[1]), int(match[2])


def test_report_makes_no_network_request(golden, tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/a.png">'
                       '<img src="https://example.invalid/b.png">')
    assert len(_page_requests(control, tmp_path)) == 2  # the check sees page requests
    assert _page_requests(golden["full"] / "report.html", tmp_path) == []


def test_report_images_all_render(golden, tmp_path: Path) -> None:
    html = (golden["full"] / "report.html").read_text(encoding="utf-8")
    n_img = html.count("<img ")
    assert _probe(html, tmp_path, "good") == (n_img, 0)
    corrupt = html.replace("data:image/png;base64,iVBOR", "data:image/png;base64,AAAA", 1)
    assert _probe(corrupt, tmp_path, "bad") == (n_img, 1)  # the probe sees a broken image


def test_report_screenshot_is_not_blank(golden, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "page.png"
    _chromium(golden["full"] / "report.html", tmp_path, f"--screenshot={shot}",
              "--window-size=1280,2400")
    with Image.open(shot) as im:
        colours = im.convert("RGB").resize((64, 120)).getcolors(64 * 120)
    assert colours is not None and len(colours) > 20  # text, badges and plots, not a blank page
