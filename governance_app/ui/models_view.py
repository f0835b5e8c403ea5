"""The Models view: registered models, their versions, one version's evidence, two compared.

Master (models table over versions table) and detail (one version's metrics, histories,
parameters, tags; or a comparison of two) in a remembered ``QSplitter``. Lists are read through
``services.models`` on the GUI thread because they are small; a version's run with its full
metric histories can be large, so it is loaded by a worker and arrives by signal.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.registry import RegisteredModel
from governance_app.domain.views import ModelSummary, VersionComparison, VersionDetail
from governance_app.services.models import get_model, list_models
from governance_app.services.origins import version_origins
from governance_app.services.workspace import Workspace
from governance_app.ui.compare_panel import VersionComparePanel
from governance_app.ui.error_dialog import show_error
from governance_app.ui.finding_models import ApprovalSummaryTableModel, load_approvals
from governance_app.ui.findings_panel import FindingsPanel
from governance_app.ui.origin_badges import OriginVersionTableModel
from governance_app.ui.selection import SelectedVersion, Selection
from governance_app.ui.version_detail import VersionDetailPanel
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import TaskRunner, Worker, load_comparison, load_version_detail

VERSION_ALIASES_COLUMN = 2


class ModelsPanel(QWidget):
    """Models table → versions table → version detail or comparison.

    Args:
        workspace: the open workspace, for quick reads; workers open their own by its URL.
        selection: the shared current model version, which this view both shows and sets.
        runner: where workers run.
    """

    sig_import_requested = Signal()
    sig_demo_requested = Signal()
    sig_lineage_requested = Signal()
    """Emitted by "Show lineage": the window shows the Lineage view, which follows the selection."""
    sig_models_loaded = Signal(list)
    """Emitted with the :class:`ModelSummary` list after every refresh."""
    sig_model_loaded = Signal(object)
    """Emitted with the :class:`RegisteredModel` whose versions are shown."""
    sig_detail_shown = Signal(object)
    sig_comparison_shown = Signal(object)
    sig_failed = Signal(object)
    sig_view_requested = Signal(str)
    """Emitted to show another view (a finding's cited evidence), on the version selected."""

    def __init__(self, workspace: Workspace, selection: Selection, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.selection = selection
        self.runner = runner
        self.model: RegisteredModel | None = None
        self._generation = 0
        self._syncing = False

        # Issue 19: each model's latest approval, a lapse shown as lapsed with its reason.
        self.models_model = ApprovalSummaryTableModel(parent=self)
        self.models_table = RecordTableView(self.models_model)
        self.models_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.models_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.models_table.selectionModel().selectionChanged.connect(
            self._on_models_table_selection_changed)
        self.count_label = QLabel()

        self.versions_model = OriginVersionTableModel(parent=self)  # issue 17: origin column
        self.versions_table = RecordTableView(self.versions_model)
        self.versions_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.versions_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.versions_table.selectionModel().selectionChanged.connect(
            self._on_versions_table_selection_changed)
        self.versions_label = QLabel("<b>Versions</b>")
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("Select two versions (Ctrl+click) to compare them")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self._on_compare_button_clicked)

        self.detail_panel = VersionDetailPanel()
        # Findings live with the version they concern (UI.md): a tab of the detail.
        self.findings_panel = FindingsPanel(workspace, runner)
        self.findings_tab = self.detail_panel.tabs.addTab(self.findings_panel, "Findings")
        self.findings_panel.sig_loaded.connect(self._on_findings_loaded)
        self.findings_panel.sig_changed.connect(self._load_approvals)
        self.findings_panel.sig_evidence_requested.connect(self._on_evidence_requested)
        self.compare_panel = VersionComparePanel()
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_panel)
        self.detail_stack.addWidget(self.compare_panel)

        # Models across the full width (six columns need it); below, versions beside the detail.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self._build_models_box())
        self.lower_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.lower_splitter.addWidget(self._build_versions_box())
        self.lower_splitter.addWidget(self.detail_stack)
        self.lower_splitter.setStretchFactor(1, 1)
        self.lower_splitter.setSizes([540, 600])
        self.lower_splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.lower_splitter)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([175, 575])
        self.splitter.setChildrenCollapsible(False)

        self.empty_state = EmptyStatePanel(
            "No models yet",
            "Import an MLflow store, mlruns/ folder, REST JSON or bundle to see models here.",
            [("Import…", self.sig_import_requested.emit),
             ("Open demo", self.sig_demo_requested.emit)],
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._unsubscribe = selection.subscribe(self._on_selection_changed)
        self.destroyed.connect(self._unsubscribe)

    def _build_models_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Registered models</b>"))
        header.addStretch(1)
        header.addWidget(self.count_label)
        layout.addLayout(header)
        layout.addWidget(self.models_table)
        return box

    def _build_versions_box(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.versions_label)
        row.addStretch(1)
        self.lineage_button = QPushButton("Show lineage")
        self.lineage_button.setToolTip("Show the current version's lineage in the Lineage view")
        self.lineage_button.clicked.connect(self.sig_lineage_requested.emit)
        row.addWidget(self.lineage_button)
        self.card_button = QPushButton("Model card text…")
        self.card_button.setToolTip("Read the current version's model card text and write its "
                                    "intended use, limitations and other sections")
        self.card_button.clicked.connect(self._on_card_button_clicked)
        row.addWidget(self.card_button)
        row.addWidget(self.compare_button)
        layout.addLayout(row)
        layout.addWidget(self.versions_table)
        hint = QLabel("Ctrl+click a second version to compare the two.")
        hint.setEnabled(False)
        layout.addWidget(hint)
        return box

    # -- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the model list (after an import, F5) and keep the current selection."""
        try:
            summaries = list_models(self.workspace)
        except Exception as exc:  # noqa: BLE001 - shown in the one error dialog
            self._fail(exc, "Loading the model list")
            return
        self.models_model.set_rows(summaries)
        self.pages.setCurrentIndex(1 if summaries else 0)
        fit_columns(self.models_table)
        self._update_count_label()
        self.sig_models_loaded.emit(summaries)
        self._load_approvals()
        current = self.selection.current
        if current.model_name and self.models_model.row_for_name(current.model_name) >= 0:
            self._show_selection(current, force=True)
        elif summaries:
            first = self.models_table.proxy.index(0, 0)
            name = self.models_model.row_at(self.models_table.proxy.mapToSource(first).row()).name
            self._select_model(name)
        else:
            self.selection.clear()

    def set_filter_text(self, text: str) -> None:
        """Filter the models table as the user types (any column, case-insensitive).

        Filtering never changes the current version (UI.md): the proxy moves or drops the
        table's selection as rows hide, which must not read as the user choosing a model, and
        the current model's row is highlighted again as soon as it is shown.
        """
        self._syncing = True
        try:
            self.models_table.proxy.setFilterFixedString(text)
            name = self.selection.model_name
            row = self.models_model.row_for_name(name) if name else -1
            if row >= 0:
                self.models_table.select_source_row(row)  # no-op while it is filtered out
            else:
                self.models_table.clearSelection()
        finally:
            self._syncing = False
        self._update_count_label()

    def focus_chain(self) -> list[QWidget]:
        """The view's widgets in Tab order: models, versions, Compare, the detail tabs."""
        return [self.models_table, self.versions_table, self.compare_button,
                self.detail_panel.tabs, self.compare_panel.tabs]

    def summaries(self) -> list[ModelSummary]:
        return self.models_model.rows()

    def compare(self, a: int, b: int) -> None:
        """Compare versions ``a`` and ``b`` of the current model (the older one is ``a``)."""
        if self.model is None:
            return
        a, b = sorted((a, b))
        self._generation += 1
        worker = Worker(load_comparison, self.workspace.url, self.model.name, a, b,
                        description=f"Comparing v{a} and v{b}")
        self._watch(worker, self._show_comparison, f"Comparing v{a} with v{b}")

    def _select_model(self, name: str) -> None:
        try:
            model = get_model(self.workspace, name)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, f"Loading model {name}")
            return
        latest = model.latest_version
        self.selection.select(name, latest.version if latest else None)

    def _show_selection(self, current: SelectedVersion, *, force: bool = False) -> None:
        """Make the tables and detail show ``current``; never writes back to the selection."""
        self._syncing = True
        try:
            name = current.model_name
            if name is None:
                self.model = None
                self.versions_model.set_rows([])
                self.detail_panel.show_nothing()
                self.findings_panel.load(None, None)
                return
            if force or self.model is None or self.model.name != name:
                self.model = get_model(self.workspace, name)
                self.versions_model.set_rows(self.model.versions)
                self.versions_model.set_origins(
                    {v: o for (_, v), o in version_origins(self.workspace, name).items()})
                # The versions pane is narrow at 1280×800: aliases give way, Status stays seen.
                fit_columns(self.versions_table, squeeze=VERSION_ALIASES_COLUMN)
                self.versions_label.setText(f"<b>Versions of {name}</b>")
                self.sig_model_loaded.emit(self.model)
            row = self.models_model.row_for_name(name)
            if row >= 0 and self.models_table.selected_source_rows() != [row]:
                self.models_table.select_source_row(row)
            if current.version is not None:
                vrow = self.versions_model.row_for_version(current.version)
                if vrow >= 0 and vrow not in self.versions_table.selected_source_rows():
                    self.versions_table.select_source_row(vrow)
                self._load_detail(name, current.version)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, f"Showing {current.model_name}")
        finally:
            self._syncing = False

    def _load_approvals(self) -> None:
        """Each model's latest approval and its lapses, read in a worker (a board replay)."""
        if not self.models_model.rowCount():
            return
        worker = Worker(load_approvals, self.workspace.url, self.findings_panel.day(),
                        description="Reading the models' approvals")
        worker.signals.sig_finished.connect(self.models_model.set_approvals)
        worker.signals.sig_errored.connect(lambda exc: self._fail(exc, "Reading approvals"))
        self.runner.start(worker)

    def _on_findings_loaded(self, _risk: object) -> None:
        self.detail_panel.tabs.setTabText(self.findings_tab, self.findings_panel.tab_title())

    def _on_evidence_requested(self, view: str, model: str, version: int) -> None:
        if model and version:
            self.selection.select(model, version)
        self.sig_view_requested.emit(view)

    def _load_detail(self, name: str, version: int) -> None:
        self._generation += 1
        self.findings_panel.load(name, version)
        self.detail_stack.setCurrentWidget(self.detail_panel)
        self.detail_panel.show_loading(f"{name} v{version}")
        worker = Worker(load_version_detail, self.workspace.url, name, version,
                        description=f"Loading {name} v{version}")
        self._watch(worker, self._show_detail, f"Loading {name} v{version}")

    def _watch(self, worker: Worker, on_result: Callable[[object], None], action: str) -> None:
        # Only the newest request may paint: a slow older one must not overwrite a newer click.
        generation = self._generation
        worker.signals.sig_finished.connect(
            lambda result: generation == self._generation and on_result(result))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, action))
        self.runner.start(worker)

    def _show_detail(self, detail: VersionDetail) -> None:
        self.detail_panel.show_detail(detail)
        self.detail_panel.show_origin(
            self.versions_model.origin_of(detail.version.version)
            if self.model is not None and self.model.name == detail.version.model_name else None)
        self.detail_stack.setCurrentWidget(self.detail_panel)
        self.sig_detail_shown.emit(detail)

    def _show_comparison(self, comparison: VersionComparison) -> None:
        self.compare_panel.show_comparison(comparison)
        self.detail_stack.setCurrentWidget(self.compare_panel)
        self.sig_comparison_shown.emit(comparison)

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)

    def _update_count_label(self) -> None:
        shown, total = self.models_table.proxy.rowCount(), self.models_model.rowCount()
        self.count_label.setText(f"{total} models" if shown == total
                                 else f"showing {shown} of {total} models")

    # -- slots -------------------------------------------------------------------------------

    def _on_selection_changed(self, current: SelectedVersion) -> None:
        self._show_selection(current)

    def _on_models_table_selection_changed(self, _new: QItemSelection,
                                           _old: QItemSelection) -> None:
        rows = self.models_table.selected_source_rows()
        if self._syncing or not rows:
            return
        name = self.models_model.row_at(rows[0]).name
        if name != self.selection.model_name:
            self._select_model(name)

    def _on_versions_table_selection_changed(self, _new: QItemSelection,
                                             _old: QItemSelection) -> None:
        rows = self.versions_table.selected_source_rows()
        versions = sorted(self.versions_model.row_at(r).version for r in rows)
        self.compare_button.setEnabled(len(versions) == 2)
        self.compare_button.setText(f"Compare v{versions[0]} with v{versions[1]}"
                                    if len(versions) == 2 else "Compare…")
        if self._syncing or len(versions) != 1 or self.model is None:
            return
        self.selection.select(self.model.name, versions[0])

    def _on_card_button_clicked(self) -> None:
        from governance_app.ui.card_text_dialog import CardTextDialog  # opened rarely

        current = self.selection.current
        if current.model_name is None or current.version is None:
            return
        self.card_dialog = CardTextDialog(self.workspace, current.model_name, current.version,
                                          self)
        self.card_dialog.open()

    def _on_compare_button_clicked(self) -> None:
        rows = self.versions_table.selected_source_rows()
        if len(rows) == 2:
            self.compare(*(self.versions_model.row_at(r).version for r in rows))

    # -- window state ------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("lower_splitter", self.lower_splitter.saveState())
        settings.setValue("models_header", self.models_table.horizontalHeader().saveState())
        settings.setValue("versions_header", self.versions_table.horizontalHeader().saveState())
        self.detail_panel.save_state(settings)

    def restore_state(self, settings: QSettings) -> None:
        for key, target in (("splitter", self.splitter),
                            ("lower_splitter", self.lower_splitter),
                            ("models_header", self.models_table.horizontalHeader()),
                            ("versions_header", self.versions_table.horizontalHeader())):
            state = settings.value(key)
            if state is not None:
                target.restoreState(state)
        self.detail_panel.restore_state(settings)
