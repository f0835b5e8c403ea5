"""Import a file or folder: say what will happen, run it with progress and Cancel, show the result.

Importing changes the record, so the dialog states what it will do before doing it and, after,
what was recorded (counts read, records added or updated). The work runs in a
:class:`~governance_app.ui.workers.Worker` so the window stays usable and the status bar shows
the same task.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.registry import ImportRecord
from governance_app.errors import ImportCancelled
from governance_app.ui.error_dialog import ErrorDialog, show_error
from governance_app.ui.import_result_page import ImportResultPage
from governance_app.ui.item_models import format_local_time
from governance_app.ui.task_progress_page import TaskProgressPage
from governance_app.ui.workers import TaskRunner, Worker, import_into_workspace

AUTO_KIND = ""
"""The kind combo's data for "detect automatically"."""


class ImportDialog(QDialog):
    """Choose → progress → result, on one dialog.

    Args:
        workspace_url: where the import is recorded (the worker opens its own workspace).
        workspace_name: shown to the user, e.g. ``board.db (SQLite)``.
        runner: the window's task runner, so the status bar shows and can cancel the import.
        kinds: importer kind → description, for the override combo.
    """

    sig_imported = Signal(object)
    """Emitted with each :class:`ImportRecord` once stored."""

    def __init__(self, workspace_url: str, workspace_name: str, runner: TaskRunner,
                 kinds: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace_url = workspace_url
        self.runner = runner
        self.records: list[ImportRecord] = []
        self.last_error: BaseException | None = None
        self.error_dialog: ErrorDialog | None = None
        self._queue: list[Path] = []
        self.setWindowTitle("Import into workspace")
        self.setMinimumSize(620, 300)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_choose_page(workspace_name, kinds))
        self.pages.addWidget(self._build_progress_page())
        self.pages.addWidget(self._build_result_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # -- pages -------------------------------------------------------------------------------

    def _build_choose_page(self, workspace_name: str, kinds: dict[str, str]) -> QWidget:
        page = QWidget()
        intro = QLabel(
            f"Reads the whole file or folder, checks it, then records it in "
            f"<b>{workspace_name}</b> in one transaction. If anything in it is malformed, "
            f"nothing is stored. Importing the same export again changes nothing."
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("mlflow.db, an mlruns/ folder, REST JSON or a bundle")
        self.path_edit.textChanged.connect(self._on_path_edit_text_changed)
        file_button = QPushButton("File…")
        file_button.clicked.connect(self._on_file_button_clicked)
        folder_button = QPushButton("Folder…")
        folder_button.clicked.connect(self._on_folder_button_clicked)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(file_button)
        path_row.addWidget(folder_button)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Detect automatically", AUTO_KIND)
        for kind, description in sorted(kinds.items()):
            self.kind_combo.addItem(f"{kind} — {description}", kind)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        # W&B logs of a crashed run end inside a record (issue 17): the user may keep the rest.
        # "&&": a lone "&" would make the B a keyboard mnemonic.
        self.partial_check = QCheckBox("W&&B runs: keep what precedes a damaged record")
        self.partial_check.setToolTip(
            "A truncated or corrupt .wandb log is imported up to the damage and its byte offset "
            "is recorded on the run. Without it, the log is refused and nothing is stored.")
        form = QFormLayout()
        form.addRow("Source:", path_row)
        form.addRow("Kind:", self.kind_combo)
        form.addRow("", self.partial_check)
        self.choose_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.choose_buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.choose_buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addStretch(1)
        layout.addWidget(self.choose_buttons)
        return page

    def _build_progress_page(self) -> QWidget:
        self.progress_page = TaskProgressPage(
            "Cancel import", "Stop now; nothing from this source will be stored")
        self.progress_page.sig_finished.connect(self._on_worker_finished)
        self.progress_page.sig_errored.connect(self._on_worker_errored)
        self.cancel_button = self.progress_page.cancel_button
        return self.progress_page

    def _build_result_page(self) -> QWidget:
        self.result_page = ImportResultPage("Read from the source")
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

    def set_paths(self, paths: list[Path]) -> None:
        """Pre-fill the source (from drag and drop); several paths are imported in turn."""
        self.path_edit.setText("; ".join(str(p) for p in paths))

    def paths(self) -> list[Path]:
        return [Path(p.strip()) for p in self.path_edit.text().split(";") if p.strip()]

    def start_import(self) -> None:
        """Import every chosen path, one after another, with the chosen kind."""
        self._queue = self.paths()
        self.records = []
        self.last_error = None
        self._start_next()

    def kind(self) -> str | None:
        return self.kind_combo.currentData() or None

    # -- work --------------------------------------------------------------------------------

    def _start_next(self) -> None:
        if not self._queue:
            self._show_result()
            return
        path = self._queue.pop(0)
        self.pages.setCurrentIndex(1)
        worker = Worker(import_into_workspace, self.workspace_url, str(path), self.kind(),
                        partial=self.partial_check.isChecked(),
                        description=f"Importing {path.name or path}")
        self.progress_page.start(self.runner, worker, f"<b>Importing {path.name or path}…</b>",
                                 "Reading…")

    def _on_worker_finished(self, record: ImportRecord) -> None:
        self.records.append(record)
        self.sig_imported.emit(record)
        self._start_next()

    def _on_worker_errored(self, exc: BaseException) -> None:
        self.last_error = exc
        self._queue.clear()
        self.pages.setCurrentIndex(0)
        if isinstance(exc, ImportCancelled):
            self.note_label.setText("Import cancelled; nothing from that source was stored.")
            return
        self.note_label.setText("The import failed; nothing from that source was stored.")
        name = Path(self.path_edit.text()).name
        self.error_dialog = show_error(self, exc, f"Import of {name}")

    def _show_result(self) -> None:
        if not self.records:
            self.pages.setCurrentIndex(0)
            return
        record = self.records[-1]
        changed = sum(record.changes.values())
        summary = (
            f"Recorded import #{record.id} of <b>{Path(record.source).name}</b> "
            f"({record.kind}) at {format_local_time(record.imported_at)}."
        )
        if len(self.records) > 1:
            summary = f"{len(self.records)} sources imported. Last: " + summary
        summary += (" The workspace already held every record: nothing changed."
                    if not changed else f" {changed:,} record(s) added or updated.")
        self.result_page.show_record(summary, record)
        self.pages.setCurrentIndex(2)

    # -- slots -------------------------------------------------------------------------------

    def _on_path_edit_text_changed(self, text: str) -> None:
        self.import_button.setEnabled(bool(text.strip()))
        self.note_label.clear()

    def _on_file_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a file", "",
            "Registry exports (*.db *.sqlite *.json *.jsonl);;All files (*)")
        if path:
            self.path_edit.setText(path)

    def _on_folder_button_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import a folder (for example mlruns/)")
        if path:
            self.path_edit.setText(path)

    def _on_import_button_clicked(self) -> None:
        self.start_import()

    def reject(self) -> None:
        """Closing while importing cancels the import rather than leaving it running unseen."""
        if self.worker is not None:
            self.progress_page.cancel()
            return
        super().reject()
