"""One running task on a page: what runs, a progress bar, its last message and a Cancel button.

The Import and Attach dialogs and the Reports view all start a :class:`Worker` through the
window's :class:`TaskRunner` (so the status bar shows it too) and follow it the same way; this
page does that wiring once. The owner keeps its own result and error handling: the page only
re-emits how the worker ended, after it has forgotten the worker, so the owner may start the
next task from the slot.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from governance_app.ui.workers import TaskRunner, Worker


class TaskProgressPage(QWidget):
    """Follows one worker at a time.

    Args:
        cancel_text / cancel_tip: the Cancel button's words, saying what cancelling keeps
            ("nothing from this source will be stored").
        centred: pad above and below (a dialog page); ``False`` packs it tight (a view's strip).
    """

    sig_finished = Signal(object)
    """Emitted with the task's return value."""
    sig_errored = Signal(object)
    """Emitted with the exception the task raised (a cancelled task raises too)."""

    def __init__(self, cancel_text: str = "Cancel", cancel_tip: str = "", *,
                 centred: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker: Worker | None = None
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setAccessibleName("Progress")
        self.message_label = QLabel("Starting…")
        self.message_label.setWordWrap(True)
        self.cancel_button = QPushButton(cancel_text)
        self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        if not centred:
            layout.setContentsMargins(0, 0, 0, 0)
        if centred:
            layout.addStretch(1)
        for widget in (self.title_label, self.progress_bar, self.message_label):
            layout.addWidget(widget)
        if centred:
            layout.addStretch(1)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)

    def start(self, runner: TaskRunner, worker: Worker, title: str,
              message: str = "Starting…") -> Worker:
        """Show ``title`` (rich text) and follow ``worker``, started through ``runner``."""
        self.title_label.setText(title)
        self.progress_bar.setValue(0)
        self.message_label.setText(message)
        self.cancel_button.setEnabled(True)
        worker.signals.sig_progressed.connect(self._on_worker_progressed)
        worker.signals.sig_finished.connect(
            lambda result, w=worker: self._on_worker_ended(w, self.sig_finished, result))
        worker.signals.sig_errored.connect(
            lambda exc, w=worker: self._on_worker_ended(w, self.sig_errored, exc))
        self.worker = worker
        return runner.start(worker)

    def is_running(self) -> bool:
        return self.worker is not None

    def cancel(self) -> None:
        """Ask the running task to stop; it ends by raising its "cancelled" error."""
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.message_label.setText("Cancelling…")

    def _on_worker_progressed(self, done: int, total: int, message: str) -> None:
        self.progress_bar.setValue(int(100 * done / total) if total else 0)
        self.message_label.setText(message)

    def _on_worker_ended(self, worker: Worker, signal: Signal, value: object) -> None:
        if worker is self.worker:
            self.worker = None
            signal.emit(value)
