"""What an import stored: a summary line, what was read and what changed, and Close.

The Import dialog and the Attach prediction table dialog end on the same page; it lives here
once so the two show an import's outcome the same way.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from governance_app.domain.registry import ImportRecord
from governance_app.ui.registry_models import CountTableModel


class ImportResultPage(QWidget):
    """The last page of an import dialog.

    Args:
        read_title: heading of the "read" counts ("Read from the source", "… the table").
    """

    sig_closed = Signal()
    """Emitted by the Close button."""

    def __init__(self, read_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.counts_model = CountTableModel(parent=self)
        self.counts_model.set_column_title(0, read_title)
        self.changes_model = CountTableModel(parent=self)
        self.changes_model.set_column_title(0, "Changes in the workspace")
        tables = QHBoxLayout()
        for model in (self.counts_model, self.changes_model):
            view = QTableView()
            view.setModel(model)
            view.verticalHeader().hide()
            view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            view.setAlternatingRowColors(True)
            tables.addWidget(view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.sig_closed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.result_label)
        layout.addLayout(tables, 1)
        layout.addWidget(buttons)

    def show_record(self, summary: str, record: ImportRecord) -> None:
        """The summary (rich text) and the record's counts and changes."""
        self.result_label.setText(summary)
        self.counts_model.set_counts(record.counts)
        self.changes_model.set_counts(record.changes or {"no_changes": 0})
