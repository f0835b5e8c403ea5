"""The passphrase step of every signed governance act the GUI makes (other than signatures).

Opening or withdrawing a review, founding the board, admitting, revoking and adopting a policy
are acts signed by the acting member: this dialog says in words what will be signed, asks who
signs and their passphrase (asked every time, never kept), and hands both to the caller, which
runs the act on a worker. Admission also asks for the fingerprint the new member read out.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import Member


class ActDialog(QDialog):
    """Who signs an act, with their passphrase (and extra fields the act needs)."""

    def __init__(self, title: str, what: str, members: Sequence[Member], *,
                 chairs_only: bool = False, action: str = "Sign",
                 fields: Sequence[tuple[str, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ActDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        intro = QLabel(what)
        intro.setWordWrap(True)
        self.member_combo = QComboBox()
        self.member_combo.setAccessibleName("Acting member")
        for member in members:
            if member.active and (not chairs_only or "chair" in member.roles):
                self.member_combo.addItem(f"{member.name} ({', '.join(member.roles)})",
                                          member.name)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label in fields:
            edit = QLineEdit()
            edit.setAccessibleName(label)
            self.fields[key] = edit
            form.addRow(label, edit)
            edit.textChanged.connect(self._update)
        if members or not fields:
            form.addRow("Signed by", self.member_combo)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText("asked for every signed act")
        self.passphrase_edit.setAccessibleName("Passphrase")
        form.addRow("Passphrase", self.passphrase_edit)
        note = QLabel("The act is signed with the member's key and appended to the audit "
                      "chain; a receipt of it is kept on this computer, outside the workspace.")
        note.setWordWrap(True)
        note.setStyleSheet("QLabel { color: palette(mid); }")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.passphrase_edit.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.needs_member = bool(members) or not fields
        self._update()

    def member_name(self) -> str:
        return str(self.member_combo.currentData() or "")

    def passphrase(self) -> str:
        return self.passphrase_edit.text()

    def value(self, key: str) -> str:
        return self.fields[key].text().strip()

    def _update(self, *_: object) -> None:
        ready = bool(self.passphrase_edit.text()) and all(
            e.text().strip() for e in self.fields.values())
        if self.needs_member:
            ready = ready and self.member_combo.count() > 0
        self.ok_button.setEnabled(ready)
