"""The Reports view with real widgets on a real workspace: a sealed model card generated through
the view's worker, previewed with QtPdf, verified (and a tampered copy refused), cancel, the
empty state, and the File menu's way in. Screenshots go to the test's folder (``--basetemp``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from governance_app.ui.report_tasks import AUDIT_REPORT, MODEL_CARD, verify_file
from governance_app.ui.reports_view import ReportsPanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.workers import TaskRunner
from tests.governance.review_helpers import MODEL, Board, make_board, passphrase

WAIT_MS = 60_000
SHOTS = os.environ.get("GOVERNANCE_APP_SCREENSHOTS")
"""Set to a folder to keep the screenshots; by default they go to the test's tmp folder."""


@pytest.fixture
def board(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Board]:
    backend = getattr(request, "param", "sqlite")
    url = (f"sqlite:///{tmp_path / 'board.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    b = make_board(url, tmp_path / "keys")
    yield b
    b.ws.close()


def _panel(qtbot, ws, selection: Selection | None = None) -> ReportsPanel:
    runner = TaskRunner()
    shown: list[str] = []
    ctx = ViewContext(ws, selection or Selection(), runner, lambda: None, shown.append)
    view = ReportsPanel(ctx)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    with qtbot.waitSignal(view.sig_choices_loaded, timeout=WAIT_MS):
        view.show()
    return view


@pytest.fixture
def panel(qtbot, board: Board) -> Iterator[ReportsPanel]:
    selection = Selection()
    selection.select(MODEL, 2)
    view = _panel(qtbot, board.ws, selection)
    yield view
    view.close()
    view.ctx.runner.shutdown()


def _shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def _generate(qtbot, view: ReportsPanel, out: Path, member: str = "Ana Lima",
              shot: Path | None = None):
    form = view.form
    form.member_combo.setCurrentIndex(form.member_combo.findData(member))
    form.set_output(out)
    assert view.generate_button.isEnabled()
    dialog = view.open_seal_dialog()
    assert dialog is not None and member in dialog.request.member
    assert not dialog.ok_button.isEnabled()  # no passphrase, no seal
    qtbot.keyClicks(dialog.passphrase_edit, passphrase(member))
    if shot is not None:
        _shot(dialog, shot, "reports-seal-dialog")
    with qtbot.waitSignal(view.sig_generated, timeout=WAIT_MS) as generated:
        dialog.ok_button.click()
        assert view.progress_page.isVisible() and not view.generate_button.isEnabled()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.passphrase_edit.text() == ""  # not kept once handed over
    return generated.args[0]


def test_the_view_is_registered(board: Board) -> None:
    view = view_factories()["Reports"](ViewContext(board.ws, Selection(), TaskRunner(),
                                                   lambda: None, lambda _name: None))
    assert isinstance(view, ReportsPanel)
    view.deleteLater()


def test_preselects_the_current_version_and_names_the_file(panel: ReportsPanel) -> None:
    form = panel.form
    assert form.kind() == MODEL_CARD
    assert form.version_combo.currentText() == f"{MODEL}:2"
    assert Path(form.out_edit.text()).name == f"{MODEL}-v2-model-card.pdf"
    assert form.member_combo.count() == 5
    panel.ctx.selection.select(MODEL, 1)
    assert form.version_combo.currentText() == f"{MODEL}:1"
    assert Path(form.out_edit.text()).name == f"{MODEL}-v1-model-card.pdf"
    form.set_kind(AUDIT_REPORT)
    assert not form.version_combo.isVisibleTo(panel) and form.model_combo.isVisibleTo(panel)
    form.from_check.setChecked(True)
    request = form.request()
    assert request.kind == AUDIT_REPORT and request.model is None
    assert request.date_from is not None and request.date_to is None
    assert Path(form.out_edit.text()).name.startswith("audit-report-all-models-")


@pytest.mark.parametrize("board", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.postgres)],
                         indirect=True)
