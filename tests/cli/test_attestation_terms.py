"""An attestation carries its approval's expiry and conditions, proven by the approvers' signed
acts, and ``verify-attestation`` (``--root`` and ``--public-key --threshold``) refuses it once
the approval has expired or a condition's day passed unmet; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard


@pytest.fixture
def attested(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> tuple[RiskBoard, Path]:
    """credit_scorer v1 approved by Ana (finding #1 to close by 2027-01-15, finding #2 by
    2027-01-20, expiring 2027-12-31) and Dev; Val closes #2 at once; attested and the root
    exported."""
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale", "moderate", *b.by(VAL))
    for title in ("Calibration in the thin-file segment", "Monitoring plan incomplete"):
        b.json("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity",
               "medium", "--title", title, "--owner", JONAS, *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:1@2027-01-15",
         "--condition", "finding:2@2027-01-20", "--expires", "2027-12-31", *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    b.json("finding", "close", "2", "--resolution", "plan written", *b.by(VAL))
    b.ok("board", "root", "-o", str(b.root))
    out = tmp_path / "scorer.dsse.json"
    b.ok("attest", "1", "-o", str(out))
    return b, out


def check(b: RiskBoard, path: Path, *extra: str) -> tuple[int, str, str]:
    return b.cli("verify-attestation", str(path), *extra)


def test_the_attestation_carries_the_terms_and_is_refused_once_they_lapse(
        attested: tuple[RiskBoard, Path]) -> None:
    b, path = attested
    doc = json.loads(path.read_text(encoding="utf-8"))
    terms = doc["governance_app"]
    assert terms["version"] == 2 and terms["expires"] == "2027-12-31"
    assert [(c["finding"], c["by"], c["closed"] is not None) for c in terms["conditions"]] == [
        (1, "2027-01-15", False), (2, "2027-01-20", True)]
    assert len(terms["approvals"]) == 2 == len(doc["signatures"])

    root = ("--root", str(b.root))
    code, out, _ = check(b, path, *root, "--at", "2027-01-10")
    assert code == 0 and "terms as of 2027-01-10: expires 2027-12-31" in out
    assert "finding #2 to be closed by 2027-01-20 (closed " in out
    code, _, err = check(b, path, *root, "--at", "2027-01-16")
    assert code == 1 and "condition finding #1 was to be closed by 2027-01-15" in err
    code, _, err = check(b, path, *root)  # today: before every day
    assert code == 0, err

    # with #1 closed in time the condition is met; the expiry still ends the approval
    b.json("finding", "close", "1", "--resolution", "recalibrated", *b.by(VAL))
    b.ok("attest", "1", "-o", str(path))
    code, _, err = check(b, path, *root, "--at", "2027-06-01")
    assert code == 0, err
    code, _, err = check(b, path, *root, "--at", "2028-01-01")
    assert code == 1 and "the approval expired on 2027-12-31" in err

    pems = []
    for name in (ANA, DEV, VAL):
        pem = path.parent / f"{name.split()[0].lower()}.pem"
        pem.write_text(b.ok("member", "export-key", name), encoding="utf-8")
        pems += ["--public-key", str(pem)]
    code, _, err = check(b, path, *pems, "--threshold", "2", "--at", "2028-01-01")
    assert code == 1 and "expired on 2027-12-31" in err
    code, _, err = check(b, path, *pems, "--threshold", "2", "--at", "2027-06-01")
    assert code == 0, err
    # without the closer's key the closing cannot be proven: the condition counts as unmet
    code, _, err = check(b, path, *pems[:4], "--threshold", "2", "--at", "2027-06-01")
    assert code == 1 and "finding #1 was to be closed by 2027-01-15" in err


def test_an_edited_or_stripped_terms_entry(attested: tuple[RiskBoard, Path]) -> None:
    b, path = attested
    doc = json.loads(path.read_text(encoding="utf-8"))
    root = ("--root", str(b.root))

    later = {**doc, "governance_app": {**doc["governance_app"], "expires": "2029-12-31"}}
    path.write_text(json.dumps(later), encoding="utf-8")
    code, _, err = check(b, path, *root, "--at", "2027-01-10")
    assert code == 1 and "not the ones the approvers signed" in err

    fewer = {**doc, "governance_app": {**doc["governance_app"],
                                       "approvals": doc["governance_app"]["approvals"][1:]}}
    path.write_text(json.dumps(fewer), encoding="utf-8")
    code, _, err = check(b, path, *root, "--at", "2027-01-10")
    assert code == 1 and "has no signed act" in err

    old = {k: v for k, v in doc.items() if k != "governance_app"}  # a version 1 attestation
    path.write_text(json.dumps(old), encoding="utf-8")
    code, out, err = check(b, path, *root, "--at", "2030-01-01")
    assert code == 0 and "OK" in out and "terms" not in out, err
    code, _, err = check(b, path, *root, "--require-terms")
    assert code == 1 and "carries no approval terms" in err

    code, _, err = check(b, path, *root, "--at", "next week")
    assert code == 2 and "--at" in err
