"""``verify`` lists every lapsed approval (model, version, gate, review, why), in words and in
``--json``, on SQLite and PostgreSQL; a lapse is reported, never a verification failure."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard


def test_verify_lists_expired_and_unmet_approvals(workspace_url: str, tmp_path: Path, capsys,
                                                  monkeypatch) -> None:
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale", "moderate", *b.by(VAL))
    b.json("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity",
           "medium", "--title", "Calibration in the thin-file segment", "--owner", JONAS,
           *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:1@2027-01-15",
         "--expires", "2027-12-31", *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    b.ok("board", "root", "-o", str(b.root))
    verify = ("verify", "--root", str(b.root))

    code, out, _ = b.cli(*verify, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["lapses"] == []  # today: nothing lapsed

    code, out, _ = b.cli(*verify, "--as-of", "2027-01-16", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"]  # the chain holds; the approval does not
    assert report["lapses"] == [{
        "model": "credit_scorer", "version": 1, "gate": "production", "review": 1,
        "why": "finding #1 was not closed by 2027-01-15", "since": "2027-01-16",
        "current": True}]

    code, out, _ = b.cli(*verify, "--as-of", "2028-01-01")
    assert code == 0 and "verified: the chain" in out
    lines = [line.strip() for line in out.splitlines() if "LAPSED" in line]
    assert lines == [
        "LAPSED: credit_scorer v1 → production (review #1): the approval expired on 2027-12-31",
        "LAPSED: credit_scorer v1 → production (review #1): finding #1 was not closed by "
        "2027-01-15"]

    b.json("finding", "close", "1", "--resolution", "recalibrated", *b.by(VAL))
    code, out, _ = b.cli(*verify, "--as-of", "2027-06-01", "--json")
    assert code == 0 and json.loads(out)["lapses"] == []  # closed in time: it stands

    code, _, err = b.cli(*verify, "--as-of", "soon")
    assert code == 2 and "--as-of" in err
