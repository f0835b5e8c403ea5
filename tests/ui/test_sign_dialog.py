"""The Sign dialog says what blocks approval before the passphrase step, keeps Reject, lays
the Meaning row out without empty space, and shows the demo's public passphrases on the demo
workspace only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from governance_app.domain.governance import Decision
from governance_app.services import members as member_service
from governance_app.services.demo import demo_passphrases
from governance_app.services.demo_reviews import DEMO_KEY_FOLDER, DEMO_PASSPHRASES
from governance_app.ui.selection import Selection
from governance_app.ui.sign_dialog import SignDialog
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner
from tests.governance.review_helpers import MODEL, Board, make_board, passphrase

WAIT_MS = 20_000


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    b = make_board(f"sqlite:///{tmp_path / 'board.db'}", tmp_path / "keys")
    yield b
    b.ws.close()


@pytest.fixture
def context(board: Board) -> Iterator[ViewContext]:
    runner = TaskRunner()
    ctx = ViewContext(board.ws, Selection(), runner, lambda: None, lambda *_: None)
    ctx.board = board  # type: ignore[attr-defined]  # the reviews open through its chair
    yield ctx
    runner.shutdown()


def _dialog(qtbot, ctx: ViewContext, version: int) -> SignDialog:
    review = ctx.board.open_review(f"{MODEL}:{version}")  # type: ignore[attr-defined]
    dialog = SignDialog(ctx, review, member_service.list_members(ctx.workspace))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_blocked_review_says_why_and_how_before_the_passphrase_and_keeps_reject(
        qtbot, context: ViewContext) -> None:
    dialog = _dialog(qtbot, context, 2)  # v2's val_auc is below the gate's 0.77
    text = dialog.blockers_label.text()
    assert dialog.blockers_label.isVisible()
    assert "Approval is blocked" in text and "val_auc ≥ 0.77" in text
    assert "To unblock" in text and "withdraw this review and open a new one" in text
    assert dialog.blockers_label.y() < dialog.passphrase_edit.mapTo(dialog, dialog.rect()
                                                                     .topLeft()).y()
    assert not dialog.approve_radio.isEnabled() and dialog.reject_radio.isChecked()
    assert dialog.decision() is Decision.REJECT
    assert "Rejected for promotion to production" in dialog.meaning_label.text()
    dialog.member_combo.setCurrentIndex(dialog.member_combo.findData("Bo Chen"))
    qtbot.keyClicks(dialog.passphrase_edit, passphrase("Bo Chen"))
    with qtbot.waitSignal(dialog.sig_signed, timeout=WAIT_MS) as signed:
        dialog.sign_button.click()
    assert signed.args[1].decision is Decision.REJECT


def test_unblocked_review_offers_approve_and_no_blocker_text(qtbot,
                                                             context: ViewContext) -> None:
    dialog = _dialog(qtbot, context, 1)
    assert not dialog.blockers_label.isVisible() and dialog.blockers_label.text() == ""
    assert dialog.approve_radio.isEnabled() and dialog.approve_radio.isChecked()
    assert not dialog.demo_label.isVisible()  # not the demo workspace: no passphrases shown
    assert dialog.passphrase_edit.placeholderText() == "asked for every signature"


def test_meaning_row_has_no_empty_space(qtbot, context: ViewContext) -> None:
    dialog = _dialog(qtbot, context, 1)
    dialog.resize(600, 900)  # a tall dialog: spare height must not open gaps in the form
    qtbot.wait(10)
    meaning = dialog.meaning_label.geometry()
    # Approving: the approval's terms (conditions, expiry) are the next row, then the comment.
    assert dialog.terms_form.conditions_field.isVisible()
    next_top = dialog.terms_form.conditions_field.geometry().top()
    line = dialog.meaning_label.fontMetrics().height()
    assert meaning.height() <= 2.5 * line
    assert next_top - meaning.bottom() <= 16
    expiry = dialog.terms_form.expiry.geometry()
    assert dialog.comment_edit.geometry().top() - expiry.bottom() <= 16


def test_demo_workspace_shows_its_public_passphrases(tmp_path: Path, qtbot) -> None:
    folder = tmp_path / "data"
    (folder / DEMO_KEY_FOLDER).mkdir(parents=True)
    board = make_board(f"sqlite:///{folder / 'demo.db'}", tmp_path / "keys")
    runner = TaskRunner()
    try:
        assert demo_passphrases(board.ws.url) == DEMO_PASSPHRASES
        assert demo_passphrases(f"sqlite:///{tmp_path / 'demo.db'}") == {}  # no demo keys
        ctx = ViewContext(board.ws, Selection(), runner, lambda: None, lambda *_: None)
        ctx.board = board  # type: ignore[attr-defined]
        dialog = _dialog(qtbot, ctx, 1)
        assert dialog.demo_label.isVisible()
        assert "Demo workspace" in dialog.demo_label.text()
        assert DEMO_PASSPHRASES["Ana Lima"] in dialog.demo_label.text()
        dialog.member_combo.setCurrentIndex(dialog.member_combo.findData("Ana Lima"))
        assert dialog.passphrase_edit.placeholderText() == f"demo: {DEMO_PASSPHRASES['Ana Lima']}"
    finally:
        runner.shutdown()
        board.ws.close()


def test_reviews_checks_table_flags_a_contradiction_beside_both_numbers(
        board: Board, tmp_path: Path, qtmodeltester) -> None:
    import shutil

    from governance_app.services.importing import import_path
    from governance_app.ui.review_models import CheckTableModel

    table = tmp_path / "predictions.csv"
    shutil.copyfile(Path(__file__).parents[1] / "fixtures" / "fairness" / "predictions.csv",
                    table)
    import_path(board.ws, table, model=f"{MODEL}:1", settings={
        "label": "label", "prediction": "prediction", "sensitive": ["gender"],
        "min_group_size": 1})
    review = board.open_review(f"{MODEL}:1")
    assert review.evidence["contradictions"] == ["demographic_parity_ratio ≥ 0.8"]
    model = CheckTableModel()
    model.set_rows(review.checks)
    qtmodeltester.check(model)
    row = next(i for i, c in enumerate(review.checks)
               if c["label"] == "demographic_parity_ratio ≥ 0.8")
    flagged = review.checks[row]["inputs"]["contradiction"]
    value = model.index(row, 2)
    assert value.data() == (f"{flagged['declared']:.4g} ⚠ computed "
                            f"{flagged['computed']:.4g}")
    assert value.data(Qt.ItemDataRole.ForegroundRole) is not None  # the warning colour
    dialog = SignDialog(ViewContext(board.ws, Selection(), TaskRunner(), lambda: None,
                                    lambda *_: None), review,
                        member_service.list_members(board.ws))
    assert "contradicts itself" in dialog.contradiction_label.text()
    assert f"declared {flagged['declared']:.4g}" in dialog.contradiction_label.text()
    dialog.deleteLater()
    assert model.index(0 if row else 1, 2).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "contradiction: declared" in value.data(Qt.ItemDataRole.ToolTipRole)
