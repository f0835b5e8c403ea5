"""The Sign dialog's approval terms (issue 19), on SQLite and PostgreSQL: the version's and its
model's open findings offered as conditions with their due dates, an optional expiry, the act's
own rule said before the passphrase, and the act signed identical to what ``governance-app sign
--condition finding:ID --expires DATE`` signs; ``verify`` replays it and names the terms when
they lapse. The dialog is the real one, opened from the Reviews view, signing on its worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from governance_app.domain.risk import ApprovalTerms, Condition
from governance_app.governance.acts import REVIEW_SIGN, parse_act
from governance_app.services import risk
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent
from governance_app.ui.reviews_view import ReviewsPanel
from governance_app.ui.selection import Selection
from governance_app.ui.sign_dialog import SignDialog
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner
from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard

WAIT_MS = 20_000
PASSPHRASE = "pw"  # RiskBoard's members' passphrase
DUE_1, DUE_2, EXPIRY = date(2027, 1, 10), date(2027, 2, 1), date(2027, 12, 31)


@pytest.fixture
def board(workspace_url: str, tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    """credit_scorer v1 under review, with open findings: #1 of v1 (due 2027-01-10), #2 of the
    whole model (due 2027-02-01), #3 of v1 without a due date, #4 of v2 (not this version's)."""
    b = RiskBoard(workspace_url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "2", "--rationale", "moderate", *b.by(VAL))
    for ref, title, due in (("credit_scorer:1", "Calibration in the thin-file segment", DUE_1),
                            ("credit_scorer", "Monitoring plan incomplete", DUE_2),
                            ("credit_scorer:1", "Stress test not documented", None),
                            ("credit_scorer:2", "Leakage through application date", DUE_1)):
        b.ok("finding", "open", ref, "--type", "limitation", "--severity", "medium",
             "--title", title, "--owner", JONAS, *(("--due", due.isoformat()) if due else ()),
             *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    return b


@pytest.fixture
def context(board: RiskBoard) -> Iterator[ViewContext]:
    ws = Workspace.open(board.url)
    runner = TaskRunner()
    yield ViewContext(ws, Selection(), runner, lambda: None, lambda _name: None)
    runner.shutdown()
    ws.close()


@pytest.fixture
def dialog(qtbot, context: ViewContext) -> SignDialog:
    """The Sign dialog of review #1 as the Reviews view opens it, once the view has loaded the
    review's findings; Ana (a chair, who did not build v1) signs."""
    panel = ReviewsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1180, 760)
    with qtbot.waitSignal(panel.sig_risk_shown, timeout=WAIT_MS,
                          check_params_cb=lambda r: r is not None and r.review_id == 1):
        panel.show()
    opened = panel.open_sign_dialog()
    assert opened is not None
    qtbot.addWidget(opened)
    qtbot.waitExposed(opened)
    opened.member_combo.setCurrentIndex(opened.member_combo.findData(ANA))
    return opened


def _offered(dialog: SignDialog) -> list[str]:
    items = dialog.terms_form.conditions_list
    return [items.item(i).text() for i in range(items.count())]


def _set_expiry(dialog: SignDialog, day: date | None) -> None:
    dialog.terms_form.expiry.check.setChecked(day is not None)
    if day is not None:
        dialog.terms_form.expiry.edit.setDate(QDate(day.year, day.month, day.day))


def _signed_terms_in_chain(url: str) -> dict:
    """The ``terms`` of the newest review signature, as the signed act's body holds them."""
    with Workspace.open(url, upgrade=False) as ws, ws.session() as session:
        payloads = session.scalars(select(SqlAuditEvent.payload)
                                   .order_by(SqlAuditEvent.seq.desc())).all()
        acts = [parse_act(p) for p in payloads if isinstance(p, dict) and "act" in p]
        newest = next(a for a in acts if a.kind == REVIEW_SIGN)
        return dict(newest.body.get("terms") or {})


