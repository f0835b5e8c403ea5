"""Offline verification of a sealed PDF and an attestation against the board's root alone:
no workspace is opened or created, only keys the root names count, and a report sealed on an
attacker's board (same member names, the attacker's keys) fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.services.workspace import data_dir
from tests.cli.test_board_attacks import ANA, BO, Session, run


def _approved_session(folder: Path, capsys, monkeypatch) -> Session:
    folder.mkdir()
    board = Session(str(folder / "board.db"), folder, capsys, monkeypatch)
    board.ok("review", "open", "credit_scorer:1", "--policy", "board-test", "--member", BO,
             "--key-file", str(board.keyfile[BO]))
    for name in (BO, ANA):
        board.ok("sign", "2", "--member", name, "--decision", "approve", "--key-file",
                 str(board.keyfile[name]))
    board.ok("board", "root", "-o", str(board.root))
    board.ok("report", "model-card", "credit_scorer:1", "-o", str(folder / "card.pdf"),
             "--member", ANA, "--key-file", str(board.keyfile[ANA]))
    board.ok("attest", "2", "-o", str(folder / "att.json"))
    return board


@pytest.fixture
def boards(tmp_path: Path, capsys, monkeypatch) -> tuple[Session, Session]:
    """The real board, and an attacker's board built the same way with other keys."""
    return (_approved_session(tmp_path / "real", capsys, monkeypatch),
            _approved_session(tmp_path / "attacker", capsys, monkeypatch))


def test_pdf_and_attestation_verify_offline_against_the_root_only(boards, capsys) -> None:
    real, attacker = boards
    before = sorted(data_dir().glob("*"))
    code, out, err = run(capsys, "verify", str(real.folder / "card.pdf"), "--root",
                         str(real.root))
    assert code == 0, out + err
    assert "ok   seal-key statement: Ana Lima bound the sealing certificate" in out
    assert "ok   signer in root (Bo Chen)" in out
    code, out, err = run(capsys, "verify-attestation", str(real.folder / "att.json"),
                         "--root", str(real.root), "--gate", "production")
    assert code == 0 and "2 of 2 required" in out, err
    assert sorted(data_dir().glob("*")) == before  # no workspace was created

    # The attacker's report and attestation, checked against the real board's root:
    code, out, _ = run(capsys, "verify", str(attacker.folder / "card.pdf"), "--root",
                       str(real.root))
    assert code == 1
    assert "FAIL seal-key statement" in out and "FAIL signer in root (Bo Chen)" in out
    code, _, err = run(capsys, "verify-attestation", str(attacker.folder / "att.json"),
                       "--root", str(real.root))
    assert code == 1 and "not the root file's" in err
    # ...while its own embedded keys would have vouched for it:
    code, out, _ = run(capsys, "verify", str(attacker.folder / "card.pdf"), "--root",
                       str(attacker.root))
    assert code == 0

    # A forged root file (an edited quorum) and a missing one:
    doc = json.loads(real.root.read_text())
    doc["versions"][-1]["act"]["body"]["root"]["policies"][0]["quorum"]["approvals"] = 1
    forged = real.folder / "forged-root.json"
    forged.write_text(json.dumps(doc))
    code, _, err = run(capsys, "verify-attestation", str(real.folder / "att.json"), "--root",
                       str(forged))
    assert code == 1 and "signature does not verify" in err
    code, _, err = run(capsys, "verify", str(real.folder / "card.pdf"), "--root",
                       str(real.folder / "missing.json"))
    assert code == 2 and "cannot read" in err
