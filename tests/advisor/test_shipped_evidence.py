"""The evidence shipped in the package, read as a user's plain `gatebench advise` reads it."""

from __future__ import annotations

import json
import math

import pytest

from gatebench.advisor import EITHER, GRU, LSTM, load_evidence
from gatebench.advisor.evidence import SHIPPED, shipped_path
from gatebench.claims.base import CLAIM_VERDICTS
from gatebench.claims.registry import claim_ids
from gatebench.cli.main import main


def _advise(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["advise", "--no-input", *args])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_the_shipped_claims_file_loads_and_names_only_known_claims() -> None:
    [source] = load_evidence()  # no monkeypatching: the file the package installs
    assert source.origin == SHIPPED and source.path == shipped_path()
    assert source.meta["command"].startswith("gatebench suite")
    ids = [c["id"] for c in source.claims]
    assert ids and len(ids) == len(set(ids)) and set(ids) <= set(claim_ids())
    for claim in source.claims:
        assert claim["verdict"] in CLAIM_VERDICTS, claim["id"]
        effect = claim["effect"]
        if effect.get("value") is not None:  # a headline number sits inside its interval
            lo, hi = effect["ci"]
            assert math.isfinite(effect["value"]) and lo <= effect["value"] <= hi, claim["id"]


def test_plain_advise_answers_from_the_shipped_evidence(capsys) -> None:
    code, out, err = _advise(["--json"], capsys)
    assert code == 0 and err == ""
    advice = json.loads(out)
    shipped = {c["id"] for c in load_evidence()[0].claims}
    assert advice["recommendation"] in (GRU, LSTM, EITHER)
    assert advice["reasons"] and {r["claim"] for r in advice["reasons"]} <= shipped
    assert {r["source"] for r in advice["reasons"]} == {"shipped evidence"}
    assert any(c.startswith("shipped evidence: reference tasks") for c in advice["caveats"])


def test_plain_advise_prints_the_recommendation_and_cites_each_reason(capsys) -> None:
    code, out, _ = _advise([], capsys)
    assert code == 0
    reasons = json.loads(_advise(["--json"], capsys)[1])["reasons"]
    assert "gatebench advise" in out and "source: shipped evidence" in out
    for i in range(1, len(reasons) + 1):  # one numbered, cited paragraph per reason
        assert f"\n{i}. " in out
