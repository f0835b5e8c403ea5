"""The two pages and the button row that every dialog signing one act shares.

A signing dialog shows its entry page (what will be signed, the passphrase) until the act is
in the chain, then a done page saying what was recorded, so the member sees the receipt in the
same window; its button row is a default "Sign" and Cancel, so Enter signs and Escape cancels
alike in the Sign dialog and the finding dialogs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.ui.widgets import selectable


def entry_and_done_pages(entry: QWidget) -> tuple[QStackedWidget, QWidget, QLabel]:
    """Stack ``entry`` with a done page holding one selectable rich-text result label.

    Returns the stack (showing ``entry``), the done page and its result label.
    """
    result = selectable(QLabel())
    result.setTextFormat(Qt.TextFormat.RichText)
    done = QWidget()
    done_layout = QVBoxLayout(done)
    done_layout.setContentsMargins(0, 0, 0, 0)
    done_layout.addWidget(result)
    done_layout.addStretch(1)
    pages = QStackedWidget()
    pages.addWidget(entry)
    pages.addWidget(done)
    return pages, done, result


def sign_buttons(on_sign: Callable[[], object], on_cancel: Callable[[], object],
                 ) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The button row: a default "Sign" (the accept role) and Cancel.

    Returns the box, the Sign button and the Cancel button (which a dialog relabels "Close"
    once its act is signed).
    """
    buttons = QDialogButtonBox()
    sign = QPushButton("Sign")
    sign.setDefault(True)
    buttons.addButton(sign, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    sign.clicked.connect(on_sign)
    buttons.rejected.connect(on_cancel)
    return buttons, sign, cancel
