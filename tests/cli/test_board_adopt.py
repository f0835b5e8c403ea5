"""``board adopt``: a workspace whose governance history predates boards is taken over by one
of its chairs; the history is reported as legacy, its members listed for re-admission."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from governance_app.governance import keys, keystore
from governance_app.governance.audit import append_event
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlMember
from tests.cli.test_board_attacks import run


def _legacy_member(ws: Workspace, name: str, roles: list[str], key_file: Path) -> str:
    """A member as workspaces before the board root recorded them: a row and an unsigned
    ``member.add`` event."""
    new = keys.generate("pw", scrypt_n=keys.MIN_SCRYPT_N)
    location = keystore.store(new, name, key_file)
    with ws.session(immediate=True) as session:
        session.add(SqlMember(name=name, roles=roles, email="", fingerprint=new.fingerprint,
                              public_key_pem=new.public_pem, key_location=location,
                              created_at=datetime.now(UTC), revoked_reason=""))
        session.flush()
        append_event(session, "member.add", "admin", f"member {name}",
                     {"member": name, "roles": roles, "fingerprint": new.fingerprint})
    return new.fingerprint


def test_adopt_takes_over_a_legacy_history(tmp_path: Path, capsys, monkeypatch) -> None:
    db = str(tmp_path / "old.db")
    with Workspace.open(db) as ws:
        _legacy_member(ws, "Ana Lima", ["chair"], tmp_path / "ana.key")
        bo = _legacy_member(ws, "Bo Chen", ["risk"], tmp_path / "bo.key")
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "pw")
    code, _, err = run(capsys, "--db", db, "board", "init", "Ana Lima", "--key-file",
                       str(tmp_path / "new.key"))
    assert code == 2 and "board adopt" in err  # a history is adopted, not founded over
    code, _, err = run(capsys, "--db", db, "board", "adopt", "--member", "Bo Chen")
    assert code == 2 and "not an active chair" in err
    code, out, err = run(capsys, "--db", db, "board", "adopt", "--member", "Ana Lima",
                         "--key-file", str(tmp_path / "ana.key"))
    assert code == 0, err
    assert "adopted 2 governance event(s) as legacy history" in out
    assert f"to re-admit: Bo Chen (risk), key {keys.grouped(bo)}" in out
    assert out.strip().splitlines()[-1].startswith("head #3 ")
    code, out, _ = run(capsys, "--db", db, "verify", "--json")
    report = json.loads(out)
    assert code == 0 and report["legacy"] == 2 and report["root"]["version"] == 1
    code, out, _ = run(capsys, "--db", db, "member", "list", "--json")
    assert [m["name"] for m in json.loads(out)] == ["Ana Lima"]
    code, _, err = run(capsys, "--db", db, "board", "adopt", "--member", "Ana Lima")
    assert code == 2 and "already has a board" in err
    # Bo re-joins through a request and admission, the fingerprint confirmed out of band
    code, out, _ = run(capsys, "--db", db, "member", "add", "Bo Chen", "--role", "risk",
                       "--key-file", str(tmp_path / "bo-new.key"), "--json")
    fingerprint = json.loads(out)["fingerprint"]
    assert run(capsys, "--db", db, "member", "admit", "Bo Chen", "--fingerprint", fingerprint,
               "--member", "Ana Lima")[0] == 0
    assert run(capsys, "--db", db, "verify")[0] == 0


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch) -> None:
    monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
