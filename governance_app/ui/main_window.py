"""The main window: menus, toolbar bound to the shared selection, navigation, views, status bar.

Owns the open :class:`Workspace`, the shared :class:`Selection` and the :class:`TaskRunner`;
views get them rather than creating their own, so the whole window shows one workspace and one
model version. Window state (geometry, splitters, columns, last view, recent workspaces) is kept
in ``QSettings`` under the application and organisation names :mod:`.app` sets; the rules for
it live in :mod:`.window_state`, the view list and placeholders in :mod:`.navigation`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QWidget,
)

from governance_app.domain.registry import ImportRecord
from governance_app.services.workspace import Workspace
from governance_app.ui.about_dialog import AboutDialog, open_user_guide
from governance_app.ui.chain_status import ChainStatus
from governance_app.ui.error_dialog import show_error
from governance_app.ui.import_dialog import ImportDialog
from governance_app.ui.lazy_views import LazyViews
from governance_app.ui.models_view import ModelsPanel
from governance_app.ui.navigation import (
    HOME_VIEW,
    OLD_VIEW_ORDER,
    PLACEHOLDERS,
    VIEW_NAMES,
    NavigationList,
    placeholder_panel,
    remembered_view,
    view_index,
)
from governance_app.ui.selection import Selection
from governance_app.ui.task_status import TaskStatus
from governance_app.ui.version_picker import VersionPicker
from governance_app.ui.views import ViewContext, view_factories
from governance_app.ui.welcome import choose_workspace_url
from governance_app.ui.window_state import recent_workspaces, remember_workspace, restore_geometry
from governance_app.ui.workers import TaskRunner

log = logging.getLogger(__name__)


def import_kinds() -> dict[str, str]:
    """Importer kind → description for the Import dialog's override list."""
    # Imported on use: listing the importers imports them all (pandas among them).
    from governance_app.services.importing import import_kinds as service_import_kinds

    try:
        return service_import_kinds()
    except Exception:  # a broken importer must not stop the window opening; it is logged
        log.exception("listing the importers failed")
        return {}