def test_conditions_and_expiry_signed_as_the_cli_signs_them_and_verify_names_them(
        qtbot, dialog: SignDialog, board: RiskBoard, tmp_path: Path) -> None:
    # The open findings of v1 and of the whole model, each with its due date; not v2's.
    assert _offered(dialog) == [
        "#1  ■ medium · due 2027-01-10 · v1 · Calibration in the thin-file segment",
        "#2  ■ medium · due 2027-02-01 · whole model · Monitoring plan incomplete",
        "#3  ■ medium · no due date · v1 · Stress test not documented"]
    assert dialog.terms_form.conditions_list.isVisible()
    assert dialog.terms_form.expiry.isVisible() and dialog.terms_form.expires() is None
    assert dialog.terms_form.expiry.without_label.isVisible()  # "no expiry" said in words

    dialog.terms_form.choose([1, 2])
    _set_expiry(dialog, EXPIRY)
    record = dialog.record_label.text()
    assert ("“Approved for promotion to production” and the terms: finding #1 to be closed by "
            "2027-01-10; finding #2 to be closed by 2027-02-01; the approval expires on "
            "2027-12-31") in record
    assert not dialog.terms_problem_label.isVisible()
    screenshot = tmp_path / "sign-dialog-terms.png"
    dialog.adjustSize()
    assert dialog.grab().save(str(screenshot)) and screenshot.stat().st_size > 10_000

    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    assert dialog.sign_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_signed, timeout=WAIT_MS):
        dialog.sign_button.click()
    expected = ApprovalTerms((Condition(1, DUE_1), Condition(2, DUE_2)), EXPIRY)
    assert dialog.terms == expected
    assert "Recorded on condition:" in dialog.result_label.text()
    assert "finding #2 to be closed by 2027-02-01" in dialog.result_label.text()

    # The act holds exactly the terms the CLI makes of the same choices.
    with Workspace.open(board.url, upgrade=False) as ws:
        cli_terms = risk.approval_terms(ws, ["finding:1", "finding:2"], EXPIRY.isoformat())
        assert risk.risk_state(ws).terms_of(1) == expected
    assert _signed_terms_in_chain(board.url) == cli_terms
    assert cli_terms is not None and cli_terms["expires"] == "2027-12-31"
    assert [c["by"] for c in cli_terms["conditions"]] == ["2027-01-10", "2027-02-01"]

    board.ok("sign", "1", "--decision", "approve", *board.by(DEV))  # quorum: approved
    report = board.verify()
    assert report["ok"] and report["lapses"] == []  # today, every term still holds
    code, out, _ = board.cli("verify", "--root", str(board.root), "--as-of", "2028-01-01")
    assert code == 0 and "verified: the chain" in out
    lapsed = [line.strip() for line in out.splitlines() if "LAPSED" in line]
    assert lapsed == [
        "LAPSED: credit_scorer v1 → production (review #1): the approval expired on 2027-12-31",
        "LAPSED: credit_scorer v1 → production (review #1): finding #1 was not closed by "
        "2027-01-10",
        "LAPSED: credit_scorer v1 → production (review #1): finding #2 was not closed by "
        "2027-02-01"]


def test_terms_the_act_would_refuse_are_said_before_the_passphrase(
        qtbot, dialog: SignDialog, tmp_path: Path) -> None:
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    assert dialog.sign_button.isEnabled()

    dialog.terms_form.choose([3])  # no due date: nothing to be closed by
    assert dialog.terms_problem_label.isVisible()
    assert "finding #3 has no due date" in dialog.terms_problem_label.text()
    assert not dialog.sign_button.isEnabled()
    screenshot = tmp_path / "sign-dialog-refused-terms.png"
    dialog.adjustSize()
    assert dialog.grab().save(str(screenshot)) and screenshot.stat().st_size > 10_000

    dialog.terms_form.choose([1])
    today = datetime.now(UTC).date()
    _set_expiry(dialog, today)  # an expiry must be after the signing day
    assert (f"the approval's expiry {today.isoformat()} is not after {today.isoformat()}"
            in dialog.terms_problem_label.text())
    assert not dialog.sign_button.isEnabled()
    _set_expiry(dialog, today - timedelta(days=3))
    assert "is not after" in dialog.terms_problem_label.text()

    _set_expiry(dialog, None)
    assert not dialog.terms_problem_label.isVisible() and dialog.sign_button.isEnabled()

    # A rejection carries no terms: the rows go, and Sign signs without them.
    dialog.reject_radio.setChecked(True)
    assert not dialog.terms_form.conditions_list.isVisible()
    assert not dialog.terms_form.expiry.isVisible()
    assert "the terms" not in dialog.record_label.text()
    assert dialog.terms_problem() is None


def test_a_condition_closed_meanwhile_is_refused_by_the_act_and_said_in_the_dialog(
        qtbot, dialog: SignDialog, board: RiskBoard) -> None:
    board.ok("finding", "close", "2", "--resolution", "plan written", *board.by(VAL))
    dialog.terms_form.choose([2])  # the list was loaded while #2 was open
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(dialog.sig_failed, timeout=WAIT_MS) as failed:
        dialog.sign_button.click()
    assert "finding #2 is closed: a condition names an open finding" in str(failed.args[0])
    assert "Not signed" in dialog.status_label.text()
    assert "a condition names an open finding" in dialog.status_label.text()
    assert dialog.pages.currentWidget() is dialog.entry_page  # stays open for another try
    if dialog.error_dialog is not None:
        dialog.error_dialog.close()
    with Workspace.open(board.url, upgrade=False) as ws:
        assert risk.risk_state(ws).terms_of(1) == ApprovalTerms()  # nothing recorded
    assert dialog.terms_form.conditions_list.item(1).checkState() == Qt.CheckState.Checked
