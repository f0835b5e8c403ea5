"""The validation report, and the model-risk sections of the card and the audit report, through
the public CLI on SQLite and PostgreSQL: read back with pdftotext and pypdf, verified offline
against the board's root, refused when tampered with."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from governance_app.reports.manifest import extract_manifest
from governance_app.reports.validation_report import SECTIONS
from governance_app.services.reports import generated_reports
from governance_app.services.workspace import Workspace
from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard
from tests.reports.pdf_tools import needs_poppler, pdf_text
from tests.reports.tampering import append, flip, incremental_update


@pytest.fixture
def reviewed(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    """credit_scorer v1: tier 2, a high finding answered and closed by the validator, a
    medium one left open and made a condition of the production approval, which expires."""
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale",
         "moderate exposure, reviewed outputs", "--owner", JONAS, *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "validation-issue", "--severity",
         "high", "--title", "Leakage through application date", "--owner", JONAS, "--due",
         "2027-01-31", *b.by(VAL))
    b.ok("finding", "comment", "1", "--text", "Which columns postdate the decision?",
         *b.by(VAL))
    b.ok("finding", "comment", "1", "--text", "Dropped the column; retrained", *b.by(JONAS))
    b.ok("finding", "close", "1", "--resolution", "re-tested on holdout", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "medium",
         "--title", "Calibration in the thin-file segment", "--owner", JONAS, *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:2@2027-01-15",
         "--expires", "2027-12-31", *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    return b


@needs_poppler
def test_validation_report_prints_the_cycle_and_verifies_against_the_root(
        reviewed: RiskBoard) -> None:
    b = reviewed
    out = b.folder / "validation.pdf"
    b.ok("report", "validation", "credit_scorer:1", "-o", str(out), *b.by(VAL))
    text = pdf_text(out)
    for number, title in enumerate(SECTIONS, start=1):
        assert f"{number}. {title}" in text
    assert "Validation report: credit_scorer version 1" in text
    assert "tier 2 (set by Val Okafor" in text and "moderate exposure, reviewed outputs" in text
    assert "Gate checks" in text and "Lineage: training and evaluation data" in text
    # The effective-challenge record: the question, the owner's answer, the decision.
    assert "Which columns postdate the decision?" in text
    assert "Dropped the column; retrained" in text
    assert "Closed by Val Okafor" in text and "re-tested on holdout" in text
    assert "finding #2 closed by 2027-01-15: open" in text and "2027-12-31" in text
    assert "Approved with conditions or open findings" in text
    assert "assigned credit_scorer tier 2 by judgement" in text
    assert "opened finding #1 (high): Leakage through application date" in text
    reader = PdfReader(out)
    assert reader.metadata.title == "Validation report: credit_scorer version 1"
    assert all(page.extract_text().strip() for page in reader.pages)  # no empty page

    manifest = extract_manifest(out.read_bytes())
    assert manifest["kind"] == "validation"
    assert manifest["parameters"]["model"] == "credit_scorer"
    assert manifest["parameters"]["version"] == 1
    kinds = [s["kind"] for s in manifest["signatures"]]
    assert kinds.count("review-signature") == 2
    acts = [s["act"] for s in manifest["signatures"] if s["kind"] == "risk-act"]
    assert acts == ["tier.assign", "finding.open", "finding.comment", "finding.comment",
                    "finding.close", "finding.open"]
    assert {e["finding_id"] for e in manifest["evidence"] if e["kind"] == "finding"} == {1, 2}

    b.ok("board", "root", "-o", str(b.root))
    code, report, _ = b.cli("verify", str(out), "--root", str(b.root))
    assert code == 0, report
    assert "ok   signer in root (Jonas Berg)" in report  # his response is a signed act
    assert "ok   seal-key statement" in report

    with Workspace.open(b.url) as ws:
        generated = generated_reports(ws)
    assert generated[0].kind == "validation" and generated[0].path.name == "validation.pdf"
    assert generated[0].parameters["version"] == 1


def test_validation_report_tampered_fails_verify(reviewed: RiskBoard) -> None:
    b = reviewed
    out = b.folder / "validation.pdf"
    b.ok("report", "validation", "credit_scorer:1", "-o", str(out), *b.by(VAL))
    b.ok("board", "root", "-o", str(b.root))
    sealed = out.read_bytes()
    for tamper, failing in ((flip, "seal intact"), (append, "covers the whole file"),
                            (incremental_update, "covers the whole file")):
        bad = b.folder / f"tampered-{tamper.__name__}.pdf"
        bad.write_bytes(tamper(sealed))
        code, report, _ = b.cli("verify", str(bad), "--root", str(b.root))
        assert code == 1 and f"FAIL {failing}" in report, (tamper.__name__, report)


def test_validation_report_cli_rules(reviewed: RiskBoard) -> None:
    b = reviewed
    out = b.folder / "v.pdf"
    out.write_bytes(b"an earlier report")
    code, _, err = b.cli("report", "validation", "credit_scorer:1", "-o", str(out), *b.by(VAL))
    assert code == 2 and "already exists" in err and "--force" in err
    assert out.read_bytes() == b"an earlier report"
    code, _, err = b.cli("report", "validation", "-o", str(out), "--force", *b.by(VAL))
    assert code == 2 and "a validation report needs the version" in err
    code, _, err = b.cli("report", "validation", "credit_scorer:1", "--from", "2026-01-01",
                         "-o", str(out), "--force", *b.by(VAL))
    assert code == 2 and "only the audit report takes a model or a period" in err
    code, _, err = b.cli("report", "validation", "credit_scorer", "-o", str(out), "--force",
                         *b.by(VAL))
    assert code == 2 and "MODEL:VERSION" in err
    b.ok("report", "validation", "credit_scorer:1", "-o", str(out), "--force",
         "--page-size", "letter", *b.by(VAL))
    assert abs(PdfReader(out).pages[0].mediabox.width - 612) < 1


@needs_poppler
def test_card_and_audit_report_carry_findings_conditions_and_inventory(
        reviewed: RiskBoard) -> None:
    b = reviewed
    card, audit = b.folder / "card.pdf", b.folder / "audit.pdf"
    b.ok("report", "model-card", "credit_scorer:1", "-o", str(card), *b.by(VAL))
    text = pdf_text(card)
    assert "Findings and conditions" in text
    assert "Leakage through application date" in text and "Dropped the column" in text
    assert "finding #2 closed by 2027-01-15: open" in text
    assert {e["finding_id"] for e in extract_manifest(card.read_bytes())["evidence"]
            if e["kind"] == "finding"} == {1, 2}

    # The period ends after the condition's date: the approval has lapsed on its last day.
    b.ok("report", "audit", "--model", "credit_scorer", "--to", "2027-02-01", "-o",
         str(audit), *b.by(VAL))
    text = pdf_text(audit)
    assert "Model risk" in text and "Inventory as of 2027-02-01" in text
    assert "Findings opened in the period" in text
    assert "Findings closed or accepted in the period" in text
    assert "Which columns postdate the decision?" in text
    assert "lapsed: finding #2 was not closed by 2027-01-15" in text
    assert "Conditions and lapses of approvals on 2027-02-01" in text
    assert "✗ lapsed" in text


def test_cancelled_validation_report_writes_nothing(reviewed: RiskBoard) -> None:
    """Cancel (as the Reports view's worker does) after a few sections: no file, no partial
    file, no ``report.generated`` event."""
    from governance_app.services.reports import ReportCancelled
    from governance_app.services.validation_report import build_validation_report

    b = reviewed
    out = b.folder / "cancelled.pdf"
    steps: list[str] = []
    with Workspace.open(b.url) as ws:
        before = len(generated_reports(ws))
        with pytest.raises(ReportCancelled, match="nothing was written"):
            build_validation_report(ws, "credit_scorer:1", out, VAL, "pw",
                                    key_file=Path(b.key[VAL]),
                                    progress=lambda done, total, message: steps.append(message),
                                    is_cancelled=lambda: "Findings" in steps)
        assert len(generated_reports(ws)) == before
    assert steps[-1] == "Findings" and "Scope" in steps
    assert not out.exists() and not list(b.folder.glob("cancelled.pdf*"))
