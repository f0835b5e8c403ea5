"""Sealed model cards read back as an outsider would: pypdf, pdftotext, pdfsig, verify."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from governance_app.cli import main
from governance_app.governance import keystore
from governance_app.reports.manifest import extract_manifest
from governance_app.reports.model_card import SECTIONS
from governance_app.services import key_locations, reports
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


@pytest.fixture(autouse=True)
def _keys_known(board: tuple[str, Path]) -> None:
    """Where the members' keys are is per-user configuration, which each test gets afresh:
    tell it again, as the machine that built the board knows it."""
    folder = board[1]
    for path in [*(folder / DEMO_KEY_FOLDER).glob("*.key"), folder / "zoe.key"]:
        fingerprint = json.loads(path.read_text(encoding="utf-8"))["fingerprint"]
        key_locations.remember(fingerprint, keystore.file_location(path))


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


def test_cli_report_refuses_to_overwrite_unless_forced(
        board: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, folder = board
    secret = tmp_path / "pass.txt"
    secret.write_text(ZOE_PASS)
    out = tmp_path / "card.pdf"
    earlier = (folder / "card4.pdf").read_bytes()
    out.write_bytes(earlier)
    args = ["--db", url, "report", "model-card", "credit_default:4", "-o", str(out),
            "--member", ZOE, "--passphrase-file", str(secret)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "card.pdf" in err and "already exists" in err and "--force" in err
    assert out.read_bytes() == earlier  # the earlier sealed report is untouched
    assert main([*args, "--force"]) == 0
    assert out.read_bytes() != earlier
    assert main(["--db", url, "verify", str(out)]) == 0


def test_cli_report_without_terminal_or_passphrase_source_is_a_clear_error(
        board: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.delenv("GOVERNANCE_APP_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: as in CI or a pipe
    out = tmp_path / "audit.pdf"
    code = main(["--db", board[0], "report", "audit", "-o", str(out), "--member", ZOE])
    captured = capsys.readouterr()
    assert code == 2 and not out.exists()
    assert "no passphrase" in captured.err and "--passphrase-file" in captured.err
    assert "Traceback" not in captured.err and "EOFError" not in captured.err


@needs_poppler
def test_card_names_the_review_of_each_section_and_summarises_decisions_on_page_one(
        board: tuple[str, Path]) -> None:
    card = board[1] / "card4.pdf"
    first = " ".join(subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(card), "-"],
                                    check=True, capture_output=True, text=True).stdout.split())
    assert "Decisions Gate Review Outcome Quorum" in first
    assert "#3 production-promotion" in first and "#1 staging-promotion" in first
    assert "0/2 approvals" in first and "2/2 approvals, chair 1/1 — met" in first
    text = pdf_text(card)
    gate = text[text.index("Gate checks"):text.index("Approvals")]
    approvals = text[text.index("Approvals"):]
    assert 'Review #3: policy “production-promotion”, gate production, open' in gate
    assert 'Review #1: policy “staging-promotion”, gate staging, approved' in gate
    assert 'Review #1: policy “staging-promotion”, gate staging, approved' in approvals
    assert "Review #3" not in approvals  # nobody signed it yet: no empty section
    assert "Each arrow is a flow of data" in text  # the data path drawn upright, readable
    # The team's logged demographic parity ratio (0.8814) and the app's own worst computed
    # one (age_group, 0.5697) disagree: the card prints both, flagged.
    assert "0.8814 ⚠ computed 0.5697" in gate
    # The card's own claims beside the app's computation: recall 0.64 stated, 0.422 computed.
    assert "Recall at the 0.5 threshold 0.64" in text and "0.422 ⚠ differs" in text
    assert "⚠ marks 2 stated number(s) the app computed differently" in text
    assert "reader's zone" not in text


@needs_poppler
def test_no_card_ends_on_a_page_holding_one_lone_paragraph(board: tuple[str, Path]) -> None:
    for version in (1, 3, 4):
        card = board[1] / f"card{version}.pdf"
        last = len(PdfReader(card).pages)
        lines = [line for line in subprocess.run(
            ["pdftotext", "-f", str(last), "-l", str(last), "-layout", str(card), "-"],
            check=True, capture_output=True, text=True).stdout.splitlines() if line.strip()]
        body = [line for line in lines if "page " not in line and "chain head" not in line]
        assert len(body) >= 3, (version, body)


CHINESE_CARD = """---
license: apache-2.0
language:
- zh
library_name: transformers
---

# 信用违约评分模型

## 预期用途

本模型用于对消费贷款申请进行违约风险排序，仅作为信贷审核员的参考。

## 局限性

对信用记录较短的申请人，评分的可靠性较低。
"""


def _fallback_available() -> bool:
    from governance_app.reports.glyph_fallback import fallback_font

    return fallback_font() is not None


def fallback_font_name() -> str:
    """The fallback font's PostScript name, as the PDF names it."""
    from reportlab.pdfbase import pdfmetrics

    from governance_app.reports.glyph_fallback import FALLBACK_FONT

    name = pdfmetrics.getFont(FALLBACK_FONT).face.name
    return name.decode() if isinstance(name, bytes) else str(name)


@needs_poppler
@pytest.mark.skipif(not _fallback_available(), reason="no TrueType CJK font (Debian: "
                    "fonts-droid-fallback, which .ci/run installs)")
def test_chinese_card_prints_in_a_cjk_font_not_as_boxes(board: tuple[str, Path],
                                                          tmp_path: Path) -> None:
    from governance_app.services.importing import import_path

    url, _ = board
    card_file = tmp_path / "README.md"
    card_file.write_text(CHINESE_CARD, encoding="utf-8")
    out = tmp_path / "card-zh.pdf"
    with Workspace.open(url) as ws:
        import_path(ws, card_file, model="credit_default:1")
        reports.build_model_card(ws, "credit_default:1", out, ZOE, ZOE_PASS)
    text = pdf_text(out)
    assert "本模型用于对消费贷款申请进行违约风险排序" in text
    assert "对信用记录较短的申请人" in text
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True,
                           text=True).stdout
    embedded = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert fallback_font_name() in embedded, embedded  # the CJK runs' font, embedded
    assert "DejaVuSans" in embedded  # beside DejaVu for the Latin text
