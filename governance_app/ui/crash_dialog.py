"""Unexpected exceptions: logged, written to a crash report, shown — never a silent exit.

PySide6 hands an exception raised in a slot or event handler to ``sys.excepthook`` and carries
on, so installing :class:`CrashHandler` there catches faults anywhere in the GUI; background
threads go through ``threading.excepthook`` to the same place. The handler may run on any
thread, so it only logs and writes the report there and emits a signal; the dialog is shown by
the slot, which Qt runs on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWidget

from governance_app.ui.error_dialog import ErrorDialog, ErrorReport
from governance_app.ui.logging_setup import crash_report_text, log_dir, write_crash_report

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


class CrashDialog(ErrorDialog):
    """The error dialog for a fault in the app: details open, "Copy report" copies the report."""

    def __init__(self, report_text: str, report_path: Path | None,
                 parent: QWidget | None = None) -> None:
        first = next((line for line in report_text.splitlines()[1:] if line), "unknown error")
        saved = (f"Crash report saved as: {report_path}" if report_path
                 else "The crash report could not be saved; copy it from here.")
        super().__init__(ErrorReport(
            headline=f"governance-app hit an unexpected error: {first.removeprefix('Unexpected ')}",
            advice=("The window stays open and you can keep working. Please attach the "
                    f"report below to a bug report (Copy report).\n{saved}"),
            details=report_text), parent)
        self.setWindowTitle("governance-app — unexpected error")
        self.report_path = report_path
        self.report_text = report_text
        self.copy_button.setText("Copy report")
        self.copy_button.setToolTip("Copy the full crash report, with versions, as plain text")
        self.details_button.setChecked(True)
        self.open_folder_button = QPushButton("Open log folder")
        self.open_folder_button.setToolTip("Show the folder with the logs and crash reports")
        self.open_folder_button.setEnabled(report_path is not None)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)
        self.button_box.addButton(self.open_folder_button,
                                  QDialogButtonBox.ButtonRole.ActionRole)

    def add_report(self, report_text: str, report_path: Path | None) -> None:
        """Another fault while this one is shown: add it rather than stack a second dialog."""
        self.report_text += "\n" + report_text
        self.details_edit.setPlainText(self.report_text)
        if report_path is not None:
            self.report_path = report_path

    def copied_text(self) -> str:
        return self.report_text

    def folder_url(self) -> QUrl:
        """Where "Open log folder" points: the folder of the crash report."""
        folder = self.report_path.parent if self.report_path else log_dir()
        return QUrl.fromLocalFile(str(folder))

    def _on_open_folder_button_clicked(self) -> None:
        QDesktopServices.openUrl(self.folder_url())


class CrashHandler(QObject):
    """Receives every unhandled exception; see the module docstring for the threading.

    Args:
        folder: where crash reports go (default: the log folder).
    """

    sig_crashed = Signal(str, object)
    """Emitted with the report text and its file (``None`` if it could not be written)."""

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.dialog: CrashDialog | None = None
        self.last_report: Path | None = None
        self._previous_hooks: tuple[Callable[..., object], Callable[..., object]] | None = None
        self._previous_qt_handler: Callable[..., object] | None = None
        self.sig_crashed.connect(self._on_self_crashed)

    def install(self) -> None:
        """Become ``sys.excepthook`` and ``threading.excepthook``; route Qt's messages to logs."""
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread
        self._previous_qt_handler = qInstallMessageHandler(_log_qt_message)

    def uninstall(self) -> None:
        """Put back the hooks and Qt message handler that were there before :meth:`install`."""
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks
            self._previous_hooks = None
            qInstallMessageHandler(self._previous_qt_handler)  # type: ignore[arg-type]
            self._previous_qt_handler = None

    def handle(self, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None) -> None:
        """Log, write the report, and ask the GUI thread to show it."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("unexpected exception", exc_info=(exc_type, exc, tb))
        text = crash_report_text(exc_type, exc, tb)
        path: Path | None
        try:
            path = write_crash_report(text, self.folder)
        except OSError:
            log.exception("could not write the crash report")
            path = None
        self.last_report = path
        self.sig_crashed.emit(text, path)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _on_self_crashed(self, text: str, path: Path | None) -> None:
        if QApplication.instance() is None:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_report(text, path)
            return
        self.dialog = CrashDialog(text, path, QApplication.activeWindow())
        self.dialog.open()


def _log_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
