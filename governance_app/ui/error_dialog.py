"""The one error dialog: what failed and what to do first, the particulars one click away.

Every failure in the GUI arrives here, so users learn one place to look and one way to copy
details into a bug report. The wording is built by :func:`describe_error` from the typed
exceptions in :mod:`governance_app.errors`, which name the file, place and expectation.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from governance_app.errors import (
    GovernanceError,
    InputError,
    NotFoundError,
    SchemaTooNewError,
    UnknownSourceError,
    WorkspaceError,
)


@dataclass(frozen=True, slots=True)
class ErrorReport:
    headline: str
    """What failed, in one sentence."""
    advice: str
    """What the user can do about it."""
    details: str
    """File, place, field, expectation and the exception with its traceback (copyable)."""


def describe_error(exc: BaseException, action: str) -> ErrorReport:
    """Turn an exception into the dialog's text.

    Args:
        exc: what was raised.
        action: what the user was doing, as a noun phrase: ``"Import of mlflow.db"``.
    """
    lines: list[str] = []
    if isinstance(exc, InputError):
        name = Path(exc.source).name or exc.source
        headline = f"{action} failed: {name} {exc.problem}."
        if isinstance(exc, UnknownSourceError):
            advice = ("Choose a file or folder governance-app can read, or pick its kind "
                      "in the Import dialog, then try again.")
        else:
            place = f" at {exc.location}" if exc.location else ""
            advice = f"Correct the file{place} or export it again, then import it again."
        lines += [f"File: {exc.source}", f"Location: {exc.location or '(whole file)'}",
                  f"Problem: {exc.problem}", f"Expected: {exc.expected or '—'}"]
    elif isinstance(exc, SchemaTooNewError):
        headline = f"{action} failed: {exc}"
        advice = "Open this workspace with the newer governance-app that wrote it."
    elif isinstance(exc, WorkspaceError):
        headline = f"{action} failed: {exc}"
        advice = "Check the workspace location or URL and that the database is reachable."
    elif isinstance(exc, NotFoundError):
        headline = f"{action} failed: {exc}"
        advice = "Refresh (F5): the record may have changed since the view was loaded."
    elif isinstance(exc, GovernanceError):
        headline = f"{action} failed: {exc}"
        advice = "Check the input named above and try again."
    else:
        headline = f"{action} failed unexpectedly: {type(exc).__name__}: {exc}"
        advice = ("This is a fault in governance-app, not in your data. Please copy the "
                  "details into a bug report.")
    lines.append(f"Exception: {type(exc).__module__}.{type(exc).__qualname__}: {exc}")
    trace = "".join(traceback.format_exception(exc)).rstrip()
    if trace:
        lines += ["", trace]
    return ErrorReport(headline, advice, "\n".join(lines))


class ErrorDialog(QDialog):
    """Shows an :class:`ErrorReport`; details are hidden until asked for, and copyable."""

    def __init__(self, report: ErrorReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("governance-app — something failed")
        self.setMinimumWidth(560)

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
                       .pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.headline_label = QLabel(f"<b>{_escape(report.headline)}</b>")
        self.headline_label.setWordWrap(True)
        self.headline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice_label = QLabel(report.advice)
        self.advice_label.setWordWrap(True)
        text = QVBoxLayout()
        text.addWidget(self.headline_label)
        text.addWidget(self.advice_label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)

        self.details_edit = QPlainTextEdit(report.details)
        self.details_edit.setReadOnly(True)
        self.details_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_edit.setMinimumHeight(180)
        self.details_edit.setVisible(False)

        self.details_button = QPushButton("Show details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the headline and every detail as plain text")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.button_box = buttons

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_edit, 1)
        layout.addWidget(buttons)

    def copied_text(self) -> str:
        r = self.report
        return f"{r.headline}\n{r.advice}\n\n{r.details}\n"

    def _on_details_button_toggled(self, shown: bool) -> None:
        self.details_edit.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Show details")
        self.adjustSize()

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.copied_text())


def show_error(parent: QWidget | None, exc: BaseException, action: str) -> ErrorDialog:
    """Open the error dialog without blocking (``open()``, window-modal) and return it."""
    dialog = ErrorDialog(describe_error(exc, action), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
