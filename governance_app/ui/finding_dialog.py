"""The dialog of every signed act on a finding: open, comment, close, accept as an exception.

Like the Sign dialog it says what will be recorded before anything happens, asks who signs and
their passphrase (every time, never kept; the demo's public passphrases shown on the demo only),
and runs the act on a worker: unlocking a key runs scrypt, slow on purpose. A rule that forbids
the act for the chosen member (the owner may not close their finding; a developer holds no
closing role) is said before the passphrase and Sign stays disabled; a refusal that only the
act finds is said afterwards, in the dialog and in the shared error dialog, and the dialog stays
open for another try. Afterwards it shows what was recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import Member
from governance_app.domain.risk import Finding
from governance_app.ui.error_dialog import show_error
from governance_app.ui.finding_models import FAIL_COLOUR, finding_html
from governance_app.ui.passphrase_field import PassphraseField
from governance_app.ui.signing_pages import entry_and_done_pages, sign_buttons
from governance_app.ui.widgets import selectable
from governance_app.ui.workers import TaskRunner, Worker

Task = Callable[..., Finding]


class FindingActDialog(QDialog):
    """One signed act on a finding: its fields, the member and passphrase, then the record.

    Args:
        url: the workspace the worker opens.
        runner: where the act runs.
        title / intro: what the act does, in words, before it is signed.
        members: the board; only active members are offered.
        rows: the act's own fields as (label, widget), shown above the member.
        task: ``task(url, *args(), member, passphrase)`` runs the act and returns the finding.
        args: the task's arguments read from the fields when Sign is pressed.
        refusal: why the chosen member may not do this act (None when they may).
        ready: whether the fields are filled enough to sign.
        demo: the demo members' public passphrases (empty outside the demo).
    """

    sig_recorded = Signal(object)
    """Emitted with the :class:`Finding` as recorded."""
    sig_failed = Signal(object)

    def __init__(self, url: str, runner: TaskRunner, title: str, intro: str,
                 members: Sequence[Member], rows: Sequence[tuple[str, QWidget]], task: Task,
                 args: Callable[[], tuple[Any, ...]], *,
                 refusal: Callable[[str], str | None] = lambda _m: None,
                 ready: Callable[[], bool] = lambda: True, demo: dict[str, str] | None = None,
                 day_of: Callable[[], date] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindingActDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        self.url, self.runner, self.task, self.args = url, runner, task, args
        self.refusal, self.ready = refusal, ready
        self.demo = demo or {}
        self.day_of = day_of
        self.finding: Finding | None = None
        self.error_dialog: QDialog | None = None

        intro_label = selectable(QLabel(intro))
        self.refusal_label = selectable(QLabel())
        self.refusal_label.setObjectName("FindingRefusal")
        self.refusal_label.setStyleSheet(
            f"QLabel {{ padding: 6px; border: 1px solid {FAIL_COLOUR}; }}")
        self.refusal_label.hide()
        self.member_combo = QComboBox()
        self.member_combo.setAccessibleName("Acting member")
        for member in members:
            if member.active:
                self.member_combo.addItem(f"{member.name} ({', '.join(member.roles)})",
                                          member.name)
        self.passphrase = PassphraseField(self.demo, "asked for every signed act")
        self.passphrase_edit, self.demo_label = self.passphrase.edit, self.passphrase.demo_label
        self.status_label = selectable(QLabel())
        form = QFormLayout()
        for label, widget in rows:
            form.addRow(label, widget)
        form.addRow("Signed by", self.member_combo)
        form.addRow("Passphrase", self.passphrase)
        note = selectable(QLabel(
            "The act is signed with the member's key and appended to the audit chain, where "
            "verify replays it; the passphrase unlocks the key for this one act and is not "
            "stored."))
        note.setStyleSheet("QLabel { color: palette(mid); }")
        entry = QWidget()
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        entry_layout.addWidget(intro_label)
        entry_layout.addWidget(self.refusal_label)
        entry_layout.addLayout(form)
        entry_layout.addWidget(note)
        entry_layout.addWidget(self.status_label)
        entry_layout.addStretch(1)
        self.pages, self.done_page, self.result_label = entry_and_done_pages(entry)
        self.entry_page = entry

        self.buttons, self.sign_button, self.close_button = sign_buttons(self.sign, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        self.member_combo.currentIndexChanged.connect(self.update_state)
        self.passphrase_edit.textChanged.connect(self.update_state)
        self._busy = False
        self.update_state()

    def member_name(self) -> str:
        return str(self.member_combo.currentData() or "")

    def choose_member(self, name: str) -> bool:
        """Choose the signing member by name; False (nothing changed) for a non-member."""
        index = self.member_combo.findData(name)
        if index >= 0:
            self.member_combo.setCurrentIndex(index)
        return index >= 0

    def update_state(self, *_: object) -> None:
        """Say what forbids the act for the chosen member before any passphrase is typed."""
        member = self.member_name()
        problem = self.refusal(member) if member else "no active member can sign"
        self.refusal_label.setText(f"<b>✕ Not allowed:</b> {_escape(problem)}" if problem else "")
        self.refusal_label.setVisible(bool(problem))
        self.passphrase.show_member(member)
        self.sign_button.setEnabled(not self._busy and not problem and self.ready()
                                    and bool(self.passphrase_edit.text()))

    def sign(self) -> Worker | None:
        """Run the act on a worker with the passphrase typed (cleared from the field)."""
        if not self.sign_button.isEnabled():
            return None
        passphrase = self.passphrase.take()
        self._set_busy(True)
        worker = Worker(self.task, self.url, *self.args(), self.member_name(), passphrase,
                        description=self.windowTitle())
        worker.signals.sig_finished.connect(self._on_recorded)
        worker.signals.sig_errored.connect(self._on_refused)
        return self.runner.start(worker)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.entry_page.setEnabled(not busy)
        self.status_label.setText("Unlocking the key and signing…" if busy else "")
        self.update_state()

    def _on_recorded(self, finding: Finding) -> None:
        self.finding = finding
        day = self.day_of() if self.day_of is not None else None
        self.result_label.setText("<h3>Recorded in the audit chain</h3>" + finding_html(
            finding, day or datetime.now(UTC).date()))
        self.pages.setCurrentWidget(self.done_page)
        self.sign_button.hide()
        self.close_button.setText("Close")
        self.sig_recorded.emit(finding)

    def _on_refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status_label.setText(f"<span style='color:{FAIL_COLOUR}'><b>✕ Not recorded:</b> "
                                  f"{_escape(str(exc))}</span>")
        self.error_dialog = show_error(self, exc, self.windowTitle())
        self.sig_failed.emit(exc)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
