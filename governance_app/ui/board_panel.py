"""The board's root in the Audit view: every root version, what changed and who signed it.

Founding the board, admitting a member (with the fingerprint they read out), revoking a key
and adopting a policy are root changes signed by a chair: each goes through the passphrase
step (:class:`~governance_app.ui.board_act_dialog.ActDialog`) and runs on a worker. The head
the act produced (``head #N <20 hex>``) is shown for the minutes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from governance_app.services import members as member_service
from governance_app.services.board import ActResult
from governance_app.services.board_history import RootVersionRow
from governance_app.ui.board_act_dialog import ActDialog
from governance_app.ui.board_models import (
    RootHistoryTableModel,
    admit_task,
    found_task,
    load_root_history,
    policy_task,
    revoke_task,
)
from governance_app.ui.error_dialog import show_error
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import Worker


class BoardPanel(QWidget):
    """Root versions and the buttons that make the next one."""

    sig_loaded = Signal(int)
    """Emitted with the number of root versions after each load."""
    sig_acted = Signal(object)
    """Emitted with the :class:`ActResult` of each signed act."""
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BoardPanel")
        self.ctx = ctx
        self.act_dialog: ActDialog | None = None
        self.summary = QLabel("Loading the board's root…")
        self.summary.setWordWrap(True)
        self.head_label = QLabel("")
        self.head_label.setObjectName("HeadForTheMinutes")
        self.found_button = QPushButton("Found board…")
        self.admit_button = QPushButton("Admit member…")
        self.revoke_button = QPushButton("Revoke key…")
        self.policy_button = QPushButton("Adopt policy…")
        buttons = QHBoxLayout()
        for button in (self.found_button, self.admit_button, self.revoke_button,
                       self.policy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.head_label)
        self.model = RootHistoryTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.found_button.clicked.connect(self.open_found_dialog)
        self.admit_button.clicked.connect(self.open_admit_dialog)
        self.revoke_button.clicked.connect(self.open_revoke_dialog)
        self.policy_button.clicked.connect(self._on_policy_button_clicked)

    def refresh(self) -> Worker:
        worker = Worker(load_root_history, self.ctx.workspace.url,
                        description="Reading the board's root")
        worker.signals.sig_finished.connect(self._show)
        worker.signals.sig_errored.connect(lambda exc: self._fail(exc, "Reading the root"))
        return self.ctx.runner.start(worker)

    def _show(self, rows: list[RootVersionRow]) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        founded = bool(rows)
        self.found_button.setEnabled(not founded)
        for button in (self.admit_button, self.revoke_button, self.policy_button):
            button.setEnabled(founded)
        if founded:
            newest = rows[-1]
            self.summary.setText(
                f"Board root v{newest.version} ({newest.digest[:16]}…): each version names the "
                "one before and is signed by a chair of it. Export it with `governance-app "
                "board root -o FILE` and keep it outside the workspace.")
        else:
            self.summary.setText("No board yet: governance acts are only recorded once a "
                                 "founding chair signs the board's first root.")
        self.sig_loaded.emit(len(rows))

    # -- the signed acts -------------------------------------------------------------------

    def _members(self) -> list[Any]:
        try:
            return member_service.list_members(self.ctx.workspace)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the error dialog
            self._fail(exc, "Listing board members")
            return []

    def open_found_dialog(self) -> ActDialog:
        dialog = ActDialog(
            "Found the board", "Founding makes your key pair and signs the board's first "
            "root with it: you become its first chair. Choose a passphrase you will be asked "
            "for at every act.", [], action="Found board",
            fields=[("name", "Founding chair"), ("key_file", "Key file (path)")], parent=self)
        dialog.accepted.connect(lambda: self._run(
            found_task, dialog.value("name"), dialog.value("key_file"), dialog.passphrase(),
            action="Founding the board"))
        return self._open(dialog)

    def open_admit_dialog(self) -> ActDialog:
        dialog = ActDialog(
            "Admit a member", "Admit a member whose request (`governance-app member add`) is "
            "waiting. Ask them to read out the fingerprint `member export-key` prints on their "
            "machine and type it here: admission is refused unless it is their request's key.",
            self._members(), chairs_only=True, action="Admit",
            fields=[("name", "Member"), ("fingerprint", "Fingerprint read out")], parent=self)
        dialog.accepted.connect(lambda: self._run(
            admit_task, dialog.value("name"), dialog.value("fingerprint"), dialog.member_name(),
            dialog.passphrase(), action="Admitting a member"))
        return self._open(dialog)

    def open_revoke_dialog(self) -> ActDialog:
        dialog = ActDialog(
            "Revoke a key", "A revoked key still verifies what it signed before, and can sign "
            "nothing after this root version. The board's last chair cannot be revoked.",
            self._members(), chairs_only=True, action="Revoke",
            fields=[("name", "Member"), ("reason", "Reason")], parent=self)
        dialog.accepted.connect(lambda: self._run(
            revoke_task, dialog.value("name"), dialog.value("reason"), dialog.member_name(),
            dialog.passphrase(), action="Revoking a key"))
        return self._open(dialog)

    def open_policy_dialog(self, path: str) -> ActDialog:
        dialog = ActDialog(
            "Adopt a policy", f"Make {path} the active version of its policy: the next root "
            "names its digest, gate and quorum.", self._members(), chairs_only=True,
            action="Adopt", parent=self)
        dialog.accepted.connect(lambda: self._run(
            policy_task, path, dialog.member_name(), dialog.passphrase(),
            action="Adopting a policy"))
        return self._open(dialog)

    def _on_policy_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Adopt a policy", "",
                                              "Gate policy (*.yaml *.yml)")
        if path:
            self.open_policy_dialog(path)

    def _open(self, dialog: ActDialog) -> ActDialog:
        self.act_dialog = dialog
        dialog.open()
        return dialog

    def _run(self, fn: Any, *args: Any, action: str) -> Worker:
        worker = Worker(fn, self.ctx.workspace.url, *args, description=action)
        worker.signals.sig_finished.connect(self._on_acted)
        worker.signals.sig_errored.connect(lambda exc: self._fail(exc, action))
        return self.ctx.runner.start(worker)

    def _on_acted(self, result: ActResult | None) -> None:
        if result is not None:
            self.head_label.setText(f"signed: {result.head_line}")
            self.sig_acted.emit(result)
        self.refresh()

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)
