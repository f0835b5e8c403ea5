"""The status bar's running-task area: what runs, how far it is, and a Cancel that always works.

It listens to the window's :class:`TaskRunner`, so any worker a view starts shows here without
the view knowing about the status bar (UI.md "Long work").
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from governance_app.ui.workers import TaskRunner, Worker


class TaskStatus:
    """Adds a label, a progress bar and a Cancel button to ``status``, shown only while busy."""

    def __init__(self, status: QStatusBar, runner: TaskRunner) -> None:
        self.runner = runner
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setAccessibleName("Task progress")
        self.cancel_button = QToolButton()
        self.cancel_button.setText("✕ Cancel")
        self.cancel_button.setToolTip("Cancel the running task")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        for widget in self.widgets():
            status.addPermanentWidget(widget)
            widget.hide()
        runner.sig_started.connect(self._on_runner_started)
        runner.sig_ended.connect(self._on_runner_ended)

    def widgets(self) -> tuple[QLabel, QProgressBar, QToolButton]:
        return self.label, self.progress, self.cancel_button

    def _on_runner_started(self, worker: Worker) -> None:
        self.label.setText(worker.description + "…")
        self.progress.setRange(0, 0)  # busy until the first progress report says how far
        worker.signals.sig_progressed.connect(self._on_worker_progressed)
        for widget in self.widgets():
            widget.show()

    def _on_worker_progressed(self, done: int, total: int, _message: str) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(int(100 * done / total) if total else 0)

    def _on_runner_ended(self, _worker: Worker) -> None:
        if not self.runner.active():
            for widget in self.widgets():
                widget.hide()

    def _on_cancel_button_clicked(self) -> None:
        self.runner.cancel_all()
        self.label.setText("Cancelling…")
