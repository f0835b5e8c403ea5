"""Sealed model cards read back as an outsider would: pypdf, pdftotext, pdfsig, verify."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from governance_app.cli import main
from governance_app.reports.manifest import extract_manifest
from governance_app.reports.model_card import SECTIONS
from governance_app.services import reports
from governance_app.services.demo import build_demo_workspace
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent, SqlSignature
from tests.governance.helpers import join_board
from tests.reports.pdf_tools import needs_poppler, pdf_text
from tests.reports.tampering import TAMPERINGS

ZOE = "Zoë Ångström-Łukasiewicz"
ZOE_PASS = "zoë's own passphrase"


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo workspace plus Zoë, and the cards of credit_default 1, 3 and 4."""
    folder = tmp_path_factory.mktemp("board")
    url = build_demo_workspace(folder / "demo.db")
    with Workspace.open(url) as ws:
        join_board(ws, ZOE, ["compliance"], "zoe@meridian.example", ZOE_PASS,
                   folder / "zoe.key", chair="Ana Lima", chair_secret=DEMO_PASSPHRASES["Ana Lima"],
                   chair_key=folder / DEMO_KEY_FOLDER / "ana.key")
        for version in (1, 3, 4):
            reports.build_model_card(ws, f"credit_default:{version}",
                                     folder / f"card{version}.pdf", ZOE, ZOE_PASS)
    return url, folder


@needs_poppler
def test_card_prints_every_section_value_and_signer(board: tuple[str, Path]) -> None:
    url, folder = board
    text = pdf_text(folder / "card3.pdf")
    for title in SECTIONS:
        assert title in text
    assert "credit_default" in text and "Model card: credit_default version 3" in text
    assert ZOE in text  # the producer, printed with every diacritic
    assert "0.8307" in text  # val_auc 0.830715… at 4 significant digits
    for name in ("Ana Lima", "Malik Haddad"):
        assert name in text
    assert "Rejected for promotion to production" in text
    assert "No model card text attached" in text
    assert "page 1 of" in text and "audit chain head #" in text
    reader = PdfReader(folder / "card3.pdf")
    assert reader.metadata.author == ZOE
    assert reader.metadata.title == "Model card: credit_default version 3"


@needs_poppler
def test_version_without_evidence_says_so_in_one_line(board: tuple[str, Path]) -> None:
    text = pdf_text(board[1] / "card1.pdf")
    assert "No fairness results attached to this version." in text
    assert "No drift results attached to this version." in text
    assert "No signatures on any review of this version." in text


@needs_poppler
def test_pdfsig_validates_the_seal(board: tuple[str, Path]) -> None:
    out = subprocess.run(["pdfsig", str(board[1] / "card4.pdf")], capture_output=True,
                         text=True).stdout
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert ZOE in out


def test_manifest_equals_the_workspace_records(board: tuple[str, Path]) -> None:
    url, folder = board
    manifest = extract_manifest((folder / "card3.pdf").read_bytes())
    assert manifest["kind"] == "model-card"
    assert manifest["parameters"]["model"] == "credit_default"
    with Workspace.open(url) as ws, ws.session() as session:
        review_ids = {r.id for r in reports.gather_card(ws, "credit_default", 3, ZOE).reviews}
        rows = session.scalars(select(SqlSignature).where(SqlSignature.review_id.in_(review_ids))
                               .order_by(SqlSignature.id)).all()
        seq = manifest["chain_head"]["seq"]
        head_hash = session.scalar(select(SqlAuditEvent.hash).where(SqlAuditEvent.seq == seq))
    stored = [(r.id, r.signed_bytes, r.signature) for r in rows]
    printed = [(s["id"], base64.b64decode(s["signed_bytes"]), base64.b64decode(s["signature"]))
               for s in manifest["signatures"]]
    assert printed == stored and len(stored) == 2
    assert manifest["chain_head"]["hash"] == head_hash


def test_verify_passes_fresh_and_names_each_check(board: tuple[str, Path]) -> None:
    url, folder = board
    with Workspace.open(url) as ws:
        result = reports.verify_report(folder / "card3.pdf", ws)
    assert result.ok, result.failed
    names = [c.name for c in result.checks]
    assert {"seal intact", "covers the whole file", "signer", "manifest", "chain head"} <= set(
        names)


def test_verify_without_a_trusted_certificate_fails_the_signer_check(
        board: tuple[str, Path]) -> None:
    result = reports.verify_report(board[1] / "card3.pdf")
    assert [c.name for c in result.failed] == ["signer"]


@TAMPERINGS
def test_verify_fails_on_tampering(board: tuple[str, Path], tmp_path: Path, tamper, failing
                                   ) -> None:
    url, folder = board
    target = tmp_path / "tampered.pdf"
    target.write_bytes(tamper((folder / "card4.pdf").read_bytes()))
    with Workspace.open(url) as ws:
        result = reports.verify_report(target, ws)
    assert not result.ok
    assert failing in [c.name for c in result.failed]


def test_cli_report_and_verify(board: tuple[str, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    url, folder = board
    secret = tmp_path / "pass.txt"
    secret.write_text(DEMO_PASSPHRASES["Sofia Rossi"] + "\n")
    out = tmp_path / "card.pdf"
    code = main(["--db", url, "report", "model-card", "credit_default:4", "-o", str(out),
                 "--member", "Sofia Rossi", "--passphrase-file", str(secret),
                 "--key-file", str(folder / DEMO_KEY_FOLDER / "sofia.key"),
                 "--page-size", "letter"])
    assert code == 0 and out.exists()
    assert abs(PdfReader(out).pages[0].mediabox.width - 612) < 1
    assert main(["--db", url, "verify", str(out)]) == 0
    assert "verified" in capsys.readouterr().out
    out.write_bytes(out.read_bytes() + b"%tail\n")
    assert main(["--db", url, "verify", str(out)]) == 1
    assert "FAIL covers the whole file" in capsys.readouterr().out
