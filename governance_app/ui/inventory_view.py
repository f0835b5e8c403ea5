"""The Inventory view: every model with its risk tier, decisions, due dates, findings and lapses.

The board's home for the model-risk cycle: rows come overdue and lapsed first, then those due
soon, then by tier. "As of" answers what was due on a past (or coming) day; the CSV export
writes exactly the rows shown, with the same fields as ``governance-app inventory --json``.
The detail names the selected model's tier rationale, lapses and findings with their threads.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QItemSelection, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.risk import InventoryRow
from governance_app.ui.error_dialog import show_error
from governance_app.ui.inventory_models import (
    FindingTableModel,
    InventoryData,
    InventoryTableModel,
    load_inventory,
    status_word,
)
from governance_app.ui.views import ViewContext
from governance_app.ui.widgets import EmptyStatePanel, RecordTableView, fit_columns
from governance_app.ui.workers import Worker


class InventoryPanel(QWidget):
    """The Inventory view of the open workspace."""

    sig_loaded = Signal(object)
    """Emitted with the :class:`InventoryData` after every load."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("InventoryPanel")
        self.ctx = ctx
        self.data: InventoryData | None = None
        self._generation = 0
        self._loaded = False

        self.as_of_edit = QDateEdit(QDate.currentDate())
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip("Show what was (or will be) due on this day")
        self.today_button = QPushButton("Today")
        self.overdue_check = QCheckBox("Overdue or lapsed only")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Write the rows shown as CSV (the fields of "
                                      "`governance-app inventory --json`)")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("As of"))
        bar.addWidget(self.as_of_edit)
        bar.addWidget(self.today_button)
        bar.addWidget(self.overdue_check)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.as_of_edit.dateChanged.connect(lambda _d: self.refresh())
        self.today_button.clicked.connect(lambda: self.as_of_edit.setDate(QDate.currentDate()))
        self.overdue_check.toggled.connect(lambda _c: self.refresh())
        self.export_button.clicked.connect(self._on_export_button_clicked)

        self.table_model = InventoryTableModel(parent=self)
        self.table = RecordTableView(self.table_model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        # 5,000 models must show within a second. The rows come in the order the inventory
        # defines (overdue, then expiring, then tier and name), so no sort column at first:
        # the proxy keeps that order without a comparison in Python per pair; a header click
        # still sorts. Column widths come from the first rows, not from every row.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.table.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select a model to see its tier, lapses and findings.")
        self.findings_model = FindingTableModel(parent=self)
        self.findings_table = RecordTableView(self.findings_model)
        self.findings_table.selectionModel().selectionChanged.connect(
            self._on_finding_selected)
        self.thread = QTextBrowser()
        self.thread.setPlaceholderText("Select a finding to read its thread.")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.detail)
        right.addWidget(self.findings_table)
        right.addWidget(self.thread)
        right.setSizes([160, 180, 140])
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([880, 400])
        self.splitter = splitter

        self.empty_state = EmptyStatePanel(
            "No models in the inventory yet",
            "The inventory lists every registered model with its risk tier, owner, latest "
            "approval, validation due dates, open findings and lapsed approvals. Import a "
            "registry export to fill it, then assess tiers with `governance-app tier assess`.",
            [("Import…", ctx.request_import)])
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(bar)
        page_layout.addWidget(self.summary_label)
        page_layout.addWidget(splitter, 1)
        self.page = page
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # loading -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded:
            self.refresh()

    def as_of(self) -> date:
        return self.as_of_edit.date().toPython()

    def refresh(self) -> None:
        """Reload the rows (after an import, a signed act, F5, a workspace switch)."""
        self._loaded = True
        self._generation += 1
        generation = self._generation
        worker = Worker(load_inventory, self.ctx.workspace.url, self.as_of(),
                        self.overdue_check.isChecked(), description="Loading the inventory")
        worker.signals.sig_finished.connect(
            lambda data: generation == self._generation and self.show_data(data))
        worker.signals.sig_errored.connect(
            lambda exc: generation == self._generation
            and show_error(self, exc, "Loading the inventory"))
        self.ctx.runner.start(worker)

    def show_data(self, data: InventoryData) -> None:
        self.data = data
        overdue = sum(1 for r in data.rows if r.overdue)
        soon = sum(1 for r in data.rows if r.expiring)
        high = sum(r.open_findings.get("high", 0) for r in data.rows)
        lapsed = sum(1 for r in data.rows if r.lapses)
        self.summary_label.setText(
            f"As of {data.as_of.isoformat()}: {_count(len(data.rows), 'model')} — {overdue} "
            f"overdue (✕), {lapsed} with a lapsed approval, {soon} due within 30 days (!), "
            f"{high} open high findings.")
        showing_all = not self.overdue_check.isChecked()
        self.pages.setCurrentWidget(self.page if data.rows or not showing_all
                                    else self.empty_state)
        self.table_model.set_rows(data.rows)
        fit_columns(self.table)
        if data.rows:
            self.table.selectRow(0)
        self.sig_loaded.emit(data)

    def set_filter_text(self, text: str) -> None:
        self.table.proxy.setFilterFixedString(text)

    # detail --------------------------------------------------------------------------------

    def selected_row(self) -> InventoryRow | None:
        rows = self.table.selected_source_rows()
        return self.table_model.row_at(rows[0]) if rows else None

    def _on_selection_changed(self, *_: QItemSelection) -> None:
        row = self.selected_row()
        if row is None or self.data is None:
            self.detail.clear()
            self.findings_model.set_rows([])
            return
        lines = [f"<h3>{_html(row.model)}</h3>",
                 f"<p><b>Status:</b> {_html(status_word(row))}</p>"]
        if row.tier is not None:
            lines.append(f"<p><b>Tier {row.tier}</b> — {_html(row.tier_rationale)}</p>")
        else:
            lines.append("<p><b>No risk tier yet.</b> Assess one from the scorecard "
                         "(<code>tier assess</code>) or set it with a rationale.</p>")
        if row.next_due is not None:
            lines.append(f"<p><b>Next validation due {row.next_due.isoformat()}</b>: "
                         f"{_html(row.due_reason)}</p>")
        for term in row.terms:
            lines.append(f"<p><b>Approved on condition:</b> {_html(term)}</p>")
        for lapse in row.lapses:
            lines.append(f"<p style='color:#D55E00'><b>✕ Approval lapsed:</b> "
                         f"{_html(lapse)}</p>")
        self.detail.setHtml("".join(lines))
        findings = sorted((f for f in self.data.findings if f.model == row.model),
                          key=lambda f: (f.status.value in ("closed",), f.severity.rank * -1,
                                         f.id))
        self.findings_model.set_rows(findings)
        fit_columns(self.findings_table, squeeze=3)
        self.thread.clear()

    def _on_finding_selected(self, *_: QItemSelection) -> None:
        rows = self.findings_table.selected_source_rows()
        if not rows:
            self.thread.clear()
            return
        f = self.findings_model.row_at(rows[0])
        parts = [f"<p><b>#{f.id} {_html(f.title)}</b> ({f.severity.value}, "
                 f"{f.status.value}) — opened by {_html(f.opened_by)}, owner "
                 f"{_html(f.owner or '—')}</p>"]
        if f.description:
            parts.append(f"<p>{_html(f.description)}</p>")
        for comment in f.thread:
            parts.append(f"<p><b>{_html(comment.member)}</b> "
                         f"({comment.at.astimezone():%Y-%m-%d %H:%M %Z}): "
                         f"{_html(comment.text)}</p>")
        if f.resolution:
            parts.append(f"<p><b>{'Closed' if f.status.value == 'closed' else 'Accepted'} by "
                         f"{_html(f.decided_by)}:</b> {_html(f.resolution)}</p>")
        self.thread.setHtml("".join(parts))

    # export --------------------------------------------------------------------------------

    def _on_export_button_clicked(self) -> None:
        if self.data is None:
            return
        suggested = f"inventory-{self.data.as_of.isoformat()}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export the inventory", suggested,
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> None:
        """Write the rows shown (after the filter box) as CSV."""
        from governance_app.governance.inventory import inventory_csv

        rows = [self.table_model.row_at(self.table.proxy.mapToSource(
            self.table.proxy.index(i, 0)).row()) for i in range(self.table.proxy.rowCount())]
        try:
            path.write_text(inventory_csv(rows), encoding="utf-8")
        except OSError as exc:
            show_error(self, exc, f"Writing {path}")


FIT_ROWS = 200
"""How many rows column widths are measured on (Qt's default, 1,000, costs a second)."""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
