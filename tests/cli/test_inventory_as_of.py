"""``inventory --as-of`` answers "what was due on that date", on SQLite and PostgreSQL: a
finding closed (or accepted as an exception) on a later day still counts as open on the as-of
day and still triggers the revalidation it did then; one opened after the day does not
count at all; the CSV says what the JSON says. The later decisions are signed on 2027-01-10 by
moving the ledger's clock forward with test_audit_report_as_of's clock."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from governance_app.governance import ledger
from tests.cli.test_audit_report_as_of import _ClosingDay as _DecisionDay
from tests.cli.test_risk_cli import JONAS, VAL, RiskBoard


@pytest.fixture
def board(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    """credit_scorer (tier 2) with a high finding due 2027-01-08 and a medium one, both opened
    today; on 2027-01-10 the first is closed and the second accepted until 2027-06-30."""
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale", "moderate", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "validation-issue", "--severity",
         "high", "--title", "Unstable in the thin-file segment", "--owner", JONAS,
         "--due", "2027-01-08", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "medium",
         "--title", "Monitoring plan incomplete", "--owner", JONAS, *b.by(VAL))
    b.before = {day: _scorer(b, day) for day in ("2027-01-05", "2027-01-09", "2027-01-20")}
    monkeypatch.setattr(ledger, "datetime", _DecisionDay)
    b.ok("finding", "close", "1", "--resolution", "re-fitted and re-tested", *b.by(VAL))
    b.ok("finding", "accept", "2", "--until", "2027-06-30", "--rationale", "manual review",
         *b.by(VAL))
    return b


def _scorer(b: RiskBoard, day: str) -> dict:
    rows = b.json("inventory", "--as-of", day)
    return next(r for r in rows if r["model"] == "credit_scorer")


def _csv_row(b: RiskBoard, day: str) -> dict:
    table = csv.DictReader(io.StringIO(b.ok("inventory", "--as-of", day, "--csv", "-")))
    return next(r for r in table if r["model"] == "credit_scorer")


def test_findings_decided_later_are_open_on_an_earlier_day(board: RiskBoard) -> None:
    for day in ("2027-01-05", "2027-01-09"):  # before the decisions: nothing changed
        assert _scorer(board, day) == board.before[day]
    early = _scorer(board, "2027-01-05")
    assert early["open_findings"] == {"high": 1, "medium": 1, "low": 0}
    due_passed = _scorer(board, "2027-01-09")  # #1 was still open: it set the due date
    assert due_passed["open_findings"] == {"high": 1, "medium": 1, "low": 0}
    assert due_passed["due_reason"] == "high finding #1 open: Unstable in the thin-file segment"
    assert due_passed["overdue"]

    after = _scorer(board, "2027-01-20")  # both decided: nothing open
    assert board.before["2027-01-20"]["open_findings"] == {"high": 1, "medium": 1, "low": 0}
    assert after["open_findings"] == {"high": 0, "medium": 0, "low": 0}
    assert after["due_reason"] == "never validated"  # no longer the finding's trigger

    expired = _scorer(board, "2027-07-01")  # the exception ran out: #2 open again
    assert expired["open_findings"] == {"high": 0, "medium": 1, "low": 0}

    for day, row in (("2027-01-09", due_passed), ("2027-01-20", after)):
        table = _csv_row(board, day)
        assert [int(table[f"open_{s}"]) for s in ("high", "medium", "low")] == [
            row["open_findings"][s] for s in ("high", "medium", "low")]
        assert table["overdue"] == str(row["overdue"]).lower()


def test_a_finding_opened_after_the_day_is_not_counted(board: RiskBoard) -> None:
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    row = _scorer(board, yesterday)
    assert row["open_findings"] == {"high": 0, "medium": 0, "low": 0}
    assert _csv_row(board, yesterday)["open_high"] == "0"
