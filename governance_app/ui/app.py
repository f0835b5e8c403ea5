"""Start the GUI: the application object, its names for ``QSettings``, logs, the first window.

``governance-app gui [--db URL]`` and ``governance-app demo`` call :func:`run_gui` with the
workspace URL they resolved; the ``governance-app-gui`` script calls :func:`main`, which opens
the workspace named (``--db``, ``$GOVERNANCE_APP_DB``) or remembered, and otherwise shows the
welcome screen: a first start never opens on an empty window.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from governance_app import __version__
from governance_app.services.demo import demo_workspace_url
from governance_app.services.workspace import ENV_WORKSPACE, Workspace, default_workspace_url
from governance_app.ui.crash_dialog import CrashHandler
from governance_app.ui.error_dialog import ErrorDialog, describe_error, show_error
from governance_app.ui.logging_setup import configure_logging
from governance_app.ui.theme import follow_system_color_scheme
from governance_app.ui.welcome import WelcomeWindow
from governance_app.ui.window_state import recent_workspaces, workspace_exists

ORGANIZATION_NAME = "governance-app"
ORGANIZATION_DOMAIN = "governance-app.invalid"
APPLICATION_NAME = "governance-app"

log = logging.getLogger(__name__)
_state: dict[str, object] = {}
"""What must outlive the call that made it: the crash handler, the launcher."""


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The one ``QApplication`` (created once), named so ``QSettings()`` finds our settings.

    Its palette follows the system's light or dark scheme, and keeps following it.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName("governance-app")
    app.setApplicationVersion(__version__)
    from governance_app.ui.startup_hooks import install_startup_hooks  # icon; env start-up hooks
    install_startup_hooks(app)
    if "theme" not in _state:
        follow_system_color_scheme(app)  # type: ignore[arg-type]
        _state["theme"] = True
    return app  # type: ignore[return-value]


def setup_diagnostics(folder: Path | None = None) -> CrashHandler:
    """Log to a rotating file and turn unexpected exceptions into a crash dialog and report.

    Args:
        folder: the log folder (default: the platform's, ``platformdirs.user_log_dir``).
    """
    configure_logging(folder)
    previous = _state.get("crash_handler")
    if isinstance(previous, CrashHandler):
        previous.uninstall()
    handler = CrashHandler(folder)
    handler.install()
    _state["crash_handler"] = handler
    return handler


class Launcher(QObject):
    """Opens the first window: a workspace's main window, or the welcome screen.

    It outlives the welcome screen so the screen can close itself once a workspace opens.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window: QWidget | None = None
        self.welcome: WelcomeWindow | None = None
        self.demo_worker: Any = None
        """The running demo build (a ``ui.workers.Worker``), kept alive until it ends."""

    def show_welcome(self) -> WelcomeWindow:
        target = default_workspace_url().removeprefix("sqlite:///")
        welcome = WelcomeWindow(f"your workspace ({target})")
        welcome.sig_workspace_chosen.connect(self._on_welcome_workspace_chosen)
        welcome.sig_demo_requested.connect(self._on_welcome_demo_requested)
        welcome.sig_import_requested.connect(self._on_welcome_import_requested)
        welcome.show()
        self.welcome = welcome
        return welcome

    def open_workspace(self, url: str, *, import_next: bool = False) -> QWidget | None:
        """Open the main window on ``url``; on failure the error shows over the welcome screen."""
        from governance_app.ui.main_window import MainWindow  # the heavy part, only when needed

        try:
            workspace = Workspace.open(url)
        except Exception as exc:  # noqa: BLE001 - shown in the one error dialog
            log.warning("could not open workspace %s: %s", url, exc)
            show_error(self.welcome, exc, f"Opening workspace {url}")
            return None
        window = MainWindow(workspace)
        window.show()
        self.window = window
        if self.welcome is not None:
            self.welcome.close()
            self.welcome = None
        if import_next:
            window.open_import_dialog()
        return window

    def _on_welcome_workspace_chosen(self, url: str, import_next: bool) -> None:
        self.open_workspace(url, import_next=import_next)

    def _on_welcome_demo_requested(self) -> None:
        """Build (or find) the demo in a worker: the welcome screen shows its progress and the
        GUI thread never waits on the ~15 s first build."""
        from governance_app.ui.workers import Worker

        if self.demo_worker is not None:
            return
        worker = Worker(demo_workspace_url, description="Building the demo workspace")
        if self.welcome is not None:
            worker.signals.sig_progressed.connect(self.welcome.set_demo_progress)
        worker.signals.sig_finished.connect(self._on_demo_worker_finished)
        worker.signals.sig_errored.connect(self._on_demo_worker_errored)
        self.demo_worker = worker
        QThreadPool.globalInstance().start(worker)

    def _on_demo_worker_finished(self, url: str) -> None:
        self.demo_worker = None
        if self.welcome is not None:
            self.welcome.set_demo_progress(1, 1, "ready")
        self.open_workspace(url)

    def _on_demo_worker_errored(self, exc: BaseException) -> None:
        self.demo_worker = None
        if self.welcome is not None:
            self.welcome.set_demo_progress(1, 1, "failed")
        show_error(self.welcome, exc, "Building the demo workspace")

    def _on_welcome_import_requested(self) -> None:
        self.open_workspace(default_workspace_url(), import_next=True)


def start(url: str | None) -> QWidget:
    """Show the first window: ``url``'s main window, else the remembered one, else welcome."""
    application()
    launcher = Launcher()
    _state["launcher"] = launcher
    candidates = [url] if url else [u for u in recent_workspaces()[:1] if workspace_exists(u)]
    for candidate in candidates:
        window = launcher.open_workspace(candidate)
        if window is not None:
            return window
    return launcher.show_welcome()


def run_gui(workspace_url: str) -> int:
    """Open the main window on ``workspace_url`` and run the event loop; returns the exit code.

    A workspace that cannot be opened is reported in the one error dialog and exits 2, the
    CLI's code for bad input.
    """
    from governance_app.ui.main_window import MainWindow

    app = application()
    setup_diagnostics()
    try:
        workspace = Workspace.open(workspace_url)
    except Exception as exc:  # noqa: BLE001 - reported, then the CLI's bad-input exit code
        log.error("could not open workspace %s: %s", workspace_url, exc)
        ErrorDialog(describe_error(exc, f"Opening workspace {workspace_url}")).exec()
        return 2
    window = MainWindow(workspace)
    window.show()
    return app.exec()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``governance-app-gui [--db URL]``."""
    parser = argparse.ArgumentParser(
        prog="governance-app-gui",
        description="Open the governance-app window. Without --db it opens the last workspace, "
                    "or on a first start the welcome screen.",
        epilog="example: governance-app-gui --db ~/board/credit-risk.db")
    parser.add_argument("--db", help="workspace URL or SQLite file (default: "
                                     f"${ENV_WORKSPACE}, else the last workspace opened)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    app = application()
    setup_diagnostics()
    url = args.db or (default_workspace_url() if os.environ.get(ENV_WORKSPACE) else None)
    start(url)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
