"""The command line under a closed pipe and Ctrl-C: one line or none, never a traceback."""

from __future__ import annotations

import importlib.abc
import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatebench.cli import run

CLI = [sys.executable, "-m", "gatebench.cli"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "100"}


def test_help_piped_into_head_prints_one_line_and_no_traceback() -> None:
    line = " ".join(CLI) + " compare --help | head -1"
    done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=ENV,
                          timeout=120)
    assert done.returncode == 0  # head's status: the pipeline succeeded
    assert done.stdout.count("\n") == 1
    assert done.stderr == ""


@pytest.mark.parametrize("args", [["compare", "--help"], ["--help"], ["tasks"],
                                  ["advise", "--no-input", "--json"], ["advise", "--no-input"]])
def test_closed_stdout_ends_quietly_with_status_1(args: list[str]) -> None:
    # The reader is gone before the first write: every write fails, deterministically.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([*CLI, *args], stdout=write, stderr=subprocess.PIPE, text=True,
                              env=ENV, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "")


def _as_a_foreground_command() -> None:
    # A job started in the background (`make test &`, some CI runners) inherits an ignored
    # SIGINT, and Python then never raises KeyboardInterrupt; a user's terminal delivers it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spawn_on_terminal(args: list[str], **streams) -> tuple[subprocess.Popen, int]:
    """Start the CLI with a pseudo-terminal on the given streams; returns (process, its pty)."""
    parent, child = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], env={**ENV, "TERM": "xterm"},
                            preexec_fn=_as_a_foreground_command,
                            **{name: child for name in streams}, **{
                                name: subprocess.PIPE for name in ("stdout", "stderr")
                                if name not in streams})
    os.close(child)
    return proc, parent


def _read_terminal(fd: int, proc: subprocess.Popen, timeout: float = 120,
                   until: bytes | None = None) -> bytes:
    """What the terminal shows, read until it shows `until` (the process must still run), or
    with `until` None until the process exits: an unread pty would block the live display's
    writes, so the process could never get to exit. Fails when time runs out."""
    seen = b""
    deadline = time.monotonic() + timeout
    os.set_blocking(fd, False)
    while (until not in seen) if until is not None else proc.poll() is None:
        if until is not None:
            assert proc.poll() is None, f"exited {proc.returncode} before {until!r}: {seen!r}"
        assert time.monotonic() < deadline, f"timed out waiting: {seen[-500:]!r}"
        try:
            seen += os.read(fd, 4096)
        except (BlockingIOError, OSError):
            time.sleep(0.02)
    return seen


def test_ctrl_c_at_an_advise_prompt_is_one_line_status_130() -> None:
    proc, terminal = _spawn_on_terminal(["advise"], stdin=True, stderr=True)
    try:
        _read_terminal(terminal, proc, until=b"Typical sequence length")  # first question
        proc.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        shown = _read_terminal(terminal, proc, timeout=60)
        out, _ = proc.communicate(timeout=60)
        shown += _drain(terminal)
    finally:
        _stop(proc, terminal)
    assert proc.returncode == 130
    assert out == b""
    assert b"Traceback" not in shown
    assert _last_line(shown) == "gatebench: error: interrupted"


def test_ctrl_c_mid_trial_keeps_finished_trials_and_says_how_to_resume(
    reviews_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "int"
    args = ["compare", str(reviews_csv), "--text-col", "review", "--label-col", "sentiment",
            "--seeds", "2", "--hidden", "16", "--embed-dim", "16", "--threads", "1",
            "--max-epochs", "1000", "--patience", "1000", "--executor", "local",
            "--out", str(out)]
    proc, terminal = _spawn_on_terminal(args, stderr=True)
    try:
        # The live display names the running trial once it has finished an epoch (in-process
        # trials report epochs; pool workers report whole trials).
        seen = _read_terminal(terminal, proc, until=b" epoch ")
        proc.send_signal(signal.SIGINT)
        shown = _read_terminal(terminal, proc, timeout=120)
        stdout, _ = proc.communicate(timeout=120)
        shown += _drain(terminal)
    finally:
        _stop(proc, terminal)
    assert proc.returncode == 130
    assert b"Traceback" not in shown and stdout == b""
    assert _last_line(shown) == ("gatebench: error: interrupted; finished trials are saved: "
                                 "run the same command to resume")
    cell, seed = re.findall(rb"(GRU|LSTM) seed (\d+) \xc2\xb7 epoch ", seen)[-1]
    with sqlite3.connect(out / "results.sqlite") as conn:  # the interrupted trial left no row
        stored = conn.execute("SELECT cell, seed FROM trials").fetchall()
    assert (cell.decode().lower(), int(seed)) not in stored


def _last_line(shown: bytes) -> str:
    """The terminal's last line of text, without the display's escape sequences."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode(errors="replace"))
    return text.strip().splitlines()[-1].strip()


def _stop(proc: subprocess.Popen, terminal: int) -> None:
    if proc.poll() is None:  # a failed test leaves nothing running
        proc.kill()
        proc.wait()
    os.close(terminal)


def _drain(fd: int) -> bytes:
    """Whatever is left to read on a pty whose other side has closed."""
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        except OSError:  # EIO: the other side is gone
            return seen
        if not chunk:
            return seen
        seen += chunk



class _CtrlCOnImport(importlib.abc.MetaPathFinder):
    """Lands a Ctrl-C exactly while the command's main module is being imported."""

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name == "gatebench.cli.main":
            raise KeyboardInterrupt


def test_ctrl_c_while_the_command_starts_is_one_line_status_130(monkeypatch, capsys) -> None:
    monkeypatch.delitem(sys.modules, "gatebench.cli.main", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_CtrlCOnImport(), *sys.meta_path])
    with pytest.raises(SystemExit) as exit_info:
        run()
    assert exit_info.value.code == 130
    assert capsys.readouterr() == ("", "gatebench: error: interrupted\n")
