"""The welcome screen: the first start, before there is a workspace to show.

A new user gets four ways in — the demo, an import, a workspace file, a recent one — instead
of an empty window. The screen only says which workspace was chosen (``sig_workspace_chosen``);
:mod:`.app` opens it, so this widget never touches a database.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

import governance_app
from governance_app.ui.window_state import (
    DEFAULT_SIZE,
    recent_workspaces,
    sqlite_path,
    workspace_exists,
)

URL_ROLE = Qt.ItemDataRole.UserRole


def choose_workspace_url(parent: QWidget | None) -> str | None:
    """Ask for a workspace file to open or create; its ``sqlite:///`` URL, or ``None``."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Open or create a workspace", "", "Workspaces (*.db);;All files (*)",
        options=QFileDialog.Option.DontConfirmOverwrite)
    return f"sqlite:///{Path(path).resolve()}" if path else None


def demo_passphrases_html() -> str:
    """The demo members and their public passphrases, marked as demo only."""
    from governance_app.services.demo_reviews import DEMO_PASSPHRASES

    pairs = ", ".join(f"{name} <code>{secret}</code>" for name, secret in DEMO_PASSPHRASES.items())
    return ("<span style='color:#555555'><b>Demo only:</b> the demo board's members sign with "
            f"public passphrases: {pairs}. Never use them for a real workspace.</span>")


class WelcomeWindow(QWidget):
    """Open demo, Import…, Open workspace…, and the recent workspaces.

    Args:
        import_target: the workspace an import goes into when none is open yet, in words
            (``workspace.db in your data folder``), so the Import button says where.
    """

    sig_workspace_chosen = Signal(str, bool)
    """Emitted with a workspace URL and whether to open the Import dialog on it next."""
    sig_demo_requested = Signal()
    sig_import_requested = Signal()

    def __init__(self, import_target: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("governance-app — welcome")
        self.resize(*DEFAULT_SIZE)
        title = QLabel(f"<h1>Welcome to governance-app</h1>"
                       f"<p>Version {governance_app.__version__}. Bring a model registry into a "
                       "workspace, then review each model version's evidence with your board. "
                       "Nothing leaves this computer.</p>")
        title.setWordWrap(True)
        self.demo_button = QCommandLinkButton(
            "Open demo workspace",
            "Five example models with their evidence, risk tiers and findings, and a board "
            "meeting to hold: start at the Inventory (what needs attention), then sign "
            "credit_default v4's review as a demo member.")
        # DEMO ONLY: the demo members' passphrases are public (services.demo_reviews); a
        # visitor needs them to sign, so they are shown here, marked as demo.
        self.demo_passphrases_label = QLabel(demo_passphrases_html())
        self.demo_passphrases_label.setObjectName("WelcomeDemoPassphrases")
        self.demo_passphrases_label.setWordWrap(True)
        self.demo_passphrases_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_passphrases_label.setContentsMargins(40, 0, 0, 6)
        self.demo_progress_label = QLabel()
        self.demo_progress_label.setContentsMargins(40, 0, 0, 0)
        self.demo_progress = QProgressBar()
        self.demo_progress.setAccessibleName("Building the demo workspace")
        self.demo_progress_label.hide()
        self.demo_progress.hide()
        self.import_button = QCommandLinkButton(
            "Import…",
            f"Read an MLflow store, mlruns/ folder, REST JSON or bundle into {import_target}.")
        self.open_button = QCommandLinkButton(
            "Open workspace…", "Open a workspace file (.db) you or a colleague made, or create "
                               "a new, empty one.")
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        for button, tip in ((self.demo_button, "Build and open the bundled demo (Ctrl+D)"),
                            (self.import_button, "Import into your own workspace (Ctrl+I)"),
                            (self.open_button, "Open or create a workspace file (Ctrl+O)")):
            button.setToolTip(tip)
        self.demo_button.setShortcut("Ctrl+D")
        self.import_button.setShortcut("Ctrl+I")
        self.open_button.setShortcut("Ctrl+O")

        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent workspaces")
        self.recent_list.itemActivated.connect(self._on_recent_list_item_activated)
        # Long folders are cut in the middle (name and end of the path stay), never scrolled.
        self.recent_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.recent_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent_list.setSpacing(3)
        self.recent_list.setMaximumHeight(260)
        self.recent_empty_label = QLabel("<i>No recent workspaces yet: the ones you open will "
                                         "be listed here.</i>")
        self.recent_empty_label.setWordWrap(True)

        actions = QVBoxLayout()
        actions.addWidget(QLabel("<b>Start</b>"))
        actions.addWidget(self.demo_button)
        actions.addWidget(self.demo_passphrases_label)
        actions.addWidget(self.demo_progress_label)
        actions.addWidget(self.demo_progress)
        for button in (self.import_button, self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        recent = QVBoxLayout()
        recent.addWidget(QLabel("<b>Recent workspaces</b> (double-click or Enter to open)"))
        recent.addWidget(self.recent_list)
        recent.addWidget(self.recent_empty_label)
        recent.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(actions, 1)
        columns.addSpacing(24)
        columns.addLayout(recent, 1)
        body = QVBoxLayout()
        body.addWidget(title)
        body.addSpacing(12)
        body.addLayout(columns, 1)
        # A readable measure on a wide screen: the content keeps to ~900 px, centred.
        content = QWidget()
        content.setLayout(body)
        content.setMaximumWidth(920)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.addWidget(content)
        self.setTabOrder(self.demo_button, self.import_button)
        self.setTabOrder(self.import_button, self.open_button)
        self.setTabOrder(self.open_button, self.recent_list)
        self.update_recent()

    def update_recent(self) -> None:
        """List the recent workspaces; a SQLite file that is gone is shown but cannot be opened."""
        self.recent_list.clear()
        for url in recent_workspaces():
            path = sqlite_path(url)
            missing = not workspace_exists(url)
            name = f"{path.name}{' (file not found)' if missing else ''}" if path else url
            item = QListWidgetItem(f"{name} — {path.parent}" if path else name)
            item.setData(URL_ROLE, url)
            item.setToolTip(url)
            if missing:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.recent_list.addItem(item)
        has_recent = self.recent_list.count() > 0
        self.recent_list.setVisible(has_recent)
        self.recent_empty_label.setVisible(not has_recent)
        if has_recent:
            self.recent_list.setCurrentRow(0)

    def set_demo_progress(self, done: int, total: int, message: str) -> None:
        """Show the demo's build progress under its button; the window stays usable except
        for starting the same build twice (``done == total`` ends it)."""
        building = done < total
        self.demo_button.setEnabled(not building)
        self.demo_progress_label.setVisible(building)
        self.demo_progress.setVisible(building)
        self.demo_progress.setRange(0, max(total, 1))
        self.demo_progress.setValue(done)
        self.demo_progress_label.setText(f"Building the demo workspace: {message}…")

    def _on_demo_button_clicked(self) -> None:
        self.set_demo_progress(0, 1, "starting")
        self.sig_demo_requested.emit()

    def _on_import_button_clicked(self) -> None:
        self.sig_import_requested.emit()

    def _on_open_button_clicked(self) -> None:
        url = choose_workspace_url(self)
        if url:
            self.sig_workspace_chosen.emit(url, False)

    def _on_recent_list_item_activated(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.sig_workspace_chosen.emit(item.data(URL_ROLE), False)
