"""The Findings tab of the Models detail, the Models table's approval column, and the findings
section and revalidations of the Reviews view: real widgets on a real workspace whose board,
findings and conditional approval were made through the CLI; the signed acts go through the
dialogs (member, passphrase, a worker), the rules refused before or after the passphrase."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from governance_app.domain.risk import FindingStatus
from governance_app.services import risk
from governance_app.services.workspace import Workspace
from governance_app.ui.error_dialog import ErrorDialog
from governance_app.ui.models_view import ModelsPanel
from governance_app.ui.reviews_view import ReviewsPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner
from tests.cli.test_risk_cli import ANA, DEV, JONAS, VAL, RiskBoard

WAIT_MS = 20_000
PASSPHRASE = "pw"  # RiskBoard's members' passphrase


@pytest.fixture
def board(tmp_path: Path, capsys, monkeypatch) -> RiskBoard:
    url = f"sqlite:///{tmp_path / 'risk.db'}"
    b = RiskBoard(url, tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "1", "--rationale", "credit decisions",
         "--owner", JONAS, "--use", "retail credit limits", *b.by(VAL))
    b.ok("finding", "open", "credit_scorer:1", "--type", "limitation", "--severity", "medium",
         "--title", "Calibration in the thin-file segment", "--owner", JONAS, "--due",
         "2027-01-10", *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    b.ok("sign", "1", "--decision", "approve", "--condition", "finding:1@2027-01-15",
         *b.by(ANA))
    b.ok("sign", "1", "--decision", "approve", *b.by(DEV))
    b.ok("finding", "comment", "1", "--text", "Recalibrating with isotonic regression",
         *b.by(JONAS))
    return b


@pytest.fixture
def context(board: RiskBoard) -> Iterator[ViewContext]:
    ws = Workspace.open(board.url)
    runner = TaskRunner()
    shown: list[str] = []
    ctx = ViewContext(ws, Selection(), runner, lambda: None, shown.append)
    ctx.shown = shown  # type: ignore[attr-defined]
    yield ctx
    runner.shutdown()
    ws.close()


@pytest.fixture
def models(qtbot, context: ViewContext) -> ModelsPanel:
    panel = ModelsPanel(context.workspace, context.selection, context.runner)
    qtbot.addWidget(panel)
    panel.resize(1180, 740)
    panel.show()
    findings = panel.findings_panel
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS,
                          check_params_cb=lambda r: r is not None and r.version == 1):
        panel.refresh()
        context.selection.select("credit_scorer", 1)
    panel.detail_panel.tabs.setCurrentIndex(panel.findings_tab)
    return panel


def _cells(table, row: int) -> list[str]:
    proxy = table.proxy
    return [proxy.index(row, c).data() for c in range(proxy.columnCount())]


def test_the_tab_lists_findings_with_words_and_the_thread(qtbot, models: ModelsPanel,
                                                          tmp_path: Path) -> None:
    findings = models.findings_panel
    assert models.detail_panel.tabs.tabText(models.findings_tab) == "Findings (1 open)"
    cells = _cells(findings.table, 0)
    # The owner answered in the thread: remediation proposed (still open).
    assert cells == ["1", "■ medium", "v1 · Calibration in the thin-file segment",
                     "◔ remediation proposed", "2027-01-10", JONAS, "limitation", "—"]
    text = findings.detail.toPlainText()
    assert "Recalibrating with isotonic regression" in text and JONAS in text
    assert "Evidence cited: none" in text and f"Owner {JONAS}" in text
    # The model's approval with its condition, above the findings.
    label = findings.approval_label.text()
    assert "v1 → production" in label and "conditional" in label
    assert "finding #1 to be closed by 2027-01-15" in label
    assert findings.comment_button.isEnabled() and findings.close_button.isEnabled()
    target = tmp_path / "findings-tab.png"
    assert models.grab().save(str(target)) and target.stat().st_size > 10_000


def test_an_overdue_finding_is_marked_with_a_word(qtbot, models: ModelsPanel) -> None:
    findings = models.findings_panel
    findings.as_of = date(2027, 1, 12)  # two days after its due date
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS):
        findings.reload()
    assert _cells(findings.table, 0)[4] == "2027-01-10 ✕ overdue"
    assert "✕ overdue" in findings.detail.toPlainText()


def test_the_owner_may_not_close_said_before_the_passphrase(qtbot, models: ModelsPanel,
                                                            context: ViewContext) -> None:
    findings = models.findings_panel
    dialog = findings.open_close_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.choose_member(JONAS)
    dialog.passphrase_edit.setText(PASSPHRASE)
    assert dialog.refusal_label.isVisible()
    assert "owns finding #1" in dialog.refusal_label.text()
    assert "effective challenge" in dialog.refusal_label.text()
    assert not dialog.sign_button.isEnabled()
    dialog.choose_member(ANA)  # a chair, not a validator: no closing role
    assert "holds none of the roles" in dialog.refusal_label.text()
    assert not dialog.sign_button.isEnabled()
    dialog.choose_member(VAL)
    assert not dialog.refusal_label.isVisible()
    assert not dialog.sign_button.isEnabled()  # no resolution yet
    _text_edits(dialog)[0].setPlainText("Recalibrated; thin-file error now 0.8 points")
    dialog.passphrase_edit.setText(PASSPHRASE)
    assert dialog.sign_button.isEnabled()
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS):
        with qtbot.waitSignal(dialog.sig_recorded, timeout=WAIT_MS) as recorded:
            dialog.sign_button.click()
    assert recorded.args[0].status is FindingStatus.CLOSED
    assert "Recorded in the audit chain" in dialog.result_label.text()
    assert dialog.passphrase_edit.text() == ""  # not kept
    assert _cells(findings.table, 0)[3] == "✓ closed"
    assert not findings.close_button.isEnabled()
    with Workspace.open(context.workspace.url) as ws:
        assert risk.list_findings(ws, "credit_scorer")[0].decided_by == VAL


def test_open_comment_and_accept_through_the_dialogs(qtbot, models: ModelsPanel,
                                                     context: ViewContext) -> None:
    findings = models.findings_panel
    dialog = findings.open_finding_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert not dialog.sign_button.isEnabled()  # no title yet
    combos = [w for w in dialog.findChildren(type(dialog.member_combo))
              if w is not dialog.member_combo]
    scope, kind, severity = combos
    assert scope.currentData() == "credit_scorer:1"
    severity.setCurrentIndex(severity.findData("high"))
    kind.setCurrentIndex(kind.findData("validation-issue"))
    edits = _line_edits(dialog)
    edits["what is wrong, in one line"].setText("Application date leaks the outcome")
    edits["links"].setText("fairness:credit_scorer:1")
    dialog.choose_member(VAL)
    dialog.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS):
        with qtbot.waitSignal(dialog.sig_recorded, timeout=WAIT_MS) as recorded:
            dialog.sign_button.click()
    opened = recorded.args[0]
    assert (opened.id, opened.severity.value, opened.owner) == (2, "high", JONAS)
    assert _cells(findings.table, 0)[:4] == ["2", "▲ high",
                                             "v1 · Application date leaks the outcome",
                                             "● open"]  # most severe first
    assert findings.selected_finding().id == 2
    assert models.detail_panel.tabs.tabText(models.findings_tab) == "Findings (2 open)"
    # Its cited evidence is a link into the Fairness view, on the version.
    assert "Fairness view" in findings.detail.toPlainText()
    with qtbot.waitSignal(models.sig_view_requested) as requested:
        findings.follow_evidence("fairness:credit_scorer:1")
    assert requested.args == ["Fairness"]

    comment = findings.open_comment_dialog()
    qtbot.addWidget(comment)
    _text_edits(comment)[0].setPlainText("Which fields were derived after the decision?")
    comment.choose_member(VAL)
    comment.passphrase_edit.setText(PASSPHRASE)
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS):
        with qtbot.waitSignal(comment.sig_recorded, timeout=WAIT_MS):
            comment.sign_button.click()
    assert "Which fields were derived after the decision?" in findings.detail.toPlainText()
    assert VAL in findings.detail.toPlainText()

    accept = findings.open_accept_dialog()
    qtbot.addWidget(accept)
    until = _date_edit(accept)
    until.setDate(QDate.currentDate().addDays(500))  # beyond the policy's 365 days
    _text_edits(accept)[0].setPlainText("Compensating control: manual review of declines")
    accept.choose_member(VAL)
    accept.passphrase_edit.setText(PASSPHRASE)
    assert "at most 365 days" in accept.refusal_label.text()
    assert not accept.sign_button.isEnabled()
    until.setDate(QDate.currentDate().addDays(60))
    assert not accept.refusal_label.isVisible() and accept.sign_button.isEnabled()
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS):
        with qtbot.waitSignal(accept.sig_recorded, timeout=WAIT_MS):
            accept.sign_button.click()
    expiry = (date.today() + timedelta(days=60)).isoformat()
    row = findings.table_model.row_for_id(2)
    source = findings.table_model.index(row, 3)
    assert source.data() == f"◇ exception until {expiry}"
    assert findings.table_model.index(row, 7).data() == expiry


def test_a_refusal_after_the_passphrase_is_said_and_the_dialog_stays(
        qtbot, models: ModelsPanel) -> None:
    findings = models.findings_panel
    dialog = findings.open_comment_dialog()
    qtbot.addWidget(dialog)
    _text_edits(dialog)[0].setPlainText("A question")
    dialog.choose_member(VAL)
    dialog.passphrase_edit.setText("not the passphrase")
    with qtbot.waitSignal(dialog.sig_failed, timeout=WAIT_MS):
        dialog.sign_button.click()
    assert "✕ Not recorded" in dialog.status_label.text()
    assert dialog.pages.currentWidget() is dialog.entry_page and dialog.isVisible()
    errors = [w for w in QApplication.topLevelWidgets()
              if isinstance(w, ErrorDialog) and w.isVisible()]
    assert len(errors) == 1
    errors[0].close()


def test_a_version_without_findings_says_what_fills_the_tab(qtbot, models: ModelsPanel,
                                                            context: ViewContext) -> None:
    findings = models.findings_panel
    with qtbot.waitSignal(findings.sig_loaded, timeout=WAIT_MS,
                          check_params_cb=lambda r: r is not None and r.version == 3):
        context.selection.select("credit_scorer", 3)
    assert findings.pages.currentWidget() is findings.empty_label
    assert "No findings on credit_scorer v3" in findings.empty_label.text()
    assert "Open finding…" in findings.empty_label.text()
    assert models.detail_panel.tabs.tabText(models.findings_tab) == "Findings"


def test_the_models_table_shows_a_lapsed_approval_as_lapsed(qtbot, models: ModelsPanel) -> None:
    column = models.models_model.columnCount() - 1
    assert models.models_model.headerData(column, _horizontal()) == "Approval"
    qtbot.waitUntil(lambda: bool(models.models_model.approvals), timeout=WAIT_MS)
    cell = models.models_table.proxy.index(0, column)
    assert cell.data() == "◔ v1 → production, conditional"
    # On 1 February 2027 the condition's date (15 January) has passed with finding #1 open.
    models.findings_panel.as_of = date(2027, 2, 1)
    models.models_model.approvals = {}
    models.refresh()
    qtbot.waitUntil(lambda: bool(models.models_model.approvals), timeout=WAIT_MS)
    cell = models.models_table.proxy.index(0, column)
    assert cell.data() == "✕ lapsed (v1 → production)"
    assert "finding #1 was not closed by 2027-01-15" in cell.data(_tooltip_role())


# -- the Reviews view -------------------------------------------------------------------------


@pytest.fixture
def reviews(qtbot, board: RiskBoard, context: ViewContext) -> ReviewsPanel:
    board.ok("finding", "open", "credit_scorer:2", "--type", "validation-issue", "--severity",
             "high", "--title", "Leakage through application date", "--owner", JONAS,
             *board.by(VAL))
    board.ok("review", "open", "credit_scorer:2", "--policy", "board-test", *board.by(VAL))
    panel = ReviewsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1180, 760)
    panel.show_all_check.setChecked(True)
    with qtbot.waitSignal(panel.sig_revalidations_shown, timeout=WAIT_MS):
        with qtbot.waitSignal(panel.sig_risk_shown, timeout=WAIT_MS):
            panel.show()
    return panel


def _show_review(qtbot, panel: ReviewsPanel, review_id: int) -> None:
    if panel.risk is not None and panel.risk.review_id == review_id:
        return
    with qtbot.waitSignal(panel.sig_risk_shown, timeout=WAIT_MS,
                          check_params_cb=lambda r: r is not None and r.review_id == review_id):
        assert panel.select_review(review_id)


def test_the_review_shows_open_findings_as_checks_blocking_by_policy(
        qtbot, reviews: ReviewsPanel, tmp_path: Path) -> None:
    _show_review(qtbot, reviews, 2)
    rows = [_cells(reviews.finding_checks, i) for i in range(reviews.finding_model.rowCount())]
    assert [r[:2] for r in rows] == [["✕ fail", "no open high finding"]]
    assert rows[0][4] == "blocking"
    assert "finding #2 (high) is open: Leakage through application date" in rows[0][6]
    text = reviews.terms_label.text()
    assert "blocks approval while a finding of severity high" in text
    assert "1 open finding block approval" in text
    assert "Latest approval of credit_scorer: v1 → production" in text
    target = tmp_path / "reviews-findings.png"
    assert reviews.grab().save(str(target)) and target.stat().st_size > 10_000
    # The evidence column leads to the version's Findings tab in the Models view.
    reviews._on_finding_checks_clicked(reviews.finding_checks.proxy.index(0, 5))
    assert reviews.ctx.shown[-1] == "Models"  # type: ignore[attr-defined]
    assert reviews.ctx.selection.current.version == 2


def test_the_sign_dialog_says_a_finding_blocks_before_the_passphrase(
        qtbot, reviews: ReviewsPanel) -> None:
    _show_review(qtbot, reviews, 2)
    dialog = reviews.open_sign_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    text = dialog.findings_label.text()
    assert dialog.findings_label.isVisible()
    assert "blocked by the risk policy" in text and "finding #2 (high) is open" in text
    assert "closes it, or accepts it as an exception" in text
    assert not dialog.approve_radio.isEnabled() and dialog.reject_radio.isChecked()
    dialog.reject()


def test_an_approved_review_shows_its_conditions_and_the_medium_finding(
        qtbot, reviews: ReviewsPanel) -> None:
    _show_review(qtbot, reviews, 1)
    rows = [_cells(reviews.finding_checks, i) for i in range(reviews.finding_model.rowCount())]
    assert [r[:2] for r in rows] == [["⚠ warning", "no open medium finding"]]
    assert rows[0][4] == "warns only"
    assert "Approved on condition:</b> finding #1 to be closed by 2027-01-15" in \
        reviews.terms_label.text()


def test_the_agenda_lists_due_revalidations_with_the_reason(
        qtbot, tmp_path: Path, capsys, monkeypatch) -> None:
    b = RiskBoard(f"sqlite:///{tmp_path / 'due.db'}", tmp_path, capsys, monkeypatch)
    b.ok("tier", "set", "credit_scorer", "--tier", "1", "--rationale", "credit decisions",
         *b.by(VAL))
    b.ok("review", "open", "credit_scorer:1", "--policy", "board-test", *b.by(VAL))
    ws = Workspace.open(b.url)
    runner = TaskRunner()
    panel = ReviewsPanel(ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None))
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.sig_revalidations_shown, timeout=WAIT_MS) as shown:
            panel.show()
        assert shown.args == [1]
        due, model, tier, day, reason = _cells(panel.revalidations, 0)
        assert (due, model, tier) == ("✕ due now", "credit_scorer", "1")
        assert day == date.today().isoformat() and reason == "never validated"
        assert panel.revalidations.isVisible()
    finally:
        panel.close()
        runner.shutdown()
        ws.close()


# -- helpers ----------------------------------------------------------------------------------


def _text_edits(dialog):
    from PySide6.QtWidgets import QPlainTextEdit

    return dialog.findChildren(QPlainTextEdit)


def _line_edits(dialog) -> dict:
    from PySide6.QtWidgets import QLineEdit

    edits = {}
    for edit in dialog.findChildren(QLineEdit):
        if edit is dialog.passphrase_edit or not edit.placeholderText():
            continue
        key = "links" if edit.placeholderText().startswith("links") else edit.placeholderText()
        edits[key] = edit
    return edits


def _date_edit(dialog):
    from PySide6.QtWidgets import QDateEdit

    return dialog.findChildren(QDateEdit)[0]


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def _tooltip_role():
    from PySide6.QtCore import Qt

    return Qt.ItemDataRole.ToolTipRole