class MainWindow(QMainWindow):
    """The application window over one open workspace."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.selection = Selection()
        self.runner = TaskRunner(self)
        self.import_dialog: ImportDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.setWindowTitle(f"governance-app — {workspace.display_name}")
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(720, 520))

        self.models_panel = ModelsPanel(workspace, self.selection, self.runner)
        self.models_panel.sig_import_requested.connect(self._on_import_action_triggered)
        self.models_panel.sig_demo_requested.connect(self._on_demo_action_triggered)
        self.models_panel.sig_lineage_requested.connect(lambda: self.show_view_named("Lineage"))
        self.models_panel.sig_view_requested.connect(self.show_view_named)
        self.models_panel.findings_panel.sig_changed.connect(self._on_findings_changed)
        self.view_context = ViewContext(workspace, self.selection, self.runner,
                                        self._on_import_action_triggered, self.show_view_named)
        self.stack = QStackedWidget()
        # Views are built when first shown (or asked for): see lazy_views for why.
        self.views = LazyViews(self.stack, self._on_view_built)
        factories = view_factories()
        placeholders = {view.name: view for view in PLACEHOLDERS}
        for name in VIEW_NAMES:  # navigation order: the stack's indexes are the list's rows
            factory = factories.get(name)
            if name == "Models":
                self.views.add(name, self.models_panel)
            elif factory is None:
                self.views.add(name, placeholder_panel(placeholders[name],
                                                       self._on_import_action_triggered))
            else:
                self.views.add_deferred(name, lambda f=factory: f(self.view_context))
        self.nav_list = NavigationList()
        self.nav_list.currentRowChanged.connect(self._on_nav_list_current_row_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav_list)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([105, 1175])
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.workspace_label = QLabel()
        self.statusBar().addWidget(self.workspace_label)
        # The chain label first (leftmost permanent widget), its first check once the task area
        # listens, so that check shows its progress like any other task.
        self.chain_status = ChainStatus(self.statusBar(), self.view_context, start=False)
        self.task_status = TaskStatus(self.statusBar(), self.runner)
        self.chain_status.verify()
        self.task_label, self.task_progress, self.task_cancel = self.task_status.widgets()
        self._update_workspace_label()
        self._set_tab_order()
        self.restore_settings()
        self._remember_workspace(workspace.url)
        self.models_panel.refresh()
        self._show_registry_if_empty()

    # -- construction ------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[..., object],
                shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.import_action = self._action(
            "&Import…", self._on_import_action_triggered, "Ctrl+I",
            "Import an MLflow store, mlruns/ folder, REST JSON or bundle")
        self.attach_action = self._action(
            "&Attach prediction table…", self._on_attach_action_triggered,
            tip="Attach a prediction table to the current model version (fairness evidence)")
        self.export_card_action = self._action(
            "&Export model card…", self._on_export_card_action_triggered, "Ctrl+E",
            "Generate the sealed PDF model card of the current version (Reports view)")
        self.open_action = self._action("&Open workspace…", self._on_open_action_triggered,
                                        "Ctrl+O", "Open or create a workspace file")
        self.demo_action = self._action("Open &demo workspace", self._on_demo_action_triggered,
                                        tip="Open the bundled demo registry")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "Quit governance-app")
        self.refresh_action = self._action("&Refresh", self._on_refresh_action_triggered, "F5",
                                           "Reload the workspace")
        self.find_action = self._action("&Find", self._on_find_action_triggered, "Ctrl+F",
                                        "Filter the current view")
        self.guide_action = self._action("&User guide", self._on_guide_action_triggered,
                                         QKeySequence.StandardKey.HelpContents,
                                         "Open the user guide for review boards")
        self.about_action = self._action("&About governance-app", self._on_about_action_triggered,
                                         tip="Versions of the app and its libraries, licences")
        self.view_group = QActionGroup(self)
        self.view_actions: list[QAction] = []
        for index, name in enumerate(VIEW_NAMES):
            action = self._action(name, lambda _=False, i=index: self.show_view(i),
                                  f"Ctrl+{index + 1}", f"Show the {name} view")
            action.setCheckable(True)
            self.view_group.addAction(action)
            self.view_actions.append(action)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions([self.import_action, self.attach_action, self.export_card_action,
                              self.open_action, self.demo_action])
        self.recent_menu = file_menu.addMenu("Recent &workspaces")
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("&View")
        view_menu.addActions(self.view_actions)
        view_menu.addSeparator()
        view_menu.addActions([self.refresh_action, self.find_action])
        review_menu = menu.addMenu("&Review")
        self.start_review_action = review_menu.addAction(
            "Start a review of the current version…", self._on_start_review_action_triggered)
        self.start_review_action.setStatusTip("Open a review of the current version (Reviews)")
        review_menu.addAction(self._action("Compare two versions…",
                                           self._on_compare_action_triggered,
                                           tip="Select two versions in the Models view"))
        help_menu = menu.addMenu("&Help")
        help_menu.addActions([self.guide_action, self.about_action])

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = bar
        self.import_action.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_DialogOpenButton))
        self.refresh_action.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_BrowserReload))
        bar.addActions([self.import_action, self.refresh_action])
        bar.addSeparator()
        self.picker = VersionPicker(bar, self.selection)
        self.model_combo, self.version_combo = self.picker.model_combo, self.picker.version_combo
        self.models_panel.sig_models_loaded.connect(self.picker.show_models)
        self.models_panel.sig_model_loaded.connect(self.picker.show_versions)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Filter this view… (Ctrl+F)")
        self.search_edit.setToolTip("Filter the current view as you type (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setFixedWidth(260)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        bar.addWidget(self.search_edit)

    def _set_tab_order(self) -> None:
        """Toolbar (model, version, filter), then the views list, then the current view."""
        chain: list[QWidget] = [self.model_combo, self.version_combo, self.search_edit,
                                self.nav_list, *self.models_panel.focus_chain()]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- public ------------------------------------------------------------------------------

    def show_view(self, index: int) -> None:
        self.nav_list.setCurrentRow(index)

    def show_view_named(self, name: str) -> None:
        """Switch to a view by its navigation name (for links between views)."""
        self.show_view(view_index(name))

    def _show_registry_if_empty(self) -> None:
        """An empty workspace opens on Models rather than the Inventory: its empty state offers
        both ways to fill the workspace (Import…, Open demo), and the inventory has nothing to
        list before a registry is imported."""
        if not self.models_panel.summaries() and self.current_view_name() == HOME_VIEW:
            self.show_view_named("Models")

    def refresh_views(self) -> None:
        """Reload every view that can reload (after an import, F5, or a workspace switch);
        a view not built yet loads when it is."""
        for panel in self.views.built().values():
            refresh = getattr(panel, "refresh", None)
            if callable(refresh):
                refresh()

    def current_view_name(self) -> str:
        return VIEW_NAMES[self.stack.currentIndex()]

    def open_import_dialog(self, paths: list[Path] | None = None) -> ImportDialog:
        """Show the Import dialog (pre-filled with ``paths`` from a drop); it does nothing yet."""
        dialog = ImportDialog(self.workspace.url, self.workspace.display_name, self.runner,
                              import_kinds(), self)
        dialog.sig_imported.connect(self._on_import_dialog_imported)
        if paths:
            dialog.set_paths(paths)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def open_about_dialog(self) -> AboutDialog:
        self.about_dialog = AboutDialog(self)
        self.about_dialog.open()
        return self.about_dialog

    def open_workspace(self, url: str) -> bool:
        """Switch the window to the workspace at ``url``; errors go to the error dialog."""
        try:
            workspace = Workspace.open(url)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, f"Opening workspace {url}")
            return False
        log.info("switching to workspace %s", workspace.display_name)
        self.runner.shutdown()
        old, self.workspace = self.workspace, workspace
        old.close()
        self.models_panel.workspace = workspace
        self.models_panel.findings_panel.workspace = workspace
        self.view_context.workspace = workspace
        self.selection.clear()
        self.setWindowTitle(f"governance-app — {workspace.display_name}")
        self._update_workspace_label()
        self._remember_workspace(workspace.url)
        self.refresh_views()
        self._show_registry_if_empty()
        return True

    # -- settings ----------------------------------------------------------------------------

    def restore_settings(self) -> None:
        settings = QSettings()
        restore_geometry(self, settings)
        state = settings.value("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        settings.beginGroup("models_view")
        self.models_panel.restore_state(settings)
        settings.endGroup()
        for name, panel in self.views.built().items():
            if name != "Models":
                self._restore_view_state(settings, name, panel)
        self.show_view_named(remembered_view(settings.value("window/last_view_name"),
                                             settings.value("window/last_view")))
        self._update_recent_menu()

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        name = self.current_view_name()
        settings.setValue("window/last_view_name", name)
        # Also the index in the older order, so an older version reopens the same view.
        settings.setValue("window/last_view", OLD_VIEW_ORDER.index(name)
                          if name in OLD_VIEW_ORDER else 0)
        settings.beginGroup("models_view")
        self.models_panel.save_state(settings)
        settings.endGroup()
        for name, panel in self.views.built().items():
            if name != "Models" and hasattr(panel, "save_state"):
                settings.beginGroup(f"view_{name.lower()}")
                panel.save_state(settings)
                settings.endGroup()
        settings.sync()

    @staticmethod
    def _restore_view_state(settings: QSettings, name: str, panel: QWidget) -> None:
        if hasattr(panel, "restore_state"):
            settings.beginGroup(f"view_{name.lower()}")
            panel.restore_state(settings)
            settings.endGroup()

    def _on_view_built(self, name: str, panel: QWidget) -> None:
        """A view built on first use: give it its remembered state and let it load."""
        self._restore_view_state(QSettings(), name, panel)
        refresh = getattr(panel, "refresh", None)
        if callable(refresh):
            refresh()

    def recent_workspaces(self) -> list[str]:
        return recent_workspaces()

    def _remember_workspace(self, url: str) -> None:
        remember_workspace(url)
        self._update_recent_menu()

    def _update_recent_menu(self) -> None:
        self.recent_menu.clear()
        for url in recent_workspaces():
            self.recent_menu.addAction(url, lambda _=False, u=url: self.open_workspace(u))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def _update_workspace_label(self) -> None:
        self.workspace_label.setText(f"Workspace: {self.workspace.display_name}")
        self.workspace_label.setToolTip(self.workspace.url)

    # -- Qt events ---------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_import_dialog(paths)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # Cancel and wait: no worker may still write to the workspace being closed.
        self.runner.shutdown()
        self.save_settings()
        self.picker.close()
        self.workspace.close()
        super().closeEvent(event)

    # -- slots -------------------------------------------------------------------------------

    def _on_nav_list_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        self.views[VIEW_NAMES[row]]  # noqa: B018 - builds the view on its first visit
        self.stack.setCurrentIndex(row)
        self.view_actions[row].setChecked(True)
        self._apply_filter()

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        view = self.stack.currentWidget()
        if hasattr(view, "set_filter_text"):
            view.set_filter_text(self.search_edit.text())

    def _on_find_action_triggered(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def _on_import_action_triggered(self) -> None:
        self.open_import_dialog()

    def _on_import_dialog_imported(self, record: ImportRecord) -> None:
        self.statusBar().showMessage(
            f"Imported {Path(record.source).name}: {sum(record.changes.values())} change(s)", 8000)
        self.refresh_views()

    def _on_open_action_triggered(self) -> None:
        url = choose_workspace_url(self)
        if url:
            self.open_workspace(url)

    def _on_attach_action_triggered(self) -> None:
        from governance_app.ui.attach_table_dialog import open_attach_dialog  # pandas: on use

        open_attach_dialog(self, self.view_context, lambda _record: self.refresh_views())

    def _on_demo_action_triggered(self) -> None:
        """Build (or find) the demo in a worker, its progress in the status bar; open it when
        ready. The window stays usable meanwhile."""
        from governance_app.services.demo import demo_workspace_url

        if any(w.fn is demo_workspace_url for w in self.runner.active()):
            return
        worker = self.runner.run(demo_workspace_url, description="Building the demo workspace")
        worker.signals.sig_finished.connect(self.open_workspace)
        worker.signals.sig_errored.connect(
            lambda exc: show_error(self, exc, "Building the demo workspace"))

    def _on_findings_changed(self) -> None:
        """A finding was opened or decided in the Models detail: the views built so far that
        show findings (Inventory, Reviews) reload; Models reloaded its own tab already."""
        for name, panel in self.views.built().items():
            refresh = getattr(panel, "refresh", None)
            if name in ("Inventory", "Reviews") and callable(refresh):
                refresh()

    def _on_refresh_action_triggered(self) -> None:
        self.refresh_views()

    def _on_export_card_action_triggered(self) -> None:
        self.show_view_named("Reports")
        prepare = getattr(self.views["Reports"], "prepare_model_card", None)
        if callable(prepare):
            prepare()

    def _on_start_review_action_triggered(self) -> None:
        self.show_view_named("Reviews")
        open_review = getattr(self.views["Reviews"], "open_review_dialog", None)
        if callable(open_review):
            open_review()

    def _on_compare_action_triggered(self) -> None:
        self.show_view_named("Models")
        self.statusBar().showMessage("Select two versions (Ctrl+click), then Compare", 6000)

    def _on_about_action_triggered(self) -> None:
        self.open_about_dialog()

    def _on_guide_action_triggered(self) -> None:
        open_user_guide()
