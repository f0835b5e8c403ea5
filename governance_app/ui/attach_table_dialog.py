"""Attach a prediction table to the current model version: the GUI form of ``import TABLE --model``.

The columns a table is read by (label, prediction or score, sensitive attributes) are offered
from the file itself (:func:`~governance_app.services.table_columns.describe_table`, header and
a sample only), so nothing has to be typed and a misspelt column cannot be chosen. Attaching
changes the record, so the dialog says what will be recorded before, runs the same import as
the command line in a :class:`~governance_app.ui.workers.Worker` with progress and Cancel, and
shows what was recorded after; a failure goes to the shared error dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.registry import ImportRecord
from governance_app.errors import GovernanceError, ImportCancelled
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.attach_table_form import AttachTableForm
from governance_app.ui.error_dialog import ErrorDialog, show_error
from governance_app.ui.import_result_page import ImportResultPage
from governance_app.ui.task_progress_page import TaskProgressPage
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner, Worker

NONE = ""
"""A combo's data for "no column"."""


def attach_prediction_table(
    url: str, path: str, model: str, settings: Mapping[str, Any], *,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportRecord:
    """Import ``path`` as a prediction table of ``model`` (``NAME:VERSION``); Qt-free task.

    Raises:
        InputError: the table or the settings do not fit (names file, column, expectation).
        ImportCancelled: ``is_cancelled()`` became true; nothing was stored.
    """
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return import_path(ws, Path(path), "predictions", progress=progress,
                           is_cancelled=is_cancelled, model=model, settings=settings)


class AttachTableDialog(QDialog):
    """Choose a table and its columns → progress → what was recorded, on one dialog.

    Args:
        workspace_url: where the result is recorded (the worker opens its own workspace).
        model_name / version: the model version the table is evidence for.
        runner: the window's task runner, so the status bar shows and can cancel the work.
    """

    sig_attached = Signal(object)
    """Emitted with the :class:`ImportRecord` once the table's results are stored."""

    def __init__(self, workspace_url: str, model_name: str, version: int, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace_url = workspace_url
        self.model_ref = f"{model_name}:{version}"
        self.runner = runner
        self.record: ImportRecord | None = None
        self.last_error: BaseException | None = None
        self.error_dialog: ErrorDialog | None = None
        self.setWindowTitle(f"Attach prediction table to {model_name} v{version}")
        self.setMinimumSize(660, 560)
        self.pages = QStackedWidget()
        for page in (self._build_choose_page(), self._build_progress_page(),
                     self._build_result_page()):
            self.pages.addWidget(page)
        QVBoxLayout(self).addWidget(self.pages)
        self._on_form_changed(self.form.ready)

    # -- pages -------------------------------------------------------------------------------

    def _build_choose_page(self) -> QWidget:
        self.form = AttachTableForm(self.model_ref)
        self.form.sig_changed.connect(self._on_form_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.attach_button = buttons.addButton("Attach", QDialogButtonBox.ButtonRole.AcceptRole)
        self.attach_button.clicked.connect(self.start_attach)
        buttons.rejected.connect(self.reject)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)
        return page

    def _build_progress_page(self) -> QWidget:
        self.progress_page = TaskProgressPage(
            "Cancel", "Stop now; nothing from this table will be stored")
        self.progress_page.sig_finished.connect(self._on_worker_finished)
        self.progress_page.sig_errored.connect(self._on_worker_errored)
        self.cancel_button = self.progress_page.cancel_button
        return self.progress_page

    def _build_result_page(self) -> QWidget:
        self.result_page = ImportResultPage("Read from the table")
        self.result_page.sig_closed.connect(self.accept)
        self.result_label = self.result_page.result_label
        self.counts_model = self.result_page.counts_model
        self.changes_model = self.result_page.changes_model
        return self.result_page

    # -- public ------------------------------------------------------------------------------

    @property
    def worker(self) -> Worker | None:
        """The running import, if any."""
        return self.progress_page.worker

    def set_path(self, path: str | Path) -> None:
        """Choose the table (as Browse… does) and offer its columns."""
        self.form.set_path(path)

    def start_attach(self) -> None:
        """Run the import in a worker, after the form's own check."""
        try:
            settings = self.form.settings()
        except GovernanceError as exc:
            self.error_dialog = show_error(self, exc, "Checking the bins")
            return
        path = Path(self.form.path_edit.text().strip())
        self.last_error = None
        self.pages.setCurrentIndex(1)
        worker = Worker(attach_prediction_table, self.workspace_url, str(path), self.model_ref,
                        settings, description=f"Attaching {path.name} to {self.model_ref}")
        self.progress_page.start(self.runner, worker,
                                 f"<b>Attaching {path.name} to {self.model_ref}…</b>")

    def _on_worker_finished(self, record: ImportRecord) -> None:
        self.record = record
        changed = sum(record.changes.values())
        self.result_page.show_record(
            f"Recorded import #{record.id}: <b>{Path(record.source).name}</b> attached to "
            f"{self.model_ref}. " + (f"{changed:,} record(s) added." if changed else
                                     "The workspace already held these results: nothing changed."),
            record)
        self.pages.setCurrentIndex(2)
        self.sig_attached.emit(record)

    def _on_worker_errored(self, exc: BaseException) -> None:
        self.last_error = exc
        self.pages.setCurrentIndex(0)
        if isinstance(exc, ImportCancelled):
            self.form.summary_label.setText("Cancelled; nothing from this table was stored.")
            return
        name = Path(self.form.path_edit.text()).name
        self.error_dialog = show_error(self, exc, f"Attaching {name}")

    def _on_form_changed(self, ready: bool) -> None:
        self.attach_button.setEnabled(ready)

    def reject(self) -> None:
        """Closing while attaching cancels the import rather than leaving it running unseen."""
        if self.worker is not None:
            self.progress_page.cancel()
            return
        super().reject()


def open_attach_dialog(parent: QWidget, ctx: ViewContext,
                       on_attached: Callable[[ImportRecord], None] | None = None
                       ) -> AttachTableDialog | None:
    """Open the dialog for the shared current version; without one, say how to choose it."""
    current = ctx.selection.current
    if current.model_name is None or current.version is None:
        show_error(parent, GovernanceError("no model version is chosen: choose one in the Models "
                                           "view or the toolbar first"),
                   "Attaching a prediction table")
        return None
    dialog = AttachTableDialog(ctx.workspace.url, current.model_name, current.version,
                               ctx.runner, parent)
    if on_attached is not None:
        dialog.sig_attached.connect(on_attached)
    dialog.open()
    return dialog