def test_generate_preview_and_verify_a_model_card(qtbot, board: Board, tmp_path: Path,
                                                  qtmodeltester) -> None:
    selection = Selection()
    selection.select(MODEL, 2)
    view = _panel(qtbot, board.ws, selection)
    out = tmp_path / "out" / "card.pdf"
    out.parent.mkdir()
    result = _generate(qtbot, view, out)
    assert result.path == out and out.exists() and out.read_bytes().startswith(b"%PDF")
    assert result.manifest["parameters"]["model"] == MODEL
    assert "card.pdf" in view.status_label.text()
    # The preview shows its pages, from the first, with navigation.
    preview = view.preview
    assert view.tabs.currentIndex() == 0 and view.preview_holder.currentWidget() is preview
    pages = preview.page_count()
    assert pages >= 2
    assert preview.page_label.text() == f"Page 1 of {pages}"
    if board.ws.url.startswith("sqlite"):
        qtbot.waitUntil(lambda: not view.ctx.runner.active(), timeout=WAIT_MS)
        qtbot.wait(800)  # QPdfView renders pages on its own thread; let it paint them
        _shot(view, tmp_path, "reports-preview")
    preview.next_button.click()
    qtbot.waitUntil(lambda: preview.current_page() == 1)
    assert preview.page_label.text() == f"Page 2 of {pages}"
    preview.fit_page_button.click()
    assert not preview.fit_width_button.isChecked()
    # The file verifies, against the workspace's certificates.
    assert verify_file(board.ws.url, out).ok
    qtbot.waitUntil(lambda: not view.ctx.runner.active(), timeout=WAIT_MS)
    qtmodeltester.check(view.reports_model)
    view.close()
    view.ctx.runner.shutdown()


def test_verify_shows_each_check_and_refuses_a_tampered_copy(qtbot, panel: ReportsPanel,
                                                             tmp_path: Path,
                                                             qtmodeltester) -> None:
    out = tmp_path / "card.pdf"
    _generate(qtbot, panel, out, "Bo Chen", shot=tmp_path)
    qtbot.waitUntil(lambda: not panel.ctx.runner.active(), timeout=WAIT_MS)
    verifier = panel.verify_panel
    assert panel.selected_report() is not None and panel.selected_report().path == out
    with qtbot.waitSignal(verifier.sig_verified, timeout=WAIT_MS) as verified:
        panel.verify_button.click()  # the selected generated report
    assert panel.tabs.currentWidget() is verifier
    result = verified.args[0]
    assert result.ok
    model = verifier.checks_model
    qtmodeltester.check(model)
    assert model.rowCount() == len(result.checks) >= 3
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert shown == ["✓ holds"] * model.rowCount()
    names = {model.index(r, 1).data() for r in range(model.rowCount())}
    assert {c.name for c in result.checks} == names
    assert "✓ Verified" in verifier.verdict_label.text()
    _shot(panel, tmp_path, "reports-verify-ok")

    tampered = tmp_path / "tampered.pdf"
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0x01  # one flipped bit inside the sealed range
    tampered.write_bytes(bytes(data))
    with qtbot.waitSignal(verifier.sig_verified, timeout=WAIT_MS) as verified:
        panel.verify_pdf(tampered)
    result = verified.args[0]
    assert not result.ok
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "✕ fails" in shown
    assert "✕ Not verified" in verifier.verdict_label.text()
    _shot(panel, tmp_path, "reports-verify-tampered")


def test_cancel_writes_nothing(qtbot, panel: ReportsPanel, tmp_path: Path) -> None:
    out = tmp_path / "cancelled.pdf"
    panel.form.set_output(out)
    start = panel.ctx.runner.start

    def cancel_first(worker):  # the user pressed Cancel before the pool got to it
        worker.cancel()
        return start(worker)

    panel.ctx.runner.start = cancel_first  # type: ignore[method-assign]
    with qtbot.waitSignal(panel.sig_failed, timeout=WAIT_MS) as failed:
        panel.start_generation(passphrase("Ana Lima"))
    assert type(failed.args[0]).__name__ == "ReportCancelled"
    assert "no file was written" in panel.status_label.text()
    assert not out.exists() and not list(tmp_path.glob("cancelled.pdf*"))
    assert panel.generate_button.isEnabled() and not panel.progress_page.isVisible()


