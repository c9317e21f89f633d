"""The `gatebench` command: subcommands register on one Typer app; errors become one line."""

from __future__ import annotations

import logging
import sys

import typer

try:  # typer >= 0.26 vendors its own click; older releases use the click package
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - depends on the installed typer
    from click import exceptions as click_errors

from gatebench.errors import GatebenchError

app = typer.Typer(
    name="gatebench",
    help="Evidence, not folklore, for the GRU-or-LSTM decision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Each module adds its subcommand to `app` on import.
    from gatebench.cli import (  # noqa: F401
        advise,
        calibrate,
        compare,
        export,
        latency,
        report,
        suite,
        tasks,
    )


INTERRUPTED = "interrupted; finished trials are saved: run the same command to resume"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run a subcommand; user errors print one line and exit with status 2."""
    _register()
    logging.basicConfig(level=logging.WARNING, format="gatebench: warning: %(message)s",
                        stream=sys.stderr)
    try:
        code = app(args=argv, prog_name="gatebench", standalone_mode=False)
    except click_errors.NoArgsIsHelpError:
        code = 0
    except click_errors.UsageError as exc:
        _fail(f"{exc.format_message()} (see gatebench {_subcommand(argv)}--help)")
    except GatebenchError as exc:
        _fail(str(exc))
    except click_errors.Abort:
        _fail("aborted", code=130)
    except KeyboardInterrupt:
        _fail(INTERRUPTED, code=130)
    if code == 130:  # typer turns Ctrl-C into a return code of 130 without a word
        _fail(INTERRUPTED, code=130)
    sys.exit(code if isinstance(code, int) else 0)


def _subcommand(argv: list[str] | None) -> str:
    args = sys.argv[1:] if argv is None else argv
    return f"{args[0]} " if args and not args[0].startswith("-") else ""


def _fail(message: str, code: int = 2) -> None:
    print(f"gatebench: error: {message}", file=sys.stderr)
    sys.exit(code)
