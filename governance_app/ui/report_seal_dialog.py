"""Ask the producing member's passphrase before a report is sealed, saying what will happen.

Sealing uses the member's document key, which is unlocked with the same passphrase as their
decision key (asked every time, echo off, never stored), as the Sign dialog does. The first
seal also records the member's new document certificate in the audit trail, so the dialog
says that too.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from governance_app.ui.report_tasks import ReportRequest
from governance_app.ui.widgets import selectable


class ReportSealDialog(QDialog):
    """Passphrase for one report; :meth:`passphrase` after ``accepted``."""

    def __init__(self, request: ReportRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReportSealDialog")
        self.setWindowTitle(f"Seal the {request.title()}")
        self.setMinimumWidth(560)
        self.request = request
        what = selectable(QLabel(
            f"<b>{request.member}</b> produces the <b>{request.title()}</b> "
            f"({request.page_size} pages) and seals it with their document key (PAdES, "
            f"ECDSA P-256). It is written to <code>{_html(str(request.out_path))}</code>"
            f"{' (replacing the file there)' if request.out_path.exists() else ''}. "
            "The PDF embeds its manifest: the evidence digests, every signature and the "
            "audit chain head. Anyone can verify it later, here or with pdfsig."))
        note = selectable(QLabel(
            "The passphrase unlocks the member's key for this one report; it is not stored. "
            "A member's first report also records their new document certificate in the "
            "audit trail."))
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText(f"{request.member}'s passphrase")
        self.passphrase_edit.setAccessibleName("Passphrase")
        form = QFormLayout()
        form.addRow("Passphrase", self.passphrase_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Generate and seal")
        self.ok_button.setEnabled(False)
        self.passphrase_edit.textChanged.connect(
            lambda text: self.ok_button.setEnabled(bool(text)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def done(self, result: int) -> None:  # noqa: D102 - Qt override: forget the passphrase soon
        secret = self.passphrase_edit.text()
        self._secret = secret if result == QDialog.DialogCode.Accepted.value else ""
        super().done(result)
        self.passphrase_edit.clear()

    def take_passphrase(self) -> str:
        """The accepted passphrase, once: it is forgotten as it is handed over."""
        secret, self._secret = getattr(self, "_secret", ""), ""
        return secret


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
