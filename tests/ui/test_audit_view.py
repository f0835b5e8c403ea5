"""The Audit view with real widgets on a real workspace: events, filters, Verify, a break."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.governance import keys
from governance_app.services import audit as audit_service
from governance_app.services import board
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.audit_models import AuditEventTableModel, broken_rows
from governance_app.ui.audit_view import AuditPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).parents[2]
WAIT_MS = 15_000


@pytest.fixture
def audit_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, REPO / "tests" / "fixtures" / "mlflow" / "mlflow.db")
        board.found(ws, "Ana Lima", "pw", key_file=tmp_path / "ana.key",
                    scrypt_n=keys.MIN_SCRYPT_N)
        audit_service.checkpoint(ws, "Ana Lima", "pw")
    return url


@pytest.fixture
def panel(qtbot, audit_url: str):
    ws = Workspace.open(audit_url)
    runner = TaskRunner()
    ctx = ViewContext(ws, Selection(), runner, lambda: None, lambda _n: None)
    view = AuditPanel(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 760)
    with qtbot.waitSignal(view.sig_events_shown, timeout=WAIT_MS):
        view.show()
    yield view
    view.close()
    runner.shutdown()
    ws.close()


def test_the_view_is_registered() -> None:
    assert view_factories()["Audit"].load() is AuditPanel  # a DeferredView: built when shown


def test_events_load_and_filter(qtbot, panel: AuditPanel) -> None:
    kinds = [r.event.kind for r in panel.table_model.rows()]
    assert kinds == ["import", "board.root", "audit.checkpoint"]
    with qtbot.waitSignal(panel.sig_events_shown) as shown:
        panel.kind_combo.setCurrentText("board.root")
    assert shown.args == [1]
    panel.kind_combo.setCurrentText("All")
    panel.actor_combo.setCurrentText("Ana Lima")
    assert [r.event.kind for r in panel.table_model.rows()] == ["board.root", "audit.checkpoint"]
    panel.actor_combo.setCurrentText("All")
    panel.table.select_source_row(0)
    assert "Event #1 — import" in panel.detail.toPlainText()
    assert '"sha256"' in panel.detail.toPlainText()


def test_verify_shows_the_verdict_and_marks_the_broken_event(qtbot, panel: AuditPanel,
                                                             audit_url: str) -> None:
    with qtbot.waitSignal(panel.sig_verified, timeout=WAIT_MS) as verified:
        panel.verify_button.click()
    assert verified.args[0].ok and "✓ Verified" in panel.state_label.text()
    assert {r.broken for r in panel.table_model.rows()} == {""}

    engine = create_engine(audit_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    with qtbot.waitSignal(panel.sig_events_shown, timeout=WAIT_MS):
        panel.refresh()
    with qtbot.waitSignal(panel.sig_verified, timeout=WAIT_MS):
        panel.verify_button.click()
    assert "✕ Broken" in panel.state_label.text() and "event #2" in panel.state_label.text()
    marked = [r.event.seq for r in panel.table_model.rows() if r.broken]
    assert marked[0] == 2
    assert [r.event.seq for r in panel.table_model.rows() if r.suspect] == [3]
    panel.table.select_source_row(1)
    assert "✕ event #2" in panel.detail.toPlainText()
    qtbot.wait(50)
    assert not panel.grab().isNull()  # it paints; the screenshot script alone writes docs/


def test_the_table_model_passes_the_model_tester(qtmodeltester, panel: AuditPanel) -> None:
    model = AuditEventTableModel()
    model.set_rows(broken_rows([r.event for r in panel.table_model.rows()], None))
    qtmodeltester.check(model)
    qtmodeltester.check(panel.table_model)


def test_an_empty_workspace_shows_what_fills_the_trail(qtbot, tmp_path: Path) -> None:
    ws = Workspace.open(f"sqlite:///{tmp_path / 'empty.db'}")
    runner = TaskRunner()
    requested: list[bool] = []
    view = AuditPanel(ViewContext(ws, Selection(), runner, lambda: requested.append(True),
                                  lambda _n: None))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.sig_events_shown, timeout=WAIT_MS):
        view.show()
    assert view.pages.currentWidget() is view.empty_state
    view.empty_state.buttons[0].click()
    assert requested == [True]
    view.close()
    runner.shutdown()
    ws.close()


def test_the_board_root_tab_lists_versions_and_admits_through_the_passphrase_step(
        qtbot, panel: AuditPanel, audit_url: str, tmp_path: Path) -> None:
    qtbot.waitUntil(lambda: panel.board_panel.model.rowCount() == 1, timeout=WAIT_MS)
    board_panel = panel.board_panel
    assert board_panel.model.index(0, 1).data() == "founded the board with Ana Lima as chair"
    assert board_panel.model.index(0, 2).data() == "Ana Lima"
    assert not board_panel.found_button.isEnabled() and board_panel.admit_button.isEnabled()
    with Workspace.open(audit_url) as ws:  # Bo asks to join from his machine
        request = board.request_membership(ws, "Bo Chen", ["risk"], "bo pw",
                                           key_file=tmp_path / "bo.key",
                                           scrypt_n=keys.MIN_SCRYPT_N)
    dialog = board_panel.open_admit_dialog()
    qtbot.keyClicks(dialog.fields["name"], "Bo Chen")
    qtbot.keyClicks(dialog.fields["fingerprint"], request.detail["fingerprint"])
    qtbot.keyClicks(dialog.passphrase_edit, "pw")
    assert dialog.member_combo.currentData() == "Ana Lima"
    with qtbot.waitSignal(board_panel.sig_acted, timeout=WAIT_MS) as acted:
        dialog.ok_button.click()
    assert acted.args[0].head_line.startswith("head #")
    qtbot.waitUntil(lambda: board_panel.model.rowCount() == 2, timeout=WAIT_MS)
    assert board_panel.model.index(0, 1).data() == "admitted Bo Chen"
    assert "signed: head #" in board_panel.head_label.text()
    panel.tabs.setCurrentWidget(board_panel)
    qtbot.wait(50)
    panel.grab().save(str(tmp_path / "audit-board-root.png"))
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)


def test_a_wrong_fingerprint_is_refused_in_the_gui(qtbot, panel: AuditPanel, audit_url: str,
                                                   tmp_path: Path, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("governance_app.ui.board_panel.show_error",
                        lambda _w, exc, action: shown.append(str(exc)))
    with Workspace.open(audit_url) as ws:
        board.request_membership(ws, "Bo Chen", ["risk"], "bo pw", key_file=tmp_path / "bo.key",
                                 scrypt_n=keys.MIN_SCRYPT_N)
    dialog = panel.board_panel.open_admit_dialog()
    qtbot.keyClicks(dialog.fields["name"], "Bo Chen")
    qtbot.keyClicks(dialog.fields["fingerprint"], "ab" * 32)
    qtbot.keyClicks(dialog.passphrase_edit, "pw")
    with qtbot.waitSignal(panel.board_panel.sig_failed, timeout=WAIT_MS):
        dialog.ok_button.click()
    assert "is not the key in Bo Chen's request" in shown[0]
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)
