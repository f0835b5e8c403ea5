"""Mutation test: a real board session's workspace, one governance row changed or deleted at a
time (triggers dropped). Each time, ``verify --root --witness`` must exit 1, or what the front
ends show (``member list``, ``policy list``, ``review list``, ``review show``, the gate grants)
must not have changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.governance.ledger import forget_cache
from tests.cli.test_board_attacks import ANA, BO, Session

MUTATIONS = {  # table → the columns whose edit would change a decision
    "members": ("roles", "public_key_pem", "revoked_at", "fingerprint"),
    "policies": ("parsed", "digest"),
    "reviews": ("state", "model_version_id", "evidence_sha256", "decision"),
    "signatures": ("decision", "member_id", "review_id"),
    "checkpoints": ("head", "seq"),
    "gate_grants": ("version", "gate"),
}
VIEWS = (("member", "list", "--json"), ("policy", "list", "--json"),
         ("review", "list", "--json"), ("review", "show", "1", "--json"),
         ("review", "grants", "--json"))


def _changed(column: str) -> str:
    """An SQL expression that changes ``column``'s value whatever its type."""
    if column in ("roles", "parsed"):
        return "'[\"chair\", \"risk\"]'" if column == "roles" else "'{}'"
    if column in ("member_id", "review_id"):
        return f"{column} + 10"  # (+1 may be a row the UNIQUE constraints refuse)
    if column in ("model_version_id", "seq", "version"):
        return f"{column} + 1"
    if column == "revoked_at":
        return "'2020-01-01 00:00:00.000000'"
    return f"'x' || COALESCE({column}, '')"


@pytest.fixture
def session(tmp_path: Path, capsys, monkeypatch) -> Session:
    board = Session(str(tmp_path / "board.db"), tmp_path, capsys, monkeypatch)
    board.ok("review", "open", "credit_scorer:1", "--policy", "board-test", "--member", BO,
             "--key-file", str(board.keyfile[BO]))
    for name in (BO, ANA):
        board.ok("sign", "2", "--member", name, "--decision", "approve", "--key-file",
                 str(board.keyfile[name]))
    board.ok("audit", "checkpoint", "--member", ANA, "--key-file", str(board.keyfile[ANA]),
             "-o", str(tmp_path / "latest.json"))
    board.checkpoint = tmp_path / "latest.json"
    return board


def _views(board: Session, db: str) -> list[object]:
    forget_cache()
    out = []
    for argv in VIEWS:
        code, text_out, _ = board.cli.__func__(_at(board, db), *argv)  # type: ignore[attr-defined]
        out.append((code, json.loads(text_out) if code == 0 else None))
    return out


def _at(board: Session, db: str) -> Session:
    other = object.__new__(Session)
    other.__dict__.update(board.__dict__, url=db)
    return other


def test_every_row_edit_or_deletion_is_caught_or_changes_nothing(session: Session,
                                                                  tmp_path: Path) -> None:
    pristine = session.url
    expected = _views(session, pristine)
    assert json.loads(json.dumps(expected[4][1]))[0]["version"] == 1  # a real grant exists
    engine = create_engine(f"sqlite:///{pristine}")
    with engine.connect() as connection:
        ids = {t: [r[0] for r in connection.execute(text(f"SELECT id FROM {t} ORDER BY id"))]
               for t in MUTATIONS}
    engine.dispose()
    assert all(ids.values()), ids  # every governance table holds rows to mutate
    tried = caught = 0
    for table, columns in MUTATIONS.items():
        for row in ids[table]:
            statements = [f"UPDATE {table} SET {c} = {_changed(c)} WHERE id = {row}"
                          for c in columns] + [f"DELETE FROM {table} WHERE id = {row}"]
            for statement in statements:
                copy = str(tmp_path / f"mutant-{tried}.db")
                shutil.copy(pristine, copy)
                mutant = _at(session, copy)
                mutant.tamper("PRAGMA foreign_keys = OFF", statement)
                report = mutant.verify()
                tried += 1
                if report["ok"]:
                    assert _views(session, copy) == expected, statement
                else:
                    caught += 1
                    assert report["mismatches"] or report["breaks"], statement
                Path(copy).unlink()
    assert tried >= 40 and caught == tried  # here every mutation is even named
