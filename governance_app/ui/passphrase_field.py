"""The passphrase of one signed act, as every signing dialog asks it.

A member's key is unlocked for one act and the passphrase is never kept, so it is typed each
time with echo off. On the demo workspace its members' passphrases are public (the welcome
window says so): they are listed under the field, and the chosen member's is the placeholder,
so a first-time user can try signing; outside the demo nothing is shown. The Sign dialog and the
finding dialogs share this one field.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from governance_app.ui.widgets import selectable


class PassphraseField(QWidget):
    """A password line edit and, on the demo workspace only, its members' passphrases.

    Args:
        demo: the demo members' public passphrases by name (empty outside the demo).
        prompt: the placeholder when the member's passphrase is not public.
    """

    def __init__(self, demo: dict[str, str], prompt: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo = dict(demo)
        self.prompt = prompt
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName("Passphrase")
        self.edit.setPlaceholderText(prompt)
        self.demo_label = selectable(QLabel(demo_html(self.demo)))
        self.demo_label.setObjectName("DemoPassphrases")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.demo_label)
        self.demo_label.setHidden(not self.demo)  # once in its layout: never a window

    def show_member(self, name: str) -> None:
        """Offer ``name``'s public passphrase as the placeholder (on the demo only)."""
        secret = self.demo.get(name)
        self.edit.setPlaceholderText(f"demo: {secret}" if secret else self.prompt)

    def take(self) -> str:
        """The typed passphrase, cleared from the field: kept no longer than the act needs."""
        text = self.edit.text()
        self.edit.clear()
        return text


def demo_html(passphrases: dict[str, str]) -> str:
    """The demo members' public passphrases, marked as demo (empty outside the demo)."""
    if not passphrases:
        return ""
    pairs = ", ".join(f"{_escape(name)}: <code>{_escape(secret)}</code>"
                      for name, secret in passphrases.items())
    return (f"<span style='color:#555555'><b>Demo workspace</b> — its members' passphrases "
            f"are public, for trying the app only: {pairs}.</span>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
