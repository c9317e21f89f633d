"""write_atomic: whole files with ordinary permissions, no temporary left behind; silenced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gatebench.fileio import silenced, write_atomic


def test_writes_text_and_bytes_with_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "sub" / "a.json", "{}")
        write_atomic(tmp_path / "b.bin", b"\x00\x01")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "a.json").read_text() == "{}"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert stat.S_IMODE((tmp_path / "b.bin").stat().st_mode) == 0o644


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    write_atomic(target, "old")
    with pytest.raises(TypeError, match="bytes-like object is required, not 'int'"):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_silenced_drops_native_writes_to_a_descriptor_and_restores_it(capfd) -> None:
    with silenced(2):
        os.write(2, b"profiler chatter\n")  # what C++ code does, behind sys.stderr's back
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
