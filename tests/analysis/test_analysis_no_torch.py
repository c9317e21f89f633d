"""store and analysis must work where torch is absent (a report renders from a copied file)."""

from __future__ import annotations

import subprocess
import sys


def test_store_and_analysis_do_not_import_torch() -> None:
    code = (
        "import sys; import gatebench.store, gatebench.analysis; "
        "bad = [m for m in ('torch', 'pandas') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
