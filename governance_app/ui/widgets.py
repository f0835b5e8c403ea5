"""Widgets every view shares: the record table with Ctrl+C, the empty state, column fitting,
selectable text and a date that may be left out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from governance_app.ui.item_models import RecordSortFilterProxy, RecordTableModel, rows_as_tsv


class RecordTableView(QTableView):
    """A sortable row-selecting table whose Ctrl+C copies selected rows as TSV (full values)."""

    def __init__(self, model: RecordTableModel, parent: QWidget | None = None,
                 *, sortable: bool = True) -> None:
        super().__init__(parent)
        self.source_model = model
        self.proxy = RecordSortFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.setModel(self.proxy)
        self.setSortingEnabled(sortable)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        # Tab leaves the table for the next widget (arrows move between cells), so the window
        # has one keyboard path through its panes.
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setHighlightSections(False)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def selected_source_rows(self) -> list[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.selectionModel().selectedRows()}
        return sorted(rows)

    def select_source_row(self, row: int) -> None:
        index = self.proxy.mapFromSource(self.source_model.index(row, 0))
        if index.isValid():
            self.selectRow(index.row())
            self.scrollTo(index)

    def copy_selection(self) -> str:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        text = rows_as_tsv(self.proxy, rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)


class EmptyStatePanel(QWidget):
    """What fills a view and the button that does it, instead of a blank page."""

    def __init__(self, title: str, sentence: str,
                 actions: list[tuple[str, Callable[[], None]]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(f"<h2>{title}</h2>")
        self.sentence_label = QLabel(sentence)
        self.sentence_label.setWordWrap(True)
        # An aligned item in a box layout gets its size hint, not its height-for-width: fix both
        # so the wrapped sentence is never cut off.
        self.sentence_label.setFixedWidth(540)
        self.sentence_label.setMinimumHeight(self.sentence_label.heightForWidth(540))
        self.buttons: list[QPushButton] = []
        row = QHBoxLayout()
        row.addStretch(1)
        for text, callback in actions:
            button = QPushButton(text)
            button.setMinimumWidth(120)
            button.clicked.connect(callback)
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for label in (self.title_label, self.sentence_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(3)


def fit_columns(view: RecordTableView, *, squeeze: int | None = None) -> None:
    """Size columns to their contents once, then leave them to the user.

    The spare width goes to the last column, unless it holds numbers: then it goes to the first
    (the names), so a right-aligned number stays next to what it measures.

    Args:
        squeeze: a column that gives way instead: every other column keeps its content width
            and this one takes what is left, eliding its text (full value in the tooltip). For
            tables in a narrow pane, where a horizontal scrollbar would hide the last column.
    """
    header = view.horizontalHeader()
    if squeeze is not None:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(squeeze, QHeaderView.ResizeMode.Stretch)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        return
    view.resizeColumnsToContents()
    for column in range(header.count()):
        header.resizeSection(column, min(header.sectionSize(column) + 10, 320))
    columns = view.source_model.columns
    if columns and columns[-1].numeric:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)


def selectable(label: QLabel) -> QLabel:
    """Wrapped, and selectable with the mouse (so a digest or a reason can be copied)."""
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class OptionalDate(QWidget):
    """A day that may be left out: a check box naming it and a date field (calendar popup,
    ISO format) enabled only while it is ticked; beside it, what leaving it out means."""

    sig_changed = Signal()

    def __init__(self, label: str, default: date, *, checked: bool, without: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.check.setChecked(checked)
        self.edit = QDateEdit(QDate(default.year, default.month, default.day))
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setEnabled(checked)
        self.without_label = QLabel(without)
        self.without_label.setStyleSheet("QLabel { color: #555555; }")
        self.check.toggled.connect(self._on_toggled)
        self.edit.dateChanged.connect(lambda _d: self.sig_changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addWidget(self.without_label)
        layout.addStretch(1)
        self.without_label.setHidden(not without or checked)  # once in its layout

    def value(self) -> date | None:
        return self.edit.date().toPython() if self.check.isChecked() else None  # type: ignore[return-value]

    def set_value(self, day: date | None) -> None:
        if day is not None:
            self.edit.setDate(QDate(day.year, day.month, day.day))
        self.check.setChecked(day is not None)

    def _on_toggled(self, checked: bool) -> None:
        self.edit.setEnabled(checked)
        self.without_label.setVisible(bool(self.without_label.text()) and not checked)
        self.sig_changed.emit()
