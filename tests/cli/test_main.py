"""The command loads only the subcommand it runs; `--help` still lists them all."""

from __future__ import annotations

import subprocess
import sys

from gatebench.cli.main import COMMANDS

# main() ends with sys.exit; the check runs at exit, after the command printed its answer
NO_TORCH = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('torch' in sys.modules, file=sys.stderr))\n"
    "from gatebench.cli.main import main\n"
    "main(sys.argv[1:])\n"
)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NO_TORCH, *args], capture_output=True,
                          text=True, timeout=120)


def test_advise_starts_without_loading_torch() -> None:
    done = _run("advise", "--seq-len", "30", "--no-input", "--json")
    assert done.returncode == 0, done.stderr
    assert '"reasons"' in done.stdout and done.stderr.strip().splitlines()[-1] == "False"


def test_help_lists_every_subcommand() -> None:
    done = _run("--help")
    assert done.returncode == 0, done.stderr
    assert all(f" {name} " in done.stdout for name in COMMANDS)
