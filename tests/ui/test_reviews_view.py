"""The Reviews view, the Sign dialog and the status bar's chain line, with real widgets on a
real workspace (registry imported, test policy, members with key files) and real signatures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QStatusBar

from governance_app.domain.governance import ReviewState
from governance_app.services import reviews as review_service
from governance_app.ui.chain_status import ChainStatus
from governance_app.ui.error_dialog import ErrorDialog
from governance_app.ui.review_models import LINK_COLUMN
from governance_app.ui.reviews_view import ReviewsPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner
from tests.governance.review_helpers import MODEL, Board, make_board, passphrase

WAIT_MS = 20_000


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    b = make_board(f"sqlite:///{tmp_path / 'board.db'}", tmp_path / "keys")
    yield b
    b.ws.close()


@pytest.fixture
def reviews(board: Board) -> dict[str, int]:
    """An approved review of v1, a withdrawn one of v2, and the open agenda item for v1."""
    approved = board.open_review(f"{MODEL}:1")
    board.sign(approved.id, "Bo Chen", "approve", "fine")
    board.sign(approved.id, "Ana Lima", "approve", "good to go")
    withdrawn = board.open_review(f"{MODEL}:2")
    review_service.withdraw_review(board.ws, withdrawn.id, "duplicate", "Ana Lima",
                                   passphrase("Ana Lima"), board.key_files["Ana Lima"])
    agenda = board.open_review(f"{MODEL}:1")
    return {"approved": approved.id, "withdrawn": withdrawn.id, "open": agenda.id}


@pytest.fixture
def panel(qtbot, board: Board, reviews: dict[str, int]):
    runner = TaskRunner()
    shown: list[str] = []
    ctx = ViewContext(board.ws, Selection(), runner, lambda: None, shown.append)
    view = ReviewsPanel(ctx)
    view.shown_views = shown  # type: ignore[attr-defined]
    qtbot.addWidget(view)
    view.resize(1280, 760)
    with qtbot.waitSignal(view.sig_reviews_shown, timeout=WAIT_MS):
        view.show()
    yield view
    view.close()
    runner.shutdown()


def sign_through_dialog(qtbot, panel: ReviewsPanel, member: str, secret: str,
                        decision: str = "approve", comment: str = ""):
    dialog = panel.open_sign_dialog()
    assert dialog is not None
    dialog.member_combo.setCurrentIndex(dialog.member_combo.findData(member))
    (dialog.approve_radio if decision == "approve" else dialog.reject_radio).setChecked(True)
    if comment:
        qtbot.keyClicks(dialog.comment_edit, comment)
    qtbot.keyClicks(dialog.passphrase_edit, secret)
    return dialog


def test_the_view_is_registered() -> None:
    assert view_factories()["Reviews"].load() is ReviewsPanel  # DeferredView: built when shown


def test_agenda_lists_open_first_and_filters(qtbot, panel: ReviewsPanel,
                                             reviews: dict[str, int], qtmodeltester) -> None:
    proxy = panel.agenda.proxy
    ids = [int(proxy.index(r, 1).data()) for r in range(proxy.rowCount())]
    assert ids[0] == reviews["open"] and sorted(ids) == sorted(reviews.values())
    assert panel.review is not None and panel.review.id == reviews["open"]
    with qtbot.waitSignal(panel.sig_reviews_shown) as shown:
        panel.state_combo.setCurrentText("approved")
    assert shown.args == [1] and panel.review.id == reviews["approved"]
    panel.state_combo.setCurrentText("All states")
    panel.ctx.selection.select(MODEL, 1)  # follows the shared version
    assert sorted(r.id for r in panel.agenda_model.rows()) == [reviews["approved"],
                                                                reviews["open"]]
    assert f"{MODEL}:1" in panel.scope_label.text()
    panel.show_all_check.setChecked(True)
    assert panel.agenda_model.rowCount() == 3
    for model in (panel.agenda_model, panel.check_model, panel.signature_model):
        qtmodeltester.check(model)


def test_selecting_shows_checks_and_manifestations(panel: ReviewsPanel,
                                                   reviews: dict[str, int]) -> None:
    assert panel.select_review(reviews["approved"])
    review = panel.review
    assert review is not None and review.state is ReviewState.APPROVED
    results = {panel.check_model.index(r, 1).data(): panel.check_model.index(r, 0).data()
               for r in range(panel.check_model.rowCount())}
    assert results == {"val_auc ≥ 0.77": "✓ pass", "demographic_parity_ratio ≥ 0.8": "⚠ warning",
                       "lineage evidence": "✓ pass"}
    assert review.evidence_digest in panel.digest_label.text()
    assert "2 of 2 approvals · chair 1 of 1 — quorum met" in panel.quorum_label.text()
    names = [panel.signature_model.index(r, 0).data()
             for r in range(panel.signature_model.rowCount())]
    assert names == ["Bo Chen", "Ana Lima"]
    row = [panel.signature_model.index(1, c).data() for c in range(7)]
    assert row[1] == "chair" and row[4] == "Approved for promotion to production"
    assert row[5] == "good to go" and len(row[6]) >= 16
    assert row[2].count(":") == 2 and row[2].split()[-1]  # seconds, and the zone named
    assert panel.export_button.isEnabled() and not panel.sign_button.isEnabled()


def test_evidence_links_switch_views(panel: ReviewsPanel, reviews: dict[str, int]) -> None:
    panel.select_review(reviews["open"])
    labels = [panel.check_model.index(r, 1).data() for r in range(panel.check_model.rowCount())]
    lineage_row = labels.index("lineage evidence")
    assert panel.check_model.index(lineage_row, LINK_COLUMN).data() == "Lineage view ↗"
    assert panel.follow_evidence(lineage_row) == "Lineage"
    assert panel.shown_views == ["Lineage"]  # type: ignore[attr-defined]
    assert panel.ctx.selection.current.version == 1


def test_signing_through_the_dialog_until_quorum(qtbot, panel: ReviewsPanel, board: Board,
                                                 reviews: dict[str, int]) -> None:
    panel.select_review(reviews["open"])
    dialog = sign_through_dialog(qtbot, panel, "Bo Chen", passphrase("Bo Chen"),
                                 comment="AUC holds")
    assert dialog.passphrase_edit.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.meaning_label.text().count("Approved for promotion to production") == 1
    assert "Bo Chen signs review" in dialog.record_label.text()
    assert "AUC holds" in dialog.record_label.text()
    with qtbot.waitSignal(dialog.sig_signed, timeout=WAIT_MS) as signed:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    review, signature = signed.args
    assert review.state is ReviewState.OPEN and signature.member == "Bo Chen"
    assert dialog.pages.currentWidget() is dialog.done_page
    assert "Approved for promotion to production" in dialog.result_label.text()
    assert signature.fingerprint in dialog.result_label.text()
    assert dialog.passphrase_edit.text() == ""
    qtbot.waitUntil(lambda: panel.review is not None and len(panel.review.signatures) == 1,
                    timeout=WAIT_MS)
    assert panel.signature_model.index(0, 5).data() == "AUC holds"
    assert "1 of 2 approvals · chair 0 of 1" in panel.quorum_label.text()
    dialog.close()

    dialog = sign_through_dialog(qtbot, panel, "Ana Lima", passphrase("Ana Lima"))
    with qtbot.waitSignal(dialog.sig_signed, timeout=WAIT_MS) as signed:
        dialog.sign_button.click()
    assert signed.args[0].state is ReviewState.APPROVED
    qtbot.waitUntil(lambda: panel.review is not None
                    and panel.review.state is ReviewState.APPROVED, timeout=WAIT_MS)
    assert "quorum met" in panel.quorum_label.text() and panel.export_button.isEnabled()
    dialog.close()
    assert review_service.get_review(board.ws, reviews["open"]).state is ReviewState.APPROVED


def test_wrong_passphrase_shows_the_refusal(qtbot, panel: ReviewsPanel,
                                            reviews: dict[str, int]) -> None:
    panel.select_review(reviews["open"])
    dialog = sign_through_dialog(qtbot, panel, "Bo Chen", "not my passphrase")
    with qtbot.waitSignal(dialog.sig_failed, timeout=WAIT_MS) as failed:
        dialog.sign_button.click()
    assert failed.args[0].reason == "wrong_passphrase"
    assert "Not signed" in dialog.status_label.text()
    error = dialog.error_dialog
    assert isinstance(error, ErrorDialog) and error.isVisible()
    assert "Signing review" in error.report.headline and "refused" in error.report.headline
    assert dialog.pages.currentWidget() is dialog.entry_page and dialog.passphrase_edit.isEnabled()
    error.close()
    dialog.close()


def test_polling_picks_up_a_signature_made_elsewhere(qtbot, panel: ReviewsPanel, board: Board,
                                                    reviews: dict[str, int]) -> None:
    panel.select_review(reviews["open"])
    panel.poll_timer.setInterval(100)
    panel.poll_timer.start()
    board.sign(reviews["open"], "Carla Diaz", "approve", "signed on another machine")
    qtbot.waitUntil(lambda: panel.review is not None and len(panel.review.signatures) == 1,
                    timeout=WAIT_MS)
    assert panel.signature_model.index(0, 0).data() == "Carla Diaz"
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)


def test_withdraw_through_the_dialog(qtbot, panel: ReviewsPanel, reviews: dict[str, int]) -> None:
    panel.select_review(reviews["open"])
    dialog = panel.open_withdraw_dialog()
    assert dialog is not None and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "superseded by version 3")
    dialog.ok_button.click()
    step = panel.act_dialog  # the passphrase step: who signs the withdrawal
    assert step is not None and not step.ok_button.isEnabled()
    step.member_combo.setCurrentIndex(step.member_combo.findData("Bo Chen"))
    qtbot.keyClicks(step.passphrase_edit, passphrase("Bo Chen"))
    assert "superseded by version 3" in step.findChild(QLabel).text()
    step.ok_button.click()
    qtbot.waitUntil(lambda: panel.review is not None
                    and panel.review.state is ReviewState.WITHDRAWN, timeout=WAIT_MS)
    assert "superseded by version 3" in panel.info_label.text()


def test_export_attestation_writes_a_dsse_envelope(panel: ReviewsPanel, board: Board,
                                                   reviews: dict[str, int],
                                                   tmp_path: Path) -> None:
    panel.select_review(reviews["approved"])
    target = tmp_path / "attestation.json"
    assert panel.export_attestation(target) == 2
    envelope = json.loads(target.read_text(encoding="utf-8"))
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    assert len(envelope["signatures"]) == 2
    from governance_app.governance.attestation import public_keys_from_pems, verify_attestation
    keys = public_keys_from_pems(list(board.public_pems.values()))
    result = verify_attestation(envelope, keys, threshold=2)
    assert len(result.verified_keyids) == 2 and result.subject == f"model:{MODEL}/1"


def test_chain_status_verifies_at_open_and_after_a_signature(qtbot, board: Board,
                                                             reviews: dict[str, int]) -> None:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    runner = TaskRunner()
    ctx = ViewContext(board.ws, Selection(), runner, lambda: None, lambda _n: None)
    status = ChainStatus(bar, ctx, start=False)
    with qtbot.waitSignal(status.sig_reported, timeout=WAIT_MS) as reported:
        status.verify()
    assert reported.args[0].ok and "audit chain ✓ verified" in status.label.text()
    board.sign(reviews["open"], "Bo Chen", "approve")
    with qtbot.waitSignal(status.sig_reported, timeout=WAIT_MS):
        runner.run(lambda: None, description="some task")  # a task ended: the head moved
    assert "✓ verified" in status.label.text()
    assert "newest receipt #" in status.label.text() and "in the chain" in status.label.text()
    qtbot.waitUntil(lambda: not runner.active(), timeout=WAIT_MS)
    runner.shutdown()


def test_open_a_review_through_the_dialog_and_the_passphrase_step(
        qtbot, panel: ReviewsPanel, reviews: dict[str, int], tmp_path: Path) -> None:
    dialog = panel.open_review_dialog()
    assert dialog is not None
    dialog.version_combo.setCurrentText(f"{MODEL}:3")
    dialog.accept()
    step = panel.act_dialog
    assert step is not None and step.member_combo.count() == 5 and not step.ok_button.isEnabled()
    step.member_combo.setCurrentIndex(step.member_combo.findData("Carla Diaz"))
    qtbot.keyClicks(step.passphrase_edit, passphrase("Carla Diaz"))
    step.resize(620, 260)
    step.show()
    step.grab().save(str(tmp_path / "act-dialog.png"))
    step.ok_button.click()
    qtbot.waitUntil(lambda: panel.review is not None and panel.review.ref == f"{MODEL}:3",
                    timeout=WAIT_MS)
    assert panel.review.opened_by == "Carla Diaz" and panel.review.state is ReviewState.OPEN
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)
