"""``member``, ``audit`` and ``verify`` end to end on a real workspace file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlalchemy import create_engine, text

from governance_app.cli import main
from governance_app.cli.governance import parse_since
from governance_app.governance import keys
from governance_app.services.workspace import data_dir
from tests.governance.memory_keyring import MemoryKeyring


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "board.db")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def admit(capsys, db: str, name: str, role: str, *extra: str) -> str:
    """``member add`` (the request, signed by the new key), then Ana admits the fingerprint."""
    code, out, err = run(capsys, "--db", db, "member", "add", name, "--role", role, *extra,
                         "--json")
    assert code == 0, err
    fingerprint = json.loads(out)["fingerprint"]
    code, out, err = run(capsys, "--db", db, "member", "admit", name, "--fingerprint",
                         fingerprint, "--member", "Ana Lima")
    assert code == 0, err
    return fingerprint


def test_member_round_trip_with_the_passphrase_from_the_environment(
    capsys, db, tmp_path, monkeypatch, memory_keyring
) -> None:
    monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "board-secret")
    code, out, err = run(capsys, "--db", db, "board", "init", "Ana Lima",
                         "--email", "ana@example.org")
    assert code == 0, err
    assert "with Ana Lima as chair" in out and out.splitlines()[-1].startswith("head #1 ")
    key_file = tmp_path / "bo.key"
    code, out, err = run(capsys, "--db", db, "member", "add", "Bo Chen", "--role", "risk,data",
                         "--key-file", str(key_file))
    assert code == 0, err
    assert "member admit 'Bo Chen' --fingerprint" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(memory_keyring.entries) == 1  # Bo's key is in the file, not the keyring
    code, out, _ = run(capsys, "--db", db, "member", "list", "--json")
    assert [m["name"] for m in json.loads(out)] == ["Ana Lima"]  # not admitted yet
    code, pem, err = run(capsys, "--db", db, "member", "export-key", "Bo Chen")
    assert code == 0 and pem.startswith("-----BEGIN PUBLIC KEY-----")
    fingerprint = err.split("fingerprint ")[1].replace(" ", "").strip()
    code, _, err = run(capsys, "--db", db, "member", "admit", "Bo Chen", "--fingerprint",
                       "0" * 64, "--member", "Ana Lima")
    assert code == 2 and "is not the key in Bo Chen's request" in err  # the out-of-band check
    code, out, err = run(capsys, "--db", db, "member", "admit", "Bo Chen", "--fingerprint",
                         fingerprint, "--member", "Ana Lima")
    assert code == 0 and "admitted Bo Chen; root v2" in out

    code, out, _ = run(capsys, "--db", db, "member", "list", "--json")
    members = {m["name"]: m for m in json.loads(out)}
    assert members["Bo Chen"]["roles"] == ["data", "risk"]
    assert members["Bo Chen"]["key_location"] == f"file:{key_file.resolve()}"
    code, out, _ = run(capsys, "--db", db, "member", "list")
    assert out.splitlines()[0].split() == ["member", "roles", "email", "fingerprint", "key",
                                           "status"]
    assert members["Ana Lima"]["fingerprint"][:4] in out

    code, out, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Bo Chen")
    assert code == 0, err
    assert "signed the chain head #3" in out and out.splitlines()[-1].startswith("head #4 ")
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "wrong")
    code, _, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Ana Lima")
    assert code == 2 and "wrong passphrase" in err

    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "board-secret")
    code, _, err = run(capsys, "--db", db, "member", "revoke", "Ana Lima", "--reason",
                       "left the board", "--member", "Ana Lima")
    assert code == 2 and "last chair" in err
    code, out, err = run(capsys, "--db", db, "member", "revoke", "Bo Chen", "--reason",
                         "left the board", "--member", "Ana Lima")
    assert code == 0 and "revoked Bo Chen's key" in out
    code, _, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Bo Chen")
    assert code == 2 and "revoked" in err

    code, out, _ = run(capsys, "--db", db, "audit", "--json")
    kinds = [e["kind"] for e in json.loads(out)]
    assert kinds == ["board.root", "member.request", "board.root", "audit.checkpoint",
                     "board.root"]
    code, out, _ = run(capsys, "--db", db, "audit", "--kind", "member.request")
    assert "member Bo Chen" in out and "board.root" not in out

    code, out, _ = run(capsys, "--db", db, "verify")
    assert code == 0 and "verified" in out and "1 checkpoints" in out

    # Bo lost his key: a new one joins by the same route (his request, the chair's check)
    code, out, err = run(capsys, "--db", db, "member", "add", "Bo Chen", "--key-file",
                         str(tmp_path / "bo-new.key"), "--json")
    assert code == 0 and json.loads(out)["purpose"] == "rekey", err
    new_fp = json.loads(out)["fingerprint"]
    code, out, err = run(capsys, "--db", db, "member", "rekey", "Bo Chen", "--fingerprint",
                         new_fp, "--member", "Ana Lima")
    assert code == 0 and "re-keyed Bo Chen" in out, err
    code, out, _ = run(capsys, "--db", db, "member", "list", "--json")
    bo = {m["name"]: m for m in json.loads(out)}["Bo Chen"]
    assert bo["fingerprint"] == new_fp and bo["revoked_at"] is None
    code, out, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Bo Chen")
    assert code == 0, err
    assert run(capsys, "--db", db, "verify")[0] == 0


def test_verify_exits_1_naming_the_first_broken_event(capsys, db, monkeypatch,
                                                       memory_keyring) -> None:
    monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "pw")
    assert run(capsys, "--db", db, "board", "init", "Ana Lima")[0] == 0
    for name in ("Bo", "Cy"):
        admit(capsys, db, name, "chair")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    code, out, _ = run(capsys, "--db", db, "verify")
    assert code == 1
    assert "BROKEN: event #2" in out
    code, out, _ = run(capsys, "--db", db, "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["findings"][0]["seq"] == 2


def test_missing_inputs_and_the_pdf_placeholder(capsys, db, monkeypatch, no_keyring,
                                                tmp_path) -> None:
    monkeypatch.delenv("GOVERNANCE_APP_PASSPHRASE", raising=False)
    code, _, err = run(capsys, "--db", db, "member", "add")
    assert code == 2 and "NAME" in err
    code, _, err = run(capsys, "--db", db, "board", "init", "Ana")
    assert code == 2 and "--key-file" in err  # no keyring on this machine
    code, _, err = run(capsys, "--db", db, "member", "add", "Bo", "--role", "risk",
                       "--key-file", str(tmp_path / "bo.key"))
    assert code == 2 and "no board yet" in err
    code, _, err = run(capsys, "--db", db, "member", "revoke", "Nobody", "--reason", "x",
                       "--member", "Ana")
    assert code == 2 and "no board yet" in err
    code, _, err = run(capsys, "verify", "report.pdf")
    assert code == 2 and "cannot read the report" in err
    assert not list(data_dir().glob("*.db"))  # verify FILE.pdf created no workspace
    code, _, err = run(capsys, "--db", db, "audit", "--since", "yesterday")
    assert code == 2 and "--since" in err


def test_passphrase_file_and_no_prompt_without_a_terminal(capsys, db, tmp_path,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
    monkeypatch.delenv("GOVERNANCE_APP_PASSPHRASE", raising=False)
    secret = tmp_path / "pass.txt"
    secret.write_text("from a file\n")
    key_file = tmp_path / "ana.key"
    code, _, err = run(capsys, "--db", db, "board", "init", "Ana", "--key-file",
                       str(key_file), "--passphrase-file", str(secret))
    assert code == 0, err
    code, _, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Ana")
    assert code == 2 and "GOVERNANCE_APP_PASSPHRASE" in err  # stdin is not a terminal
    assert "Traceback" not in err
    code, out, err = run(capsys, "--db", db, "audit", "checkpoint", "--member", "Ana",
                         "--passphrase-file", str(secret), "-o", str(tmp_path / "cp.json"))
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "verify", "--witness", str(tmp_path / "cp.json"))
    assert code == 0
    code, out, _ = run(capsys, "--db", db, "verify", "--witness", "1:" + "f" * 20)
    assert code == 1 and "NOT IN THE CHAIN" in out
    code, out, err = run(capsys, "--db", db, "verify", "--witness", str(tmp_path / "nope"))
    assert code == 2 and "witness" in err


def test_separate_processes_as_on_different_machines(db, tmp_path) -> None:
    env = {**os.environ, "GOVERNANCE_APP_PASSPHRASE": "pw", "GOVERNANCE_APP_DB": db}

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "governance_app", *argv], env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    added = cli("board", "init", "Ana", "--key-file", str(tmp_path / "a.key"))
    assert added.returncode == 0, added.stderr
    checkpoint = cli("audit", "checkpoint", "--member", "Ana")
    assert checkpoint.returncode == 0, checkpoint.stderr
    verified = cli("verify")
    assert verified.returncode == 0 and "verified" in verified.stdout


def test_since_parses_dates_in_the_local_zone() -> None:
    day = parse_since("2026-11-25")
    assert day.tzinfo is not None and (day.hour, day.minute) == (0, 0)
    assert parse_since("2026-11-25T10:00:00+00:00").utcoffset().total_seconds() == 0
