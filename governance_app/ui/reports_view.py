"""The Reports view: generate sealed model cards, validation reports and audit reports, preview
them, verify any PDF.

Left: the "New report" form (which report, its scope, the producing member, page size, file)
with Generate, whose progress and Cancel show in place while a worker builds and seals the PDF;
below it, the reports this workspace has generated (from the audit trail). Right: the pages of
the chosen report (QtPdf, loaded on first use) and the Verify tab, which checks any PDF and
shows every check with its verdict. A workspace without model versions shows what fills the
view instead, and still lets a received PDF be verified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.ui.error_dialog import show_error
from governance_app.ui.report_form import ReportForm
from governance_app.ui.report_models import GeneratedReportTableModel
from governance_app.ui.report_seal_dialog import ReportSealDialog
from governance_app.ui.report_tasks import (
    MODEL_CARD,
    ReportChoices,
    ReportRequest,
    generate_report,
    load_choices,
)
from governance_app.ui.report_verify_panel import ReportVerifyPanel
from governance_app.ui.task_progress_page import TaskProgressPage
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import Worker


def default_folder(url: str) -> Path:
    """Beside a SQLite workspace file; else the user's documents folder."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Path(url[len("sqlite:///"):]).parent
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home())


class ReportsPanel(QWidget):
    """The Reports view of the open workspace."""

    sig_choices_loaded = Signal(object)
    """Emitted with the :class:`ReportChoices` after every load."""
    sig_generated = Signal(object)
    """Emitted with the service's ``ReportResult`` once a report is written and sealed."""
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReportsPanel")
        self.ctx = ctx
        self.choices: ReportChoices | None = None
        self.result: Any = None
        self.dialog: ReportSealDialog | None = None
        self._preview: Any = None
        self._loaded = False
        self._generation = 0

        self.form = ReportForm(default_folder(ctx.workspace.url))
        self.generate_button = QPushButton("Generate…")
        self.generate_button.setToolTip("Build the PDF, seal it as the producing member "
                                        "(passphrase asked) and record it in the audit trail")
        self.generate_button.clicked.connect(self.open_seal_dialog)
        self.form.sig_changed.connect(self._on_form_changed)
        self.progress_page = TaskProgressPage(
            "Cancel", "Stop now; no file will be written", centred=False)
        self.progress_page.sig_finished.connect(self._on_generated)
        self.progress_page.sig_errored.connect(self._on_generation_failed)
        self.progress_page.hide()
        self.status_label = QLabel("Choose a report and press Generate.")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        new_box = QGroupBox("New report")
        new_layout = QVBoxLayout(new_box)
        new_layout.addWidget(self.form)
        generate_row = QHBoxLayout()
        generate_row.addWidget(self.status_label, 1)
        generate_row.addWidget(self.generate_button, 0, Qt.AlignmentFlag.AlignTop)
        new_layout.addLayout(generate_row)
        new_layout.addWidget(self.progress_page)

        self.reports_model = GeneratedReportTableModel(parent=self)
        self.reports_table = RecordTableView(self.reports_model)
        self.reports_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reports_table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # newest first
        self.reports_table.doubleClicked.connect(self._on_reports_table_double_clicked)
        self.reports_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview_selected)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Check the selected report's seal, manifest and chain head")
        self.verify_button.clicked.connect(self.verify_selected)
        self.reports_hint = QLabel()
        self.reports_hint.setWordWrap(True)
        list_box = QGroupBox("Reports generated in this workspace")
        list_layout = QVBoxLayout(list_box)
        list_layout.addWidget(self.reports_table, 1)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.reports_hint, 1)
        list_buttons.addWidget(self.preview_button)
        list_buttons.addWidget(self.verify_button)
        list_layout.addLayout(list_buttons)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(new_box)
        left_layout.addWidget(list_box, 1)

        self.preview_holder = QStackedWidget()
        self.preview_hint = QLabel("Generate a report, or choose one in the list and press "
                                   "Preview, to see its pages here.")
        self.preview_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_hint.setWordWrap(True)
        self.preview_holder.addWidget(self.preview_hint)
        self.verify_panel = ReportVerifyPanel(ctx)
        self.verify_panel.sig_failed.connect(self.sig_failed)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview_holder, "Preview")
        self.tabs.addTab(self.verify_panel, "Verify a PDF")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 660])
        self.empty_state = EmptyStatePanel(
            "No model versions to report on",
            "Reports are made of the models in this workspace: a sealed model card per version "
            "and audit reports of the board's reviews. Import a registry to fill it. A PDF "
            "someone sent you can be verified already.",
            [("Import…", ctx.request_import), ("Verify a PDF…", self._on_empty_verify)])
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        unsubscribe = ctx.selection.subscribe(lambda _s: self.form.select_version(
            self._current_ref()))
        self.destroyed.connect(lambda *_: unsubscribe())
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        """Reload versions, members and generated reports (F5, after an import, a switch)."""
        self._loaded = True
        self.form.folder = default_folder(self.ctx.workspace.url)
        self._generation += 1
        generation = self._generation
        worker = Worker(load_choices, self.ctx.workspace.url, description="Listing reports")
        worker.signals.sig_finished.connect(
            lambda choices: generation == self._generation and self._show_choices(choices))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Listing reports"))
        self.ctx.runner.start(worker)

    def _show_choices(self, choices: ReportChoices) -> None:
        self.choices = choices
        if self.pages.currentWidget() is self.empty_state or not choices.refs:
            self.pages.setCurrentWidget(self.splitter if choices.refs else self.empty_state)
        self.form.set_choices(choices, self._current_ref())
        self.reports_model.set_rows(choices.generated)
        fit_columns(self.reports_table, squeeze=4)  # the file name gives way; full path in tip
        self.reports_hint.setText(
            f"{len(choices.generated)} report(s); double-click one to preview it."
            if choices.generated else "None yet: the reports generated here are listed, "
            "from the audit trail.")
        if self.result is not None:
            row = self.reports_model.row_for_path(self.result.path)
            if row >= 0:
                self.reports_table.select_source_row(row)
        self._update_buttons()
        self.sig_choices_loaded.emit(choices)

    def _current_ref(self) -> str | None:
        current = self.ctx.selection.current
        if current.model_name is None or current.version is None:
            return None
        return f"{current.model_name}:{current.version}"

    def set_filter_text(self, text: str) -> None:
        self.reports_table.proxy.setFilterFixedString(text)

    # -- generating --------------------------------------------------------------------------

    def prepare_model_card(self) -> None:
        """Ready for the current version's model card (File ▸ Export model card…)."""
        self.form.set_kind(MODEL_CARD)
        self.form.select_version(self._current_ref())
        self.tabs.setCurrentIndex(0)
        self.generate_button.setFocus()

    def open_seal_dialog(self) -> ReportSealDialog | None:
        """Ask the producing member's passphrase; accepting it starts the generation."""
        try:
            request = self.form.request()
        except Exception as exc:  # noqa: BLE001 - every failure reaches the error dialog
            self._fail(exc, "Preparing the report")
            return None
        dialog = ReportSealDialog(request, self)
        dialog.accepted.connect(lambda: self.start_generation(dialog.take_passphrase(), request))
        self.dialog = dialog
        dialog.open()
        return dialog

    def start_generation(self, passphrase: str,
                         request: ReportRequest | None = None) -> Worker | None:
        """Build and seal the report in a worker; the result arrives by :attr:`sig_generated`."""
        try:
            request = request or self.form.request()
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, "Preparing the report")
            return None
        if self.progress_page.is_running():
            return None
        worker = Worker(generate_report, self.ctx.workspace.url, request, passphrase,
                        description=f"Generating the {request.title()}")
        self._set_busy(True)
        self.status_label.setText(f"Generating the {request.title()}…")
        return self.progress_page.start(self.ctx.runner, worker,
                                        f"<b>Generating the {request.title()}</b>",
                                        "Unlocking the document key…")

    def cancel_generation(self) -> None:
        self.progress_page.cancel()

    def _set_busy(self, busy: bool) -> None:
        self.form.setEnabled(not busy)
        self.progress_page.setVisible(busy)
        self.generate_button.setEnabled(not busy)

    def _on_generated(self, result: Any) -> None:
        self._set_busy(False)
        self.result = result
        size_kb = max(1, round(result.size / 1024))
        self.status_label.setText(
            f"Wrote and sealed <b>{Path(result.path).name}</b> ({size_kb:,} KB) as "
            f"{result.manifest.get('producer', {}).get('member', '')}; the generation is "
            f"recorded in the audit trail.")
        self.show_preview(result.path)
        self.refresh()
        self.sig_generated.emit(result)

    def _on_generation_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._on_form_changed(True)
        if type(exc).__name__ == "ReportCancelled":
            self.status_label.setText("Cancelled; no file was written.")
            self.sig_failed.emit(exc)
            return
        self.status_label.setText("The report was not generated: see the error.")
        self._fail(exc, "Generating the report")

    def _on_form_changed(self, ready: bool) -> None:
        self.generate_button.setEnabled(ready and not self.progress_page.is_running())

    # -- preview and verify ------------------------------------------------------------------

    @property
    def preview(self) -> Any:
        """The PDF preview, built on first use (QtPdf loads only then)."""
        if self._preview is None:
            from governance_app.ui.report_preview import ReportPreview

            self._preview = ReportPreview()
            self.preview_holder.addWidget(self._preview)
        return self._preview

    def show_preview(self, path: str | Path) -> int:
        """Show the pages of ``path`` in the Preview tab; the page count (0 if it failed)."""
        try:
            count = self.preview.load(path)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc, f"Showing {Path(path).name}")
            return 0
        self.preview_holder.setCurrentWidget(self.preview)
        self.tabs.setCurrentIndex(0)
        return count

    def selected_report(self) -> Any:
        rows = self.reports_table.selected_source_rows()
        return self.reports_model.row_at(rows[0]) if rows else None

    def preview_selected(self) -> int:
        report = self.selected_report()
        return self.show_preview(report.path) if report is not None else 0

    def verify_selected(self) -> Worker | None:
        report = self.selected_report()
        return self.verify_pdf(report.path) if report is not None else None

    def verify_pdf(self, path: str | Path) -> Worker | None:
        """Verify any PDF in the Verify tab; the result arrives by the panel's signal."""
        self.pages.setCurrentWidget(self.splitter)
        self.tabs.setCurrentWidget(self.verify_panel)
        return self.verify_panel.verify(path)

    def _on_reports_table_double_clicked(self, _index: QModelIndex) -> None:
        self.preview_selected()

    def _update_buttons(self, *_: object) -> None:
        chosen = self.selected_report() is not None
        self.preview_button.setEnabled(chosen)
        self.verify_button.setEnabled(chosen)

    def _on_empty_verify(self) -> None:
        self.pages.setCurrentWidget(self.splitter)
        self.tabs.setCurrentWidget(self.verify_panel)
        self.verify_panel.path_edit.setFocus()

    # -- state -------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)
