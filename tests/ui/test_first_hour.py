"""The first hour (issue 9): welcome screen, empty states, shortcuts, About, logs and crashes."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidgetAction

import governance_app
from governance_app.charts import style
from governance_app.services.demo_reviews import DEMO_PASSPHRASES
from governance_app.ui import app as app_module
from governance_app.ui.about_dialog import AboutDialog, user_guide_url
from governance_app.ui.crash_dialog import CrashDialog
from governance_app.ui.logging_setup import LOG_FILE_NAME, configure_logging, remove_logging
from governance_app.ui.main_window import MainWindow
from governance_app.ui.navigation import PLACEHOLDERS, VIEW_NAMES
from governance_app.ui.theme import apply_color_scheme, contrast_ratio, readable_colour
from governance_app.ui.views import view_factories
from governance_app.ui.welcome import WelcomeWindow
from governance_app.ui.widgets import EmptyStatePanel
from governance_app.ui.window_state import remember_workspace


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch, qtbot) -> Iterator[list]:
    """Run ``app.main`` without blocking in ``exec()``; close what it opened afterwards."""
    monkeypatch.setattr(QApplication, "exec", lambda *_: 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    yield []
    launcher = app_module._state.get("launcher")
    for widget in (getattr(launcher, "window", None), getattr(launcher, "welcome", None)):
        if widget is not None:
            widget.close()
    handler = app_module._state.pop("crash_handler", None)
    if handler is not None:
        handler.uninstall()
    remove_logging()


def _top_level(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_first_start_shows_the_welcome_screen(launched, qtbot) -> None:
    assert app_module.main([]) == 0
    welcome = app_module._state["launcher"].welcome
    assert isinstance(welcome, WelcomeWindow) and welcome.isVisible()
    assert not _top_level(MainWindow)  # never an empty main window
    texts = [b.text() for b in (welcome.demo_button, welcome.import_button, welcome.open_button)]
    assert texts == ["Open demo workspace", "Import…", "Open workspace…"]
    assert welcome.recent_empty_label.isVisible() and not welcome.recent_list.isVisible()

    # The demo card shows the demo members' public passphrases, marked as demo.
    demo_note = welcome.demo_passphrases_label
    assert demo_note.isVisible() and "Demo only" in demo_note.text()
    assert all(secret in demo_note.text() for secret in DEMO_PASSPHRASES.values())

    # The demo button builds the demo (in the test's data folder) in a worker: the click
    # returns at once with progress shown, and the main window replaces the welcome when ready.
    progress: list[tuple[int, int, str]] = []
    qtbot.mouseClick(welcome.demo_button, Qt.MouseButton.LeftButton)
    launcher = app_module._state["launcher"]
    assert launcher.window is None and launcher.demo_worker is not None
    launcher.demo_worker.signals.sig_progressed.connect(lambda *a: progress.append(a))
    assert welcome.demo_progress.isVisible() and not welcome.demo_button.isEnabled()
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=120_000)
    assert progress and any("importing" in message for _d, _t, message in progress)
    window = launcher.window
    assert isinstance(window, MainWindow) and window.isVisible()
    assert window.workspace.display_name == "demo.db (SQLite)"
    assert not welcome.isVisible()


def test_welcome_import_opens_the_default_workspace_and_the_import_dialog(launched,
                                                                           qtbot) -> None:
    app_module.main([])
    welcome = app_module._state["launcher"].welcome
    assert "workspace.db" in welcome.import_button.description()
    qtbot.mouseClick(welcome.import_button, Qt.MouseButton.LeftButton)
    window = app_module._state["launcher"].window
    assert window.workspace.display_name == "workspace.db (SQLite)"
    assert window.import_dialog is not None and window.import_dialog.isVisible()
    window.import_dialog.reject()


def test_welcome_lists_recent_workspaces_and_marks_missing_ones(empty_url: str, tmp_path: Path,
                                                                qtbot) -> None:
    gone = f"sqlite:///{tmp_path / 'gone.db'}"
    remember_workspace(gone)
    remember_workspace(empty_url)
    welcome = WelcomeWindow("your workspace")
    qtbot.addWidget(welcome)
    items = [welcome.recent_list.item(i) for i in range(welcome.recent_list.count())]
    assert [i.toolTip() for i in items] == [empty_url, gone]
    assert items[1].text().startswith("gone.db (file not found) — ")
    assert not items[1].flags() & Qt.ItemFlag.ItemIsEnabled
    with qtbot.waitSignal(welcome.sig_workspace_chosen) as chosen:
        welcome.recent_list.itemActivated.emit(items[0])
    assert chosen.args == [empty_url, False]


def test_main_reopens_the_remembered_workspace(launched, mlflow_url: str) -> None:
    app_module.application()  # remembered under the application's own names
    remember_workspace(mlflow_url)
    app_module.main([])
    launcher = app_module._state["launcher"]
    assert launcher.welcome is None
    assert launcher.window.workspace.url == mlflow_url


def test_main_with_db_opens_it_directly(launched, empty_url: str) -> None:
    app_module.main(["--db", empty_url])
    assert app_module._state["launcher"].window.workspace.url == empty_url


def test_every_empty_state_says_what_fills_it_with_the_button(open_window, empty_url: str,
                                                              qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    models = window.models_panel.empty_state
    assert "Import an MLflow store" in models.sentence_label.text()
    assert [b.text() for b in models.buttons] == ["Import…", "Open demo"]
    built = view_factories()
    for view in PLACEHOLDERS:
        window.show_view_named(view.name)
        current = window.stack.currentWidget()
        if view.name in built:
            # A built view on an empty workspace shows its own empty state.
            qtbot.waitUntil(lambda current=current: any(
                p.isVisible() for p in current.findChildren(EmptyStatePanel)))
            panel = next(p for p in current.findChildren(EmptyStatePanel) if p.isVisible())
        else:
            panel = current
            assert isinstance(panel, EmptyStatePanel)
            assert "coming release" in panel.title_label.text()
            assert view.filled_by in panel.sentence_label.text()
        assert panel.isVisible() and panel.sentence_label.isVisible()
        assert panel.sentence_label.text().strip(), f"{view.name}: empty state says nothing"
        labels = [b.text() for b in panel.buttons]
        assert labels, f"{view.name}: empty state offers no way to fill it"
        if "Import…" not in labels:
            continue  # e.g. Reviews: filled by opening a review, not by an import
        button = next(b for b in panel.buttons if b.text() == "Import…")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.import_dialog.isVisible()
        window.import_dialog.reject()


def test_keyboard_shortcuts_switch_views_find_and_refresh(open_window, mlflow_url: str,
                                                          qtbot) -> None:
    window = open_window(mlflow_url)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for index in reversed(range(len(VIEW_NAMES))):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert window.current_view_name() == VIEW_NAMES[index]
        assert window.view_actions[index].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_edit.hasFocus)
    with qtbot.waitSignal(window.models_panel.sig_models_loaded):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.open_action.shortcut().toString() == "Ctrl+O"


def test_toolbar_tooltips_and_tab_order(open_window, mlflow_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    for action in window.toolbar.actions():
        if action.isSeparator():
            continue
        if isinstance(action, QWidgetAction):
            widget = window.toolbar.widgetForAction(action)
            if widget.focusPolicy() != Qt.FocusPolicy.NoFocus:  # labels and spacer take none
                assert widget.toolTip(), widget
        else:
            assert action.toolTip() and "(" in action.toolTip(), action.text()
    window.show_view_named("Models")  # the current view's widgets follow the views list
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.model_combo.setFocus()
    expected = [window.version_combo, window.search_edit, window.nav_list,
                window.models_panel.models_table, window.models_panel.versions_table]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget
    assert isinstance(window.search_edit, QLineEdit)


def test_versions_table_fits_at_1280_by_800(open_window, demo_url: str) -> None:
    window = open_window(demo_url)
    table = window.models_panel.versions_table
    assert (window.width(), window.height()) == (1280, 800)
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    status = header.count() - 1
    assert header.sectionViewportPosition(status) + header.sectionSize(status) <= (
        table.viewport().width())


def test_about_shows_versions_and_licences(open_window, mlflow_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    help_menu = window.menuBar().actions()[-1].menu()
    assert [a.text() for a in help_menu.actions()] == ["&User guide", "&About governance-app"]
    window.about_action.trigger()
    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    text = dialog.versions_label.text()
    import matplotlib
    import pandas
    import PySide6
    import reportlab
    import sqlalchemy
    from PySide6.QtCore import qVersion

    for component, version in [("governance-app", governance_app.__version__),
                               ("Qt (running)", qVersion()), ("PySide6", PySide6.__version__),
                               ("Python", sys.version.split()[0]),
                               ("SQLAlchemy", sqlalchemy.__version__),
                               ("pandas", pandas.__version__),
                               ("matplotlib", matplotlib.__version__),
                               ("reportlab", reportlab.Version)]:
        assert f"<td>{component}</td>" in text and f"{version}&nbsp;" in text, component
    assert "Apache-2.0" in text and "LGPL-3.0" in text and "BSD-3-Clause" in text
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert f"SQLAlchemy {sqlalchemy.__version__} (MIT)" in QGuiApplication.clipboard().text()
    dialog.close()


def test_user_guide_opens_docs(open_window, mlflow_url: str, monkeypatch) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    window = open_window(mlflow_url)
    window.guide_action.trigger()
    docs = Path(governance_app.__file__).resolve().parents[1] / "docs"
    assert len(opened) == 1 and opened[0].isLocalFile()
    assert Path(opened[0].toLocalFile()).is_relative_to(docs)
    assert user_guide_url(docs / "missing") == QUrl.fromLocalFile(str(docs / "README.md"))


def test_log_file_is_created_in_the_platform_log_dir(tmp_path: Path) -> None:
    import logging

    path = configure_logging()
    try:
        logging.getLogger("governance_app.test").warning("hello from the test")
        assert path.name == LOG_FILE_NAME
        assert path.is_relative_to(tmp_path / "state")  # platformdirs → XDG_STATE_HOME
        assert "hello from the test" in path.read_text()
    finally:
        remove_logging()


@pytest.mark.qt_no_exception_capture
def test_unexpected_exception_shows_crash_dialog_and_writes_report(
        open_window, mlflow_url: str, tmp_path: Path, monkeypatch, qtbot) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    handler = app_module.setup_diagnostics(tmp_path / "logs")
    try:
        window = open_window(mlflow_url)
        button = QPushButton("boom", window)

        def explode() -> None:
            raise RuntimeError("injected fault")

        button.clicked.connect(explode)
        button.show()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # PySide6 → sys.excepthook
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible())
        dialog = handler.dialog
        assert isinstance(dialog, CrashDialog)
        assert "RuntimeError: injected fault" in dialog.headline_label.text()
        assert window.isVisible()  # never closed silently
        report = handler.last_report
        assert report is not None and report.parent == tmp_path / "logs"
        text = report.read_text()
        assert "RuntimeError: injected fault" in text and "in explode" in text
        assert f"governance-app {governance_app.__version__}" in text
        assert dialog.details_edit.isVisible() and dialog.details_edit.toPlainText() == text
        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
        assert dialog.copy_button.text() == "Copy report"
        assert QGuiApplication.clipboard().text() == text
        assert "injected fault" in (tmp_path / "logs" / LOG_FILE_NAME).read_text()
        dialog.close()
    finally:
        app_module._state.pop("crash_handler", None)
        handler.uninstall()
        remove_logging()


def test_dark_scheme_gets_a_dark_palette_with_readable_verdict_colours(qapp) -> None:
    try:
        apply_color_scheme(qapp, Qt.ColorScheme.Dark)
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
        assert base.lightnessF() < 0.3
        for colour in (style.PASS, style.FAIL, style.WARNING, style.INFORMATION,
                       style.NOT_EVALUATED):
            assert contrast_ratio(readable_colour(colour), base) >= 4.5, colour
    finally:
        apply_color_scheme(qapp, Qt.ColorScheme.Light)
    white = QColor("white")
    assert contrast_ratio(readable_colour(style.WARNING, white), white) >= 4.5
    assert QSettings().applicationName()  # the app is still usable after switching back
