"""The main window: navigation, shared selection, window state, drops, status bar, closing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication

from governance_app.ui.app import APPLICATION_NAME, ORGANIZATION_NAME, application
from governance_app.ui.error_dialog import ErrorDialog
from governance_app.ui.main_window import VIEW_NAMES
from governance_app.ui.navigation import PLACEHOLDERS, placeholder_panel
from governance_app.ui.selection import SelectedVersion, Selection
from governance_app.ui.views import view_factories
from governance_app.ui.widgets import EmptyStatePanel

MLFLOW_DB = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "mlflow" / "mlflow.db"


def test_selection_is_plain_python_and_notifies_only_on_change() -> None:
    selection = Selection()
    seen: list[SelectedVersion] = []
    unsubscribe = selection.subscribe(seen.append)
    selection.select("credit_default", 4)
    selection.select("credit_default", 4)
    selection.select(None, 3)  # no model means no version
    unsubscribe()
    selection.select("other", 1)
    assert seen == [SelectedVersion("credit_default", 4), SelectedVersion(None, None)]


def test_menus_toolbar_and_shortcuts(open_window, mlflow_url: str) -> None:
    window = open_window(mlflow_url)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&View", "&Review", "&Help"]
    assert window.import_action.shortcut() == QKeySequence("Ctrl+I")
    assert window.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    assert window.refresh_action.shortcut() == QKeySequence("F5")
    assert window.find_action.shortcut() == QKeySequence("Ctrl+F")
    assert [a.shortcut().toString() for a in window.view_actions] == [
        f"Ctrl+{i}" for i in range(1, len(VIEW_NAMES) + 1)]
    assert window.workspace_label.text() == "Workspace: ws.db (SQLite)"


def test_navigation_and_honest_placeholders(open_window, mlflow_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    built = view_factories()
    assert [view.name for view in PLACEHOLDERS if view.name not in built] == []
    index = len(VIEW_NAMES) - 1
    window.view_actions[index].trigger()  # Ctrl+N
    assert window.current_view_name() == VIEW_NAMES[index]
    assert window.nav_list.currentRow() == index
    assert not isinstance(window.stack.currentWidget(), EmptyStatePanel)
    # A view to come (none is left) gets an honest placeholder offering the import it needs.
    imports: list[bool] = []
    placeholder = placeholder_panel(PLACEHOLDERS[-1], lambda: imports.append(True))
    qtbot.addWidget(placeholder)
    assert PLACEHOLDERS[-1].filled_by in placeholder.sentence_label.text()
    assert [b.text() for b in placeholder.buttons] == ["Import…"]
    qtbot.mouseClick(placeholder.buttons[0], Qt.MouseButton.LeftButton)
    assert imports == [True]
    window.nav_list.setCurrentRow(1)
    assert window.view_actions[1].isChecked()
    assert window.stack.currentWidget() is window.models_panel


def test_find_focuses_the_filter_of_the_current_view(open_window, mlflow_url: str,
                                                     qtbot) -> None:
    window = open_window(mlflow_url)
    window.show_view_named("Models")
    window.activateWindow()
    window.find_action.trigger()
    qtbot.waitUntil(window.search_edit.hasFocus)
    qtbot.keyClicks(window.search_edit, "loan")
    assert window.models_panel.models_table.proxy.rowCount() == 1


def test_window_state_is_remembered(open_window, mlflow_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    window.resize(780, 700)  # the offscreen screen is 800 × 800
    window.show_view_named("Models")
    qtbot.wait(50)
    window.models_panel.splitter.setSizes([300, 400])
    saved_sizes = window.models_panel.splitter.sizes()
    window.show_view_named("Drift")
    window.close()
    assert QSettings().value("window/last_view_name") == "Drift"
    assert QSettings().value("window/last_view") == 3  # Drift's index in the old order

    again = open_window(mlflow_url, restored=True)
    assert again.current_view_name() == "Drift"
    assert (again.width(), again.height()) == (780, 700)
    again.show_view_named("Models")
    qtbot.waitUntil(lambda: again.models_panel.splitter.sizes() == saved_sizes)
    assert again.recent_workspaces()[0] == again.workspace.url
    assert again.recent_menu.actions()[0].text() == again.workspace.url


def test_geometry_from_a_larger_screen_is_fitted_to_this_one(open_window,
                                                             mlflow_url: str) -> None:
    window = open_window(mlflow_url)
    window.setGeometry(0, 0, 1600, 1000)  # as if saved on a bigger monitor
    window.close()
    again = open_window(mlflow_url, restored=True)
    screen = again.screen().availableGeometry()
    assert again.width() <= screen.width() and again.height() <= screen.height()


def test_drop_opens_the_import_dialog_prefilled(open_window, mlflow_url: str) -> None:
    window = open_window(mlflow_url)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(MLFLOW_DB))])
    event = QDropEvent(QPointF(QPoint(200, 200)), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    dialog = window.import_dialog
    assert dialog.isVisible()
    assert dialog.paths() == [MLFLOW_DB]
    assert dialog.pages.currentIndex() == 0  # says what it will do; nothing started yet
    assert dialog.worker is None
    dialog.reject()


def test_status_bar_cancel_stops_the_running_import(open_window, empty_url: str,
                                                     qtbot) -> None:
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog([MLFLOW_DB])
    dialog.start_import()
    assert window.task_label.isVisible() and window.task_cancel.isVisible()
    assert window.task_label.text() == "Importing mlflow.db…"
    with qtbot.waitSignal(dialog.worker.signals.sig_errored, timeout=20_000) as failed:
        qtbot.mouseClick(window.task_cancel, Qt.MouseButton.LeftButton)
    assert type(failed.args[0]).__name__ == "ImportCancelled"
    qtbot.waitUntil(lambda: not window.task_label.isVisible())
    assert window.models_panel.models_model.rowCount() == 0
    dialog.reject()


def test_closing_cancels_and_waits_for_work(open_window, empty_url: str) -> None:
    window = open_window(empty_url, wait_detail=False)
    dialog = window.open_import_dialog([MLFLOW_DB])
    dialog.start_import()
    worker = dialog.worker
    window.close()
    assert worker.is_cancelled() and worker.is_done()  # the autouse fixture checks the pool


def test_opening_a_bad_workspace_shows_the_error_dialog(open_window, mlflow_url: str,
                                                        tmp_path: Path) -> None:
    window = open_window(mlflow_url)
    bad = f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}"
    assert window.open_workspace(bad) is False
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, ErrorDialog) and w.isVisible()]
    assert len(dialogs) == 1
    assert "missing-folder" in dialogs[0].report.headline
    assert "workspace location" in dialogs[0].report.advice
    dialogs[0].close()
    assert window.workspace.url == mlflow_url  # still on the one that worked


def test_open_workspace_and_demo_switch_the_window(open_window, mlflow_url: str, empty_url: str,
                                                   qtbot) -> None:
    window = open_window(mlflow_url)
    assert window.open_workspace(empty_url)
    assert window.workspace_label.text() == "Workspace: empty.db (SQLite)"
    assert window.models_panel.pages.currentWidget() is window.models_panel.empty_state
    assert window.selection.current == SelectedVersion()
    assert window.model_combo.count() == 0
    # "Open demo" builds the demo workspace in the (test-isolated) user data folder.
    with qtbot.waitSignal(window.models_panel.sig_detail_shown, timeout=30_000):
        qtbot.mouseClick(window.models_panel.empty_state.buttons[1], Qt.MouseButton.LeftButton)
    assert window.workspace.display_name == "demo.db (SQLite)"
    assert window.models_panel.models_model.rowCount() >= 3
    assert window.recent_workspaces()[:2] == [window.workspace.url, empty_url]


def test_application_names_settings() -> None:
    app = application()
    assert app is QApplication.instance()
    assert app.organizationName() == ORGANIZATION_NAME
    assert app.applicationName() == APPLICATION_NAME


def test_inventory_is_the_home_first_in_the_navigation(open_window, mlflow_url: str,
                                                       empty_url: str, qtbot) -> None:
    window = open_window(mlflow_url)
    assert VIEW_NAMES[:2] == ["Inventory", "Models"]
    assert [window.nav_list.item(i).text() for i in range(window.nav_list.count())] == \
        VIEW_NAMES
    assert window.nav_list.item(0).toolTip() == "Inventory (Ctrl+1)"
    assert window.view_actions[1].text() == "Models"
    assert window.view_actions[1].shortcut().toString() == "Ctrl+2"
    # Nothing remembered: a workspace with models opens on its Inventory.
    assert window.current_view_name() == "Inventory"
    assert type(window.stack.currentWidget()).__name__ == "InventoryPanel"
    window.close()
    # An empty workspace opens on Models, whose empty state offers Import… and Open demo.
    QSettings().remove("window/last_view_name")
    QSettings().remove("window/last_view")
    empty = open_window(empty_url, wait_detail=False)
    assert empty.current_view_name() == "Models"
    assert [b.text() for b in empty.models_panel.empty_state.buttons] == ["Import…",
                                                                          "Open demo"]


@pytest.mark.parametrize(("saved", "expected"), [
    ({"window/last_view": 0}, "Models"),  # saved by an older version: Models was first
    ({"window/last_view": 4}, "Reviews"),
    ({"window/last_view": 7}, "Inventory"),
    ({"window/last_view": "not a number"}, "Inventory"),
    ({"window/last_view": 42}, "Inventory"),
    ({"window/last_view_name": "Audit", "window/last_view": 0}, "Audit"),  # the name wins
    ({"window/last_view_name": "Gone", "window/last_view": 2}, "Fairness"),
])
def test_old_and_new_saved_views_are_restored(open_window, mlflow_url: str, saved: dict,
                                              expected: str) -> None:
    settings = QSettings()
    for key, value in saved.items():
        settings.setValue(key, value)
    settings.sync()
    window = open_window(mlflow_url, restored=True)
    assert window.current_view_name() == expected
    assert window.nav_list.currentItem().text() == expected
