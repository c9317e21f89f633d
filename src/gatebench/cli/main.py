"""The `gatebench` command: subcommands register on one Typer app; errors become one line."""

from __future__ import annotations

import errno
import importlib
import logging
import os
import sys
from types import ModuleType

import typer

try:  # typer >= 0.26 vendors its own click; older releases use the click package
    from typer._click import exceptions as _click_exceptions
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as _click_exceptions

from gatebench.errors import GatebenchError

app = typer.Typer(
    name="gatebench",
    help="Evidence, not folklore, for the GRU-or-LSTM decision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _typer_errors(name: str, *modules: ModuleType) -> tuple[type[BaseException], ...]:
    """Every exception class called `name` in `modules`; () (catches nothing) where none is.

    Typer moves these between releases (its own module, its vendored click, the click
    package); an `except` naming a missing attribute would itself raise on every exception.
    """
    found: list[type[BaseException]] = []
    for module in modules:
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


NO_ARGS = _typer_errors("NoArgsIsHelpError", _click_exceptions)
USAGE = _typer_errors("UsageError", _click_exceptions)
ABORT = _typer_errors("Abort", typer, _click_exceptions)

INTERRUPTED = "interrupted; finished trials are saved: run the same command to resume"
RESUMABLE = ("compare", "suite", "importance", "calibrate")  # the subcommands that store trials


# One module per subcommand, named as the subcommand; each adds its command to `app` on import.
COMMANDS = ("advise", "calibrate", "compare", "export", "importance", "latency", "mlflow",
            "report", "suite", "tasks")


@app.callback()
def _group() -> None:
    # A group even while one subcommand is registered: Typer would otherwise run a lone
    # command without its name (`gatebench tasks` would read "tasks" as an argument).
    pass


def _register(argv: list[str] | None) -> None:
    """Import the named subcommand's module only, so `gatebench advise` or `tasks` starts without
    loading torch for `compare`; with no known subcommand (`--help`, a typo) import them all,
    for the full list."""
    name = _subcommand(argv).strip()
    for module in (name,) if name in COMMANDS else COMMANDS:
        importlib.import_module(f"gatebench.cli.{module}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a subcommand; user errors print one line and exit with status 2.

    Ctrl-C at any point exits with status 130 and one line; a closed stdout (`| head`) ends
    the command quietly with status 1, as `head`'s other writers do, never with a traceback.
    """
    try:
        try:
            code = _run(argv)
        finally:
            _flush_stdout()
    except NO_ARGS:
        code = 0
    except USAGE as exc:
        _fail(f"{exc.format_message()} (see gatebench {_subcommand(argv)}--help)")
    except GatebenchError as exc:
        _fail(str(exc))
    except ABORT:  # typer's answer to Ctrl-D (or Ctrl-C) at a prompt
        _fail("aborted", code=130)
    except KeyboardInterrupt:
        _fail(_interrupted(argv), code=130)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        _silence_stdout()
        code = 1
    if code == 130:  # typer turns Ctrl-C into a return code of 130 without a word
        _fail(_interrupted(argv), code=130)
    sys.exit(code if isinstance(code, int) else 0)


def _run(argv: list[str] | None) -> object:
    _register(argv)
    logging.basicConfig(level=logging.WARNING, format="gatebench: warning: %(message)s",
                        stream=sys.stderr)
    return app(args=argv, prog_name="gatebench", standalone_mode=False)


def _flush_stdout() -> None:
    # Flushed here, not at interpreter exit, where a closed pipe prints "Exception ignored".
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError):  # stdout closed or replaced: nothing left to flush
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so nothing later writes to the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind stdout (captured by a test)
        pass


def _interrupted(argv: list[str] | None) -> str:
    return INTERRUPTED if _subcommand(argv).strip() in RESUMABLE else "interrupted"


def _subcommand(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return f"{args[0]} " if args and not args[0].startswith("-") else ""


def _fail(message: str, code: int = 2) -> None:
    try:
        print(f"gatebench: error: {message}", file=sys.stderr)
    except OSError:  # stderr closed too: the status says it
        pass
    sys.exit(code)
