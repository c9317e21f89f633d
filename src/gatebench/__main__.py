"""`python -m gatebench` runs the command line, exactly as the `gatebench` command does."""

from gatebench.cli import run

run()
