"""The review board's verbs end to end on a real workspace file: policy, review, sign, attest,
verify-attestation; people's tables, machines' JSON, refusals with exit 1 and their reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.cli import main
from governance_app.governance import keys

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "governance"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
       ) -> str:
    """A workspace with a board (Ana Lima founded it; Bo Chen and Jonas Berg admitted through
    their signed requests, key files), and the test registry."""
    path = str(tmp_path / "board.db")
    monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "pw Ana Lima")
    assert run(capsys, "--db", path, "board", "init", "Ana Lima", "--key-file",
               str(tmp_path / "ana.key"))[0] == 0
    for name, role in (("Bo Chen", "risk"), ("Jonas Berg", "chair")):
        monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", f"pw {name}")
        key = tmp_path / f"{name.split()[0].lower()}.key"
        code, out, err = run(capsys, "--db", path, "member", "add", name, "--role", role,
                             "--key-file", str(key), "--json")
        assert code == 0, err
        fingerprint = json.loads(out)["fingerprint"]
        assert act(capsys, path, tmp_path, "Ana Lima", "member", "admit", name,
                   "--fingerprint", fingerprint)[0] == 0
    monkeypatch.delenv("GOVERNANCE_APP_PASSPHRASE")
    assert run(capsys, "--db", path, "import", str(FIXTURES / "board-registry.json"))[0] == 0
    return path


def act(capsys, db: str, tmp_path: Path, name: str, *argv: str) -> tuple[int, str, str]:
    """Run a verb as member ``name`` (their passphrase from a file)."""
    pw = tmp_path / "pw.txt"
    pw.write_text(f"pw {name}\n")
    return run(capsys, "--db", db, *argv, "--member", name, "--passphrase-file", str(pw))


def sign(capsys, db: str, tmp_path: Path, review: str, name: str, decision: str = "approve",
         secret: str | None = None) -> tuple[int, str, str]:
    pw = tmp_path / "pw.txt"
    pw.write_text((secret or f"pw {name}") + "\n")
    return run(capsys, "--db", db, "sign", review, "--member", name, "--decision", decision,
               "--comment", "reviewed the evidence", "--passphrase-file", str(pw))


def test_policy_review_sign_attest_verify(capsys, db: str, tmp_path: Path) -> None:
    code, out, _ = act(capsys, db, tmp_path, "Ana Lima", "policy", "add",
                       str(FIXTURES / "board-policy.yaml"))
    assert code == 0 and out.startswith("policy board-test v1 (gate production, 3 checks")
    assert out.splitlines()[-1].startswith("head #")
    code, out, _ = run(capsys, "--db", db, "policy", "list", "--json")
    [policy] = json.loads(out)
    assert policy["policy"] == "board-test" and policy["quorum"] == {
        "approvals": 2, "roles": {"chair": 1}}
    code, out, _ = run(capsys, "--db", db, "policy", "list")
    assert out.splitlines()[0].split() == ["policy", "version", "gate", "checks", "quorum",
                                           "sha256"]

    code, out, err = act(capsys, db, tmp_path, "Bo Chen", "review", "open", "credit_scorer:1",
                         "--policy", "board-test")
    assert code == 0 and out.strip() == "1" and "opened review #1" in err
    code, _, err = act(capsys, db, tmp_path, "Bo Chen", "review", "open", "credit_scorer:1",
                       "--policy", "board-test")
    assert code == 1 and "review #1 of credit_scorer:1 for gate production is open" in err

    code, out, err = sign(capsys, db, tmp_path, "1", "Jonas Berg")
    assert code == 1 and "separation of duties" in err
    code, out, err = sign(capsys, db, tmp_path, "1", "Ana Lima", secret="nope")
    assert code == 1 and "wrong passphrase" in err
    code, out, _ = sign(capsys, db, tmp_path, "1", "Bo Chen")
    assert code == 0 and out.startswith("signed: Bo Chen (risk) — ")
    assert "Approved for promotion to production" in out and "review #1 is open" in out

    code, out, _ = run(capsys, "--db", db, "review", "show", "1")
    assert "state: open" in out and "1/2 approvals, chair 0/1" in out
    assert "val_auc ≥ 0.77" in out and "PASS" in out and "WARNING" in out
    assert "signed: Bo Chen (risk)" in out and "reviewed the evidence" in out

    code, out, _ = sign(capsys, db, tmp_path, "1", "Ana Lima")
    assert code == 0 and "review #1 is approved" in out
    code, out, _ = run(capsys, "--db", db, "review", "show", "1", "--json")
    shown = json.loads(out)
    assert shown["state"] == "approved" and shown["quorum"]["met"] is True
    assert [s["member"] for s in shown["signatures"]] == ["Bo Chen", "Ana Lima"]
    assert shown["signatures"][1]["meaning"] == "Approved for promotion to production"
    assert shown["evidence_sha256"] and len(shown["checks"]) == 3
    code, out, _ = run(capsys, "--db", db, "review", "grants", "--json")
    [grant] = json.loads(out)
    assert (grant["model"], grant["version"], grant["gate"]) == ("credit_scorer", 1, "production")
    code, out, _ = run(capsys, "--db", db, "models", "--json")
    assert json.loads(out)[0]["aliases"] == {}  # a registry alias is not a governance grant

    code, out, _ = run(capsys, "--db", db, "review", "list", "--state", "approved", "--json")
    assert [r["id"] for r in json.loads(out)] == [1]
    code, out, _ = run(capsys, "--db", db, "review", "list", "--state", "open")
    assert len(out.splitlines()) == 2  # header and rule only

    att = tmp_path / "att.json"
    assert run(capsys, "--db", db, "attest", "1", "-o", str(att))[0] == 0
    assert len(json.loads(att.read_text())["signatures"]) == 2
    # With the workspace's keys and the review's quorum:
    code, out, _ = run(capsys, "--db", db, "verify-attestation", str(att))
    assert code == 0 and "2 of 2 required" in out
    # Offline, against the board's root file: keys, roles and quorum from the root
    root = tmp_path / "root.json"
    assert run(capsys, "--db", db, "board", "root", "-o", str(root))[0] == 0
    code, out, _ = run(capsys, "verify-attestation", str(att), "--root", str(root),
                       "--gate", "production")
    assert code == 0 and "against board root v4" in out
    code, _, err = run(capsys, "verify-attestation", str(att), "--root", str(root),
                       "--gate", "staging")
    assert code == 1 and "not 'staging'" in err
    code, _, err = run(capsys, "verify-attestation", str(att), "--root", str(root),
                       "--subject-sha256", "0" * 64)
    assert code == 1 and "attests subject sha256" in err
    # Offline, with exported PEMs only:
    pems = []
    for name in ("Ana Lima", "Bo Chen"):
        _, pem, _ = run(capsys, "--db", db, "member", "export-key", name)
        path = tmp_path / f"{name}.pem"
        path.write_text(pem)
        pems += ["--public-key", str(path)]
    code, out, _ = run(capsys, "verify-attestation", str(att), *pems, "--threshold", "2")
    assert code == 0 and "model:credit_scorer/1 approved" in out
    code, out, err = run(capsys, "verify-attestation", str(att), *pems[:2], "--threshold", "2")
    assert code == 1 and "1 valid signature(s)" in err


def test_withdraw_reject_and_bad_input(capsys, db: str, tmp_path: Path) -> None:
    act(capsys, db, tmp_path, "Ana Lima", "policy", "add", str(FIXTURES / "board-policy.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "board-policy.yaml").read_text().replace("min: 0.77", "min: x"))
    code, _, err = act(capsys, db, tmp_path, "Ana Lima", "policy", "add", str(bad))
    assert code == 2 and "line 5 (checks[0].min)" in err

    code, out, _ = act(capsys, db, tmp_path, "Ana Lima", "review", "open", "credit_scorer:3",
                       "--policy", "board-test")
    code, out, _ = act(capsys, db, tmp_path, "Ana Lima", "review", "withdraw", out.strip(),
                       "--reason", "no training data")
    assert code == 0 and "state: withdrawn" in out and "no training data" in out

    code, out, _ = act(capsys, db, tmp_path, "Ana Lima", "review", "open", "credit_scorer:2",
                       "--policy", "board-test")
    review = out.strip()
    code, _, err = sign(capsys, db, tmp_path, review, "Jonas Berg")
    assert code == 1 and "blocking check did not pass" in err
    code, out, _ = sign(capsys, db, tmp_path, review, "Jonas Berg", "reject")
    assert code == 0 and "Rejected for promotion to production" in out and "rejected" in out
    code, _, err = run(capsys, "--db", db, "attest", review, "-o", str(tmp_path / "x.json"))
    assert code == 2 and "is rejected" in err

    assert act(capsys, db, tmp_path, "Ana Lima", "review", "open", "credit_scorer",
               "--policy", "x")[0] == 2
    assert run(capsys, "--db", db, "review", "show", "abc")[0] == 2
    assert run(capsys, "--db", db, "review", "show", "99")[0] == 2
