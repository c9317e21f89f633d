"""Rewrite the README's generated tables from the shipped evidence (run after re-shipping it).

    python tools/readme_tables.py            # rewrite README.md in place
    python tools/readme_tables.py --check    # exit 1 if README.md is out of date

Each table lives between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers; TABLES maps
NAME to the function that renders it from the shipped claims.json. Everything outside the
markers is left as written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gatebench.claims.table import claims_rows  # noqa: E402

README = ROOT / "README.md"
EVIDENCE = ROOT / "src" / "gatebench" / "advisor" / "evidence" / "claims.json"


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text if text not in (None, "") else "\u2013").replace("|", "\\|").replace(
        "\n", " ")


def claims_table(evidence: dict[str, Any]) -> str:
    """One row per claim: statement, verdict, key number, what would change the verdict."""
    lines = ["| claim | verdict | key number | what would change this verdict |",
             "|---|---|---|---|"]
    by_id = {c["id"]: c for c in evidence.get("claims") or ()}
    for row in claims_rows(evidence.get("claims") or ()):
        verdict = row["verdict"] + (f" (depends on {row['depends_on']})"
                                    if row.get("depends_on") else "")
        lines.append(f"| **{row['id']}**: {_cell(row['statement'])} | {_cell(verdict)} | "
                     f"{_cell(row['key'])} | {_cell(by_id[row['id']].get('would_change'))} |")
    provenance = ", ".join(str(x) for x in (evidence.get("command"), evidence.get("cost"),
                                            evidence.get("generated")) if x)
    if provenance:
        lines += ["", f"*From `{EVIDENCE.relative_to(ROOT)}`: {provenance}.*"]
    return "\n".join(lines)


TABLES: dict[str, Callable[[dict[str, Any]], str]] = {"claims": claims_table}


def rewrite(text: str, evidence: dict[str, Any]) -> str:
    """`text` with every known table between its markers regenerated."""
    for name, render in TABLES.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n)(?:.*?\n)?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> "
                             f"markers")
        text = pattern.sub(lambda m, r=render: m.group(1) + r(evidence) + "\n" + m.group(2),
                           text)
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, compare) README.md; 1 when --check finds it stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--evidence", type=Path, default=EVIDENCE)
    args = parser.parse_args(argv)
    evidence = json.loads(args.evidence.read_text(encoding="utf-8"))
    old = args.readme.read_text(encoding="utf-8")
    new = rewrite(old, evidence)
    if args.check:
        if new != old:
            print(f"{args.readme} is out of date: run python tools/readme_tables.py")
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
