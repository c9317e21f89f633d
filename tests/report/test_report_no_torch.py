"""A report renders where torch is absent: gatebench.report never imports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_building_a_report_does_not_import_torch(golden) -> None:
    folder = golden["full"]
    (folder / "report.html").unlink()
    code = (
        "import sys\n"
        "from gatebench.report import build_report\n"
        f"html, md = build_report({str(folder)!r})\n"
        "assert html.is_file() and md.is_file()\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert Path(folder / "report.html").is_file()
