"""`gatebench importance` bad input: one line, exit status 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatebench.cli.main import main


@pytest.mark.parametrize(("args", "message"), [
    (["--factors", "cell,momentum"], "no factor 'momentum'; known: cell, dropout, features"),
    (["--factors", "cell,lookback"], "factor 'lookback' does not apply to italy-power"),
    (["--trials", "0"], "--trials must be positive"),
    (["--lr", "-1"], "--lr must be positive"),
    (["--cells", "gru,gru2"], "no cell 'gru2'"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path,
                                          capsys) -> None:
    out = tmp_path / "s"
    with pytest.raises(SystemExit) as exit_info:
        main(["importance", "--dataset", "italy-power", "--out", str(out), *args])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (out / "results.sqlite").exists()
