"""The audit report judges an approval's conditions as of its period's end, on SQLite and
PostgreSQL: a finding closed after the period was still open in it, so the condition naming it
is printed open there and met only in a period that includes the closing; read back with
pdftotext. The closing is signed on a later day by moving the ledger's clock forward (and
keeping it there: the chain refuses an act that goes back in time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from itertools import count
from pathlib import Path

import pytest

from governance_app.governance import ledger
from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard
from tests.reports.pdf_tools import needs_poppler, pdf_text

CLOSED_AT = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
"""When the validator closes the condition's finding: before its day, 2027-01-15."""


class _ClosingDay(datetime):
    """The ledger's clock from the day the finding is closed on, a second per act."""

    ticks = count()

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = CLOSED_AT + timedelta(seconds=next(cls.ticks))
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


@pytest.fixture
def board(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    """credit_scorer v1 approved on condition that finding #1 is closed by 2027-01-15 (the
    validator closes it on 2027-01-10) and finding #2 by its due date 2027-01-12 (never)."""
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale", "moderate", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "medium",
         "--title", "Calibration in the thin-file segment", "--owner", JONAS, *b.by(VAL))
    b.ok("finding", "comment", "1", "--text", "Recalibrating with isotonic regression",
         *b.by(JONAS))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "low",
         "--title", "Monitoring plan incomplete", "--owner", JONAS, "--due", "2027-01-12",
         *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:1@2027-01-15",
         "--condition", "finding:2", *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    monkeypatch.setattr(ledger, "datetime", _ClosingDay)
    b.ok("finding", "close", "1", "--resolution", "recalibrated and re-tested", *b.by(VAL))
    return b


def _audit(b: RiskBoard, to: str) -> str:
    out = b.folder / f"audit-{to}.pdf"
    b.ok("report", "audit", "--model", "credit_scorer", "--to", to, "-o", str(out), *b.by(VAL))
    return pdf_text(out)


@needs_poppler
def test_a_condition_closed_after_the_period_is_open_in_it_and_met_later(
        board: RiskBoard) -> None:
    before = _audit(board, "2027-01-05")  # the approval stands; its findings are still open
    assert "Conditions and lapses of approvals on 2027-01-05" in before
    assert "finding #1 closed by 2027-01-15: remediation proposed" in before
    assert "finding #2 closed by 2027-01-12: open" in before
    assert "(met)" not in before and "closed 2027-01-10" not in before
    assert "unmet" not in before and "was not closed" not in before
    assert "Not decided: remediation proposed." in before  # the thread as it stood then
    assert "recalibrated and re-tested" not in before

    after = _audit(board, "2027-01-20")  # #1 met; #2's day passed with it open: lapsed
    assert "finding #1 closed by 2027-01-15: closed 2027-01-10 (met)" in after
    assert "finding #2 closed by 2027-01-12: open (unmet)" in after
    assert "finding #2 was not closed by 2027-01-12 (since 2027-01-13)" in after
    assert "finding #1 was not closed" not in after
    assert "Closed by Val Okafor" in after and "recalibrated and re-tested" in after
