"""The command line: `run` is the `gatebench` entry point, one module per subcommand."""

from __future__ import annotations

import sys


def run() -> None:
    """Start `gatebench`; a Ctrl-C while it is still importing is one line and status 130."""
    try:
        from gatebench.cli.main import main
    except KeyboardInterrupt:
        print("gatebench: error: interrupted", file=sys.stderr)
        sys.exit(130)
    main()