def test_cancel_button_stops_a_running_generation(qtbot, panel: ReportsPanel,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "stopped.pdf"
    panel.form.set_output(out)
    with qtbot.waitSignal(panel.sig_failed, timeout=WAIT_MS) as failed:
        panel.start_generation(passphrase("Ana Lima"))
        panel.progress_page.cancel_button.click()
    assert type(failed.args[0]).__name__ == "ReportCancelled"
    assert not out.exists()


def test_wrong_passphrase_goes_to_the_error_dialog(qtbot, panel: ReportsPanel,
                                                   tmp_path: Path) -> None:
    panel.form.set_output(tmp_path / "nope.pdf")
    with qtbot.waitSignal(panel.sig_failed, timeout=WAIT_MS) as failed:
        panel.start_generation("not the passphrase")
    assert type(failed.args[0]).__name__ != "ReportCancelled"
    assert "not generated" in panel.status_label.text()
    assert not (tmp_path / "nope.pdf").exists()


def test_empty_state_without_model_versions(qtbot, empty_url: str, tmp_path: Path) -> None:
    from governance_app.services.workspace import Workspace

    with Workspace.open(empty_url) as ws:
        view = _panel(qtbot, ws)
        assert view.pages.currentWidget() is view.empty_state
        assert [b.text() for b in view.empty_state.buttons] == ["Import…", "Verify a PDF…"]
        _shot(view, tmp_path, "reports-empty")
        view.empty_state.buttons[1].click()
        assert view.pages.currentWidget() is view.splitter
        assert view.tabs.currentWidget() is view.verify_panel
        view.close()
        view.ctx.runner.shutdown()


def test_file_menu_export_model_card_opens_the_view(open_window, demo_url: str, qtbot) -> None:
    window = open_window(demo_url)
    window.selection.select("credit_default", 3)
    assert window.export_card_action.shortcut().toString() == "Ctrl+E"
    window.export_card_action.trigger()
    assert window.current_view_name() == "Reports"
    panel = window.views["Reports"]
    qtbot.waitUntil(lambda: panel.choices is not None, timeout=WAIT_MS)
    assert panel.form.kind() == MODEL_CARD
    assert panel.form.version_combo.currentText() == "credit_default:3"
    window.start_review_action.trigger()
    assert window.current_view_name() == "Reviews"
    reviews = window.views["Reviews"]
    if reviews.dialog is not None:
        reviews.dialog.reject()


def test_demo_workspace_lists_its_sealed_card_and_validation_report(qtbot, tmp_path: Path) -> None:
    from governance_app.services.demo import build_demo_workspace
    from governance_app.services.workspace import Workspace

    url = build_demo_workspace(tmp_path / "demo.db")
    with Workspace.open(url) as ws:
        selection = Selection()
        selection.select("credit_default", 4)
        view = _panel(qtbot, ws, selection)
        validation, card = view.reports_model.rows()  # newest first
        assert card.kind == MODEL_CARD and card.producer == "Sofia Rossi"
        assert card.path.parent == tmp_path / "demo-reports" and card.path.exists()
        assert validation.kind == "validation" and validation.producer == "Malik Haddad"
        assert validation.path.name == "credit_default-v4-validation-report.pdf"
        assert validation.path.exists()
        for row in (1, 0):
            view.reports_table.select_source_row(row)
            assert view.preview_selected() >= 3
            with qtbot.waitSignal(view.verify_panel.sig_verified, timeout=WAIT_MS) as verified:
                view.verify_selected()
            assert verified.args[0].ok
        view.close()
        view.ctx.runner.shutdown()


def test_generate_an_audit_report_of_one_model(qtbot, panel: ReportsPanel,
                                               tmp_path: Path) -> None:
    form = panel.form
    form.set_kind(AUDIT_REPORT)
    form.model_combo.setCurrentIndex(form.model_combo.findData(MODEL))
    form.from_check.setChecked(True)
    out = tmp_path / "audit.pdf"
    result = _generate(qtbot, panel, out, "Carla Diaz")
    assert out.exists() and result.manifest["parameters"]["model"] == MODEL
    assert panel.preview.page_count() >= 1
    qtbot.waitUntil(lambda: panel.reports_model.row_for_path(out) >= 0, timeout=WAIT_MS)
    row = panel.reports_model.row_for_path(out)
    assert panel.reports_model.index(row, 0).data() == "Audit report"
    scope = panel.reports_model.index(row, 1).data()
    assert scope.startswith(f"{MODEL}, from ")
    assert verify_file(panel.ctx.workspace.url, out).ok


def test_the_view_module_leaves_heavy_imports_for_later() -> None:
    """QtPdf, reportlab, matplotlib and pyHanko load with the first report, not with the view."""
    import subprocess
    import sys

    code = ("import sys, governance_app.ui.reports_view; print(sorted(m for m in "
            "('PySide6.QtPdf', 'reportlab', 'matplotlib', 'pyhanko', "
            "'governance_app.services.reports') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("board", ["sqlite", pytest.param("postgresql",
                                                          marks=pytest.mark.postgres)],
                         indirect=True)
