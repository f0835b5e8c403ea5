"""Verify any PDF as an outsider would: the seal, its coverage, the signer, the manifest, the chain.

The workspace's document certificates are trusted (the members who seal here), and a
certificate file can be added for a report sealed elsewhere. The checks run in a worker (pyHanko
validation and every Ed25519 signature in the manifest) and each one is shown on its own row
with what was found, so a reader learns *what* failed, not only that something did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from governance_app.ui.error_dialog import show_error
from governance_app.ui.report_models import CheckOutcomeTableModel
from governance_app.ui.report_tasks import verify_file
from governance_app.ui.review_models import FAIL_COLOUR, PASS_COLOUR
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import RecordTableView, fit_columns
from governance_app.ui.workers import Worker


class ReportVerifyPanel(QWidget):
    """A PDF to check, an optional certificate, Verify, and the verdict with every check."""

    sig_verified = Signal(object)
    """Emitted with the ``ReportVerification`` of each run."""
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: Any = None
        self.worker: Worker | None = None

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("a PDF report (from this workspace or sent to you)")
        self.path_edit.textChanged.connect(self._on_inputs_changed)
        browse = QPushButton("Open PDF…")
        browse.clicked.connect(self._on_browse_button_clicked)
        self.cert_edit = QLineEdit()
        self.cert_edit.setPlaceholderText("optional: the producer's certificate (PEM), if the "
                                          "report was sealed outside this workspace")
        self.cert_edit.setClearButtonEnabled(True)
        cert_button = QPushButton("Certificate…")
        cert_button.clicked.connect(self._on_cert_button_clicked)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Check the seal, that it covers the whole file, the "
                                      "signer, every signature in the manifest and the chain head")
        self.verify_button.clicked.connect(lambda: self.verify())
        form = QFormLayout()
        form.addRow("PDF", _row(self.path_edit, browse))
        form.addRow("Trust also", _row(self.cert_edit, cert_button))
        trust = QLabel("The document certificates of this workspace's members are trusted.")
        trust.setWordWrap(True)

        self.verdict_label = QLabel("Not verified yet: choose a PDF and press Verify.")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setMargin(4)  # the large verdict word needs its line height
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checks_model = CheckOutcomeTableModel(parent=self)
        self.checks = RecordTableView(self.checks_model, sortable=False)
        self.checks.proxy.sort(-1)  # the order the checks were made in
        self.checks.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(trust, 1)
        buttons.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.checks, 1)
        self._on_inputs_changed()

    def set_path(self, path: str | Path) -> None:
        self.path_edit.setText(str(path))

    def verify(self, path: str | Path | None = None) -> Worker | None:
        """Verify ``path`` (or the chosen PDF) in a worker; the result arrives by signal."""
        if path is not None:
            self.set_path(path)
        chosen = self.path_edit.text().strip()
        if not chosen or self.worker is not None:
            return None
        cert = self.cert_edit.text().strip() or None
        self.verdict_label.setText(f"Verifying {Path(chosen).name}…")
        self.checks_model.set_rows([])
        self.verify_button.setEnabled(False)
        worker = Worker(verify_file, self.ctx.workspace.url, chosen, cert,
                        description=f"Verifying {Path(chosen).name}")
        worker.signals.sig_finished.connect(self._on_worker_finished)
        worker.signals.sig_errored.connect(
            lambda exc: self._on_worker_errored(exc, Path(chosen).name))
        self.worker = worker
        return self.ctx.runner.start(worker)

    def _on_worker_finished(self, result: Any) -> None:
        self.worker = None
        self.result = result
        self.checks_model.set_rows(list(result.checks))
        fit_columns(self.checks)
        failed = [c.name for c in result.checks if not c.ok]
        name = Path(result.path).name
        if result.ok:
            self.verdict_label.setText(
                f"<span style='color:{PASS_COLOUR}'><b>✓ Verified:</b></span> "
                f"{name} is sealed by a trusted certificate, unchanged since sealing, and all "
                f"{len(result.checks)} checks hold.")
        else:
            self.verdict_label.setText(
                f"<span style='color:{FAIL_COLOUR}'><b>✕ Not verified:"
                f"</b></span> {name} fails {len(failed)} of {len(result.checks)} checks "
                f"({', '.join(failed)}). Do not rely on it.")
        self._on_inputs_changed()
        self.sig_verified.emit(result)

    def _on_worker_errored(self, exc: BaseException, name: str) -> None:
        self.worker = None
        self.result = None
        self.verdict_label.setText(f"Could not verify {name}: see the error.")
        self._on_inputs_changed()
        self.sig_failed.emit(exc)
        show_error(self, exc, f"Verifying {name}")

    def _on_inputs_changed(self, *_: object) -> None:
        self.verify_button.setEnabled(bool(self.path_edit.text().strip())
                                      and self.worker is None)

    def _on_browse_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Verify a PDF report", "",
                                              "PDF reports (*.pdf);;All files (*)")
        if path:
            self.verify(path)

    def _on_cert_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Trust a document certificate", "",
                                              "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.cert_edit.setText(path)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for index, widget in enumerate(widgets):
        row.addWidget(widget, 1 if index == 0 else 0)
    return row
