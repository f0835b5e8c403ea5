"""An attacker with write access to the workspace (or a PostgreSQL superuser with
``session_replication_role=replica``) but no member's key: every edit below must make
``verify --root --witness`` exit 1, through the public CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.cli import main
from governance_app.governance import keys
from governance_app.governance.acts import make_act
from governance_app.governance.audit import append_event, chain_head
from governance_app.governance.canonical import parse_iso_utc
from governance_app.governance.keystore import unlock
from governance_app.governance.ledger import forget_cache
from governance_app.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "governance"
ANA, BO, CARLA = "Ana Lima", "Bo Chen", "Carla Diaz"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Session:
    """A real board session built through the CLI: founded, two members admitted, registry
    imported, policy adopted, review 1 of credit_scorer:2 approved by Bo and Carla... (v2 is
    Ana's own version, so Bo and Dev approve), root file and a checkpoint kept outside."""

    def __init__(self, url: str, folder: Path, capsys, monkeypatch) -> None:
        self.url, self.folder, self.capsys = url, folder, capsys
        monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", "pw")
        self.keyfile = {n: folder / f"{n.split()[0].lower()}.key" for n in (ANA, BO, CARLA,
                                                                              "Dev Patel")}
        monkeypatch.setattr(keys, "DEFAULT_SCRYPT_N", keys.MIN_SCRYPT_N)
        self.ok("board", "init", ANA, "--key-file", str(self.keyfile[ANA]))
        for name, role in ((BO, "risk"), (CARLA, "risk"), ("Dev Patel", "chair")):
            out = self.ok("member", "add", name, "--role", role, "--key-file",
                          str(self.keyfile[name]), "--json")
            fp = json.loads(out)["fingerprint"]
            self.ok("member", "admit", name, "--fingerprint", fp, "--member", ANA,
                    "--key-file", str(self.keyfile[ANA]))
        self.ok("import", str(FIXTURES / "board-registry.json"))
        self.ok("policy", "add", str(FIXTURES / "board-policy.yaml"), "--member", ANA,
                "--key-file", str(self.keyfile[ANA]))
        self.ok("review", "open", "credit_scorer:2", "--policy", "board-test", "--member", BO,
                "--key-file", str(self.keyfile[BO]))
        self.root = folder / "board-root.json"
        self.ok("board", "root", "-o", str(self.root))
        self.checkpoint = folder / "checkpoint.json"
        self.ok("audit", "checkpoint", "--member", CARLA, "--key-file",
                str(self.keyfile[CARLA]), "-o", str(self.checkpoint))

    def cli(self, *argv: str) -> tuple[int, str, str]:
        return run(self.capsys, "--db", self.url, *argv)

    def ok(self, *argv: str) -> str:
        code, out, err = self.cli(*argv)
        assert code == 0, (argv, out, err)
        return out

    def verify(self) -> dict:
        forget_cache()
        code, out, err = self.cli("verify", "--root", str(self.root), "--witness",
                                  str(self.checkpoint), "--json")
        report = json.loads(out)
        assert (code == 0) == report["ok"], err
        return report

    def tamper(self, *statements: str) -> None:
        """Run SQL as an attacker: triggers dropped (SQLite) or disabled (PostgreSQL)."""
        engine = create_engine(self.url if "://" in self.url else f"sqlite:///{self.url}")
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET session_replication_role = replica"))
            else:
                for name in ("audit_events_no_update", "audit_events_no_delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
            for statement in statements:
                connection.execute(text(statement))
        engine.dispose()


@pytest.fixture
def board(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> Session:
    return Session(workspace_url, tmp_path, capsys, monkeypatch)


def test_an_honest_session_verifies_against_its_root_and_witness(board: Session) -> None:
    report = board.verify()
    assert report["ok"] and report["anchored_by"] == "the root file and witnesses"
    assert report["root"]["version"] == 5 and report["breaks"] == report["mismatches"] == []
    assert any(w["source"].endswith("checkpoint.json") and w["held"]
               for w in report["witnesses"])
    code, out, _ = board.cli("verify")
    assert code == 0 and "anchored only by the workspace itself" in out


def test_a_review_approved_without_signatures_and_a_gate_granted_are_mismatches(
        board: Session) -> None:
    board.tamper("UPDATE reviews SET state = 'approved', decision = 'approve' WHERE id = 1",
                 "INSERT INTO gate_grants (id, model, version, gate, review_id, review_hash, seq,"
                 " granted_at) VALUES (1, 'credit_scorer', 2, 'production', 1, 'x', 1, "
                 "'2026-01-01 00:00:00.000000')")
    report = board.verify()
    assert not report["ok"]
    found = {(m["table"], m["row"], m["field"]) for m in report["mismatches"]}
    assert ("reviews", "1", "state") in found and ("gate_grants", "1", "*") in found
    code, out, _ = board.cli("review", "show", "1", "--json")
    assert json.loads(out)["state"] == "open"  # the front ends show the chain's truth


def test_edited_policy_member_key_and_review_target_are_mismatches(board: Session) -> None:
    board.tamper("UPDATE policies SET parsed = '{}' WHERE id = 1",
                 "UPDATE members SET public_key_pem = 'attacker' WHERE name = 'Bo Chen'",
                 "UPDATE reviews SET model_version_id = model_version_id + 1 WHERE id = 1")
    found = {(m["table"], m["field"]) for m in board.verify()["mismatches"]}
    assert {("policies", "parsed"), ("members", "public_key_pem"),
            ("reviews", "model_version_id")} <= found


def test_a_deleted_member_and_an_inserted_member_are_mismatches(board: Session) -> None:
    board.tamper("DELETE FROM members WHERE name = 'Carla Diaz' AND id NOT IN "
                 "(SELECT member_id FROM checkpoints)",
                 "INSERT INTO members (id, name, roles, email, fingerprint, public_key_pem, "
                 "key_location, created_at, revoked_reason) VALUES (99, 'Mallory', '[\"chair\"]',"
                 " '', 'ff', 'pem', '', '2026-01-01 00:00:00.000000', '')")
    found = {(m["table"], m["row"]) for m in board.verify()["mismatches"]}
    assert ("members", "99") in found


def test_a_cut_tail_is_caught_by_the_checkpoint_file(board: Session) -> None:
    board.tamper("DELETE FROM audit_events WHERE seq >= (SELECT MAX(seq) - 1 FROM "
                 "audit_events)")
    report = board.verify()
    assert not report["ok"]
    assert any(not w["held"] for w in report["witnesses"])


@pytest.fixture
def file_board(tmp_path: Path, capsys, monkeypatch) -> Session:
    """A board in a workspace file: copying the file back is how a file is rolled back (on
    PostgreSQL the same attack is the cut tail above)."""
    return Session(str(tmp_path / "board.db"), tmp_path, capsys, monkeypatch)


def test_a_rolled_back_file_is_caught_by_receipts_and_minutes(file_board: Session) -> None:
    board = file_board
    copy = board.folder / "before.db"
    shutil.copy(board.url, copy)
    out = board.ok("audit", "checkpoint", "--member", BO, "--key-file",
                   str(board.keyfile[BO]))
    minutes = out.strip().splitlines()[-1].split()  # "head #N <20 hex>"
    shutil.copy(copy, board.url)
    forget_cache()
    code, out, _ = board.cli("verify", "--root", str(board.root), "--witness",
                             f"{minutes[1][1:]}:{minutes[2]}", "--json")
    assert code == 1 and not json.loads(out)["ok"]
    code, _, err = board.cli("audit", "checkpoint", "--member", "Dev Patel",
                             "--key-file", str(board.keyfile["Dev Patel"]))
    assert code != 0 and "rolled back" in err  # the receipts stop signing on it


def _append_forged(board: Session, kind: str, body: dict, signer_name: str | None,
                   back_date: bool = False) -> None:
    """Append an act the way an attacker could: a valid chain link, a real or stolen key."""
    ws = Workspace.open(board.url)
    with ws.session(immediate=True) as session:
        head = chain_head(session)
        root = json.loads(board.root.read_text())["versions"][-1]["act"]
        if signer_name is None:
            new = keys.generate("x", scrypt_n=keys.MIN_SCRYPT_N)
            signer = unlock_envelope(new)
        else:
            location = "file:" + str(board.keyfile[signer_name])
            fp = json.loads(board.keyfile[signer_name].read_text())["fingerprint"]
            signer = unlock(fp, location, "pw")
        from governance_app.governance.canonical import sha256_hex

        act = make_act(kind, body, board=root["board"] or sha256_hex(root["body"]["root"]),
                       root_version=root["body"]["root"]["version"],
                       root_digest=sha256_hex(root["body"]["root"]), prev_seq=head.seq,
                       prev_hash=head.hash, signer=signer.fingerprint,
                       signed_at=parse_iso_utc("2020-01-01T00:00:00.000000Z") if back_date
                       else parse_iso_utc(root["signed_at"]), sign=signer.sign)
        append_event(session, kind, "mallory", "forged", act.as_payload())
    ws.close()


def unlock_envelope(new: keys.NewKey):
    from governance_app.governance.keystore import Signer

    return Signer(new.fingerprint, keys.decrypt(new.envelope, "x", new.fingerprint))


def test_a_garbage_seal_key_statement_and_an_attacker_key_are_breaks(board: Session) -> None:
    ws = Workspace.open(board.url)
    with ws.session(immediate=True) as session:
        append_event(session, "member.seal-key", "Bo Chen", "member:Bo Chen",
                     {"certificate_sha256": "00" * 32, "signature": "garbage"})
    ws.close()
    _append_forged(board, "review.withdraw", {"review": "x", "reason": "mine"}, None)
    report = board.verify()
    kinds = [b["kind"] for b in report["breaks"]]
    assert "member.seal-key" in kinds and "review.withdraw" in kinds


def test_a_revoked_chair_back_dating_a_signature_is_a_break(board: Session) -> None:
    board.ok("member", "revoke", "Dev Patel", "--reason", "left the bank", "--member", ANA,
             "--key-file", str(board.keyfile[ANA]))
    _append_forged(board, "audit.checkpoint", {"purpose": "checkpoint"}, "Dev Patel",
                   back_date=True)
    problems = [b["problem"] for b in board.verify()["breaks"]]
    assert any("revoked" in p or "root v" in p for p in problems)


def test_two_approvals_by_one_member_count_once(board: Session) -> None:
    assert board.cli("sign", "1", "--member", BO, "--decision", "approve", "--key-file",
                     str(board.keyfile[BO]))[0] == 1  # blocking check refuses it anyway
    code, _, err = board.cli("member", "revoke", ANA, "--reason", "x", "--member", ANA,
                             "--key-file", str(board.keyfile[ANA]))
    assert code == 0  # Dev Patel is still a chair
    code, _, err = board.cli("member", "revoke", "Dev Patel", "--reason", "x", "--member",
                             "Dev Patel", "--key-file", str(board.keyfile["Dev Patel"]))
    assert code != 0 and "last chair" in err


def test_root_files_malformed_or_forged(board: Session) -> None:
    bad = board.folder / "bad.json"
    bad.write_text("{not json")
    assert board.cli("verify", "--root", str(bad))[0] == 2
    forged = json.loads(board.root.read_text())
    forged["versions"][-1]["act"]["body"]["root"]["members"][0]["roles"] = ["chair", "risk"]
    bad.write_text(json.dumps(forged))
    assert board.cli("verify", "--root", str(bad))[0] == 1


def test_verify_attestation_needs_a_threshold_with_public_keys(board: Session, tmp_path) -> None:
    pem = tmp_path / "bo.pem"
    pem.write_text(board.ok("member", "export-key", BO))
    env = tmp_path / "att.json"
    env.write_text('{"payloadType": "application/vnd.in-toto+json", "payload": "", '
                   '"signatures": []}')
    code, _, err = run(board.capsys, "verify-attestation", str(env), "--public-key", str(pem))
    assert code == 2 and "--threshold" in err


def test_an_edit_between_two_imports_is_a_mismatch(board: Session) -> None:
    """The registry is edited behind the app's back, then another import hides nothing: each
    import records the digest before it writes, which must equal the one after the last."""
    board.tamper("UPDATE model_versions SET description = 'approved by the board' "
                 "WHERE version = 1")
    board.ok("import", str(FIXTURES.parent / "mlflow" / "mlflow.db"))
    report = board.verify()
    assert not report["ok"]
    gaps = [m for m in report["mismatches"] if m["table"] == "registry"]
    assert gaps and gaps[0]["row"].startswith("between import events #")
    assert "changed between these two imports" in gaps[0]["problem"]
