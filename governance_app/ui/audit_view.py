"""The Audit view: the tamper-evident trail with filters, and Verify.

Master: every audit event in chain order, filtered by model, kind, actor (member) and date.
Detail: the selected event's payload and hashes. **Verify** recomputes the chain, every
checkpoint and every signature in a worker and shows the verdict with a word and an icon, not
colour alone; the first broken link (and any other named event) turns red in the table.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QDate, QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.audit import AuditEvent, VerificationReport
from governance_app.ui.audit_models import (
    FAIL_COLOUR,
    PASS_COLOUR,
    AuditEventTableModel,
    AuditRow,
    broken_rows,
    load_events,
    verify,
)
from governance_app.ui.board_panel import BoardPanel
from governance_app.ui.error_dialog import show_error
from governance_app.ui.item_models import format_local_time
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import Worker

ALL = "All"


class AuditPanel(QWidget):
    """The Audit view of the open workspace."""

    sig_events_shown = Signal(int)
    """Emitted with the number of rows shown after every load or filter change."""
    sig_verified = Signal(object)
    """Emitted with the :class:`VerificationReport` after Verify."""
    sig_failed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AuditPanel")
        self.ctx = ctx
        self.events: list[AuditEvent] = []
        self.report: VerificationReport | None = None
        self._generation = 0
        self._loaded = False

        self.model_combo, self.kind_combo, self.actor_combo = QComboBox(), QComboBox(), QComboBox()
        self.since_check = QCheckBox("Since")
        self.since_edit = QDateEdit(QDate.currentDate().addDays(-30))
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setEnabled(False)
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setToolTip("Recompute every hash, checkpoint and signature")
        self.state_label = QLabel("Not verified in this session.")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        filters = QHBoxLayout()
        for text, combo in (("Model", self.model_combo), ("Kind", self.kind_combo),
                            ("Actor", self.actor_combo)):
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            filters.addWidget(QLabel(text))
            filters.addWidget(combo)
            combo.currentIndexChanged.connect(self._on_filter_changed)
        filters.addWidget(self.since_check)
        filters.addWidget(self.since_edit)
        filters.addStretch(1)
        filters.addWidget(self.verify_button)
        self.since_check.toggled.connect(self._on_since_check_toggled)
        self.since_edit.dateChanged.connect(self._on_filter_changed)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)

        self.table_model = AuditEventTableModel(parent=self)
        self.table = RecordTableView(self.table_model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select an event to see what it recorded.")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self.empty_state = EmptyStatePanel(
            "No audit events yet",
            "The audit trail records every import, member, policy, review and signature as it "
            "happens, each chained to the one before. Import a registry export to start it.",
            [("Import…", ctx.request_import)])
        trail = QWidget()
        trail_layout = QVBoxLayout(trail)
        trail_layout.setContentsMargins(0, 0, 0, 0)
        trail_layout.addLayout(filters)
        trail_layout.addWidget(self.state_label)
        self.board_panel = BoardPanel(ctx)
        self.board_panel.sig_acted.connect(lambda _result: self.refresh())
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "Events")
        self.tabs.addTab(self.board_panel, "Board root")
        trail_layout.addWidget(self.tabs, 1)
        self.trail_page = trail
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(trail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # loading -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # Load on first show: a view the user never opens costs nothing.
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def refresh(self) -> None:
        """Reload the events (after an import, F5, a workspace switch)."""
        self._loaded = True
        self.report = None  # a verdict describes the trail it read; reloading may change it
        self._generation += 1
        generation = self._generation
        worker = Worker(load_events, self.ctx.workspace.url, description="Loading the audit trail")
        worker.signals.sig_finished.connect(
            lambda events: generation == self._generation and self._show_events(events))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation and self._fail(exc, "Loading the audit"))
        self.ctx.runner.start(worker)
        self.board_panel.refresh()

    def set_filter_text(self, text: str) -> None:
        self.table.proxy.setFilterFixedString(text)

    def _show_events(self, events: list[AuditEvent]) -> None:
        self.events = list(events)
        self.pages.setCurrentWidget(self.trail_page if events else self.empty_state)
        for combo, values in ((self.model_combo, {e.model for e in events if e.model}),
                              (self.kind_combo, {e.kind for e in events}),
                              (self.actor_combo, {e.actor for e in events})):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *sorted(values)])
            combo.setCurrentText(current if current in values else ALL)
            combo.blockSignals(False)
        self._apply_filters()
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # chain order
        fit_columns(self.table)

    def _apply_filters(self) -> None:
        rows = [r for r in broken_rows(self.events, self.report) if self._keeps(r)]
        self.table_model.set_rows(rows)
        self.sig_events_shown.emit(len(rows))

    def _keeps(self, row: AuditRow) -> bool:
        e = row.event
        for combo, value in ((self.model_combo, e.model), (self.kind_combo, e.kind),
                             (self.actor_combo, e.actor)):
            choice = combo.currentText()
            if choice not in ("", ALL) and value != choice:
                return False
        if self.since_check.isChecked():
            day = self.since_edit.date().toPython()
            since = datetime.combine(day, time()).astimezone()
            if e.at < since:
                return False
        return True

    # verification --------------------------------------------------------------------------

    def _on_verify_button_clicked(self) -> None:
        self.verify_button.setEnabled(False)
        self.state_label.setText("Verifying the chain, checkpoints and signatures…")
        worker = Worker(verify, self.ctx.workspace.url, description="Verifying the audit chain")
        worker.signals.sig_finished.connect(self.show_report)
        worker.signals.sig_errored.connect(lambda exc: self._fail(exc, "Verifying the chain"))
        worker.signals.sig_ended.connect(lambda: self.verify_button.setEnabled(True))
        self.ctx.runner.start(worker)

    def show_report(self, report: VerificationReport) -> None:
        """Show a verification verdict (and mark the events it names)."""
        self.report = report
        when = format_local_time(datetime.now().astimezone())
        head = f"head #{report.head.seq} {report.head.hash[:16]}…"
        anchors = f"{report.checkpoints} checkpoints, {report.signatures} signatures"
        first = report.first_broken
        if first is None:
            self.state_label.setText(
                f"<span style='color:{PASS_COLOUR}'><b>✓ Verified</b></span> {when} — the "
                f"chain, every checkpoint and every signature hold.<br>{report.events} events, "
                f"{head}; {anchors}.")
        else:
            others = len(report.findings) - 1
            more = f" (and {others} more finding{'s' * (others != 1)})" if others else ""
            self.state_label.setText(
                f"<span style='color:{FAIL_COLOUR}'><b>✕ Broken</b></span> {when} — first "
                f"broken link: {_html(first.describe())}{more}.<br>{report.events} events, "
                f"{head}; {anchors}.")
        self._apply_filters()
        self.sig_verified.emit(report)

    # detail --------------------------------------------------------------------------------

    def _on_table_selection_changed(self, *_: QItemSelection) -> None:
        rows = self.table.selected_source_rows()
        if not rows:
            self.detail.clear()
            return
        row: AuditRow = self.table_model.row_at(rows[0])
        e = row.event
        lines = [f"Event #{e.seq} — {e.kind}", f"at {format_local_time(e.at)} by {e.actor}",
                 f"subject: {e.subject}", f"model: {e.model or '—'}", "",
                 f"hash:      {e.hash}", f"prev_hash: {e.prev_hash}", ""]
        if row.broken:
            lines += [f"✕ {row.broken}", ""]
        self.detail.setPlainText("\n".join(lines) + row.payload_text)

    def _on_since_check_toggled(self, checked: bool) -> None:
        self.since_edit.setEnabled(checked)
        self._apply_filters()

    def _on_filter_changed(self, *_: object) -> None:
        self._apply_filters()

    def _fail(self, exc: BaseException, action: str) -> None:
        self.sig_failed.emit(exc)
        show_error(self, exc, action)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