def test_generate_a_validation_report_in_the_worker(qtbot, board: Board, tmp_path: Path,
                                                    qtmodeltester) -> None:
    """The third kind: of one version, generated off the GUI thread with progress, listed as
    a validation report, previewed and verified; its finding and thread are printed."""
    from governance_app.services import risk
    from governance_app.ui.report_tasks import VALIDATION_REPORT
    from tests.reports.pdf_tools import POPPLER, pdf_text

    finding, _ = risk.open_finding(
        board.ws, f"{MODEL}:2", type="validation-issue", severity="high",
        title="Holdout overlaps the training window", member="Ana Lima",
        passphrase=passphrase("Ana Lima"), key_file=board.key_files["Ana Lima"])
    risk.comment_finding(board.ws, finding.id, "Which dates does the holdout cover?",
                         "Ana Lima", passphrase("Ana Lima"), board.key_files["Ana Lima"])
    selection = Selection()
    selection.select(MODEL, 2)
    view = _panel(qtbot, board.ws, selection)
    form = view.form
    form.set_kind(VALIDATION_REPORT)
    assert form.version_combo.isVisibleTo(view) and not form.model_combo.isVisibleTo(view)
    assert form.version_combo.currentText() == f"{MODEL}:2"
    assert Path(form.out_edit.text()).name == f"{MODEL}-v2-validation-report.pdf"
    assert form.request().kind == VALIDATION_REPORT and form.request().ref == f"{MODEL}:2"
    steps: list[tuple[int, int, str]] = []
    view.ctx.runner.start = _recording(view.ctx.runner.start, steps)  # type: ignore
    out = tmp_path / "out" / "validation.pdf"
    out.parent.mkdir()
    result = _generate(qtbot, view, out, shot=tmp_path)
    assert result.manifest["kind"] == "validation" and out.exists()
    messages = [m for _, _, m in steps]
    assert messages[0] == "unlocking the document key" and "sealing" in messages
    assert all(done <= total for done, total, _ in steps)
    assert view.preview.page_count() >= 2
    qtbot.waitUntil(lambda: view.reports_model.rowCount() >= 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not view.ctx.runner.active(), timeout=WAIT_MS)
    qtmodeltester.check(view.reports_model)
    kinds = [view.reports_model.index(r, 0).data() for r in range(view.reports_model.rowCount())]
    assert "Validation report" in kinds
    if board.ws.url.startswith("sqlite"):
        qtbot.wait(800)  # QPdfView renders pages on its own thread; let it paint them
        _shot(view, tmp_path, "reports-validation")
    assert verify_file(board.ws.url, out).ok
    if POPPLER:
        text = pdf_text(out)
        assert "Holdout overlaps the training window" in text
        assert "Which dates does the holdout cover?" in text
    view.close()
    view.ctx.runner.shutdown()


def _recording(start, steps: list[tuple[int, int, str]]):
    """The runner's ``start``, also recording each progress step the worker reports."""
    def record(worker):
        worker.signals.sig_progressed.connect(lambda *args: steps.append(args))
        return start(worker)
    return record
