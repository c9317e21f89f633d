"""`python -m gatebench.cli` runs the command line (used by tests and by users without PATH)."""

from gatebench.cli import run

run()
