"""The review meeting on the demo, from the command line alone, as the README and the user
guide tell a new board to run it: the agenda's review of credit_default v4 is approved by two
demo members with their documented passphrases, the gate is granted, and a sealed model card
and an attestation are written and verified offline against the board's root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from governance_app.cli import main
from governance_app.services.demo_reviews import DEMO_PASSPHRASES


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_meeting_from_the_cli(tmp_path: Path, capsys, monkeypatch) -> None:
    code, url, _ = _run(capsys, "demo", "--no-window")
    assert code == 0
    db = ["--db", url.strip()]
    code, out, _ = _run(capsys, *db, "review", "list", "--json")
    [agenda] = [r for r in json.loads(out) if r["model"] == "credit_default"
                and r["version"] == 4 and r["gate"] == "production" and r["state"] == "open"]
    review = str(agenda["id"])
    for member in ("Malik Haddad", "Ana Lima"):
        monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", DEMO_PASSPHRASES[member])
        code, out, err = _run(capsys, *db, "sign", review, "--member", member, "--decision",
                              "approve", "--comment", "Evidence reviewed in the meeting.")
        assert code == 0, err
        assert out.splitlines()[1].startswith("head #")  # written in the minutes
    code, out, _ = _run(capsys, *db, "review", "grants", "--json")
    grants = {(g["model"], g["gate"]): g["version"] for g in json.loads(out)}
    assert grants[("credit_default", "production")] == 4

    root, card, attestation = (tmp_path / n for n in ("root.json", "card.pdf", "att.json"))
    assert _run(capsys, *db, "board", "root", "-o", str(root))[0] == 0
    monkeypatch.setenv("GOVERNANCE_APP_PASSPHRASE", DEMO_PASSPHRASES["Sofia Rossi"])
    code, _, err = _run(capsys, *db, "report", "model-card", "credit_default:4", "-o", str(card),
                        "--member", "Sofia Rossi")
    assert code == 0, err
    assert _run(capsys, *db, "attest", review, "-o", str(attestation))[0] == 0
    monkeypatch.delenv("GOVERNANCE_APP_PASSPHRASE")
    code, out, err = _run(capsys, "verify", str(card), "--root", str(root))
    assert code == 0, out + err
    code, out, err = _run(capsys, "verify-attestation", str(attestation), "--root", str(root),
                          "--gate", "production")
    assert code == 0, out + err
    code, out, _ = _run(capsys, *db, "verify", "--root", str(root), "--json")
    assert code == 0 and json.loads(out)["ok"]
