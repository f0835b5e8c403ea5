"""Qt item models over service results, and the one proxy every table sorts and filters with.

Each table model is a list of plain domain values plus a column description: how to show a
cell, how to sort it, what its full value is (tooltip and Ctrl+C copy) and whether it is a
number (right-aligned). Keeping formatting in :class:`Column` makes every table in the app show
numbers, times and missing values the same way (UI.md "Patterns every view uses").

The concrete models live by domain: :mod:`.registry_models` (models, versions, runs, imports)
and :mod:`.comparison_models` (two versions compared).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from governance_app.ui.theme import readable_colour

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""A Python value that orders the column correctly (numbers as numbers, times as times)."""
COPY_ROLE = Qt.ItemDataRole.UserRole + 2
"""The full, unrounded text of a cell, used for Ctrl+C."""
MISSING = "—"

_Index = QModelIndex | QPersistentModelIndex


def format_number(value: float | None) -> str:
    """Four significant digits for display; stored values keep full precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{value:.4g}"


def full_number(value: float | None) -> str:
    return MISSING if value is None else repr(value)


def format_local_time(moment: datetime | None) -> str:
    """``2026-11-24 10:42 CET``: the user's zone, named, as UI.md asks."""
    if moment is None:
        return MISSING
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def full_time(moment: datetime | None) -> str:
    """Local time with offset and zone, then the stored UTC value, to the second."""
    if moment is None:
        return MISSING
    local = moment.astimezone()
    utc = moment.astimezone(UTC)
    return f"{local.isoformat(timespec='seconds')} {local.tzname()} ({utc:%Y-%m-%d %H:%M:%S} UTC)"


def format_aliases(aliases: dict[str, int] | Sequence[str]) -> str:
    if isinstance(aliases, dict):
        return ", ".join(f"@{name} → v{v}" for name, v in sorted(aliases.items()))
    return ", ".join(f"@{name}" for name in sorted(aliases))


@dataclass(frozen=True, slots=True)
class Column:
    """How one column shows, sorts, explains and copies a row value."""

    title: str
    display: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any], str | None] | None = None
    copy: Callable[[Any], str] | None = None
    numeric: bool = False
    foreground: Callable[[Any], str | None] | None = None
    bold: Callable[[Any], bool] | None = None


class RecordTableModel(QAbstractTableModel):
    """A flat, read-only table of records described by :attr:`columns`."""

    columns: list[Column] = []

    def __init__(self, rows: Sequence[Any] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = list(rows)
        self._titles = [c.title for c in self.columns]
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def set_column_title(self, column: int, title: str) -> None:
        self._titles[column] = title
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column.tooltip(row) if column.tooltip else None
            if tip is None and column.copy is not None:
                tip = column.copy(row)
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column.numeric)
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.display(row).casefold()
        if role == COPY_ROLE:
            return column.copy(row) if column.copy else column.display(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground:
            colour = column.foreground(row)
            return readable_colour(colour) if colour else None
        if role == Qt.ItemDataRole.FontRole and column.bold and column.bold(row):
            return self._bold
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._titles):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._titles[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _alignment(self.columns[section].numeric)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None


def _alignment(numeric: bool) -> int:
    horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
    return int(horizontal | Qt.AlignmentFlag.AlignVCenter)


class RecordSortFilterProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` with missing values last; filters on every column as you type."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def lessThan(self, left: _Index, right: _Index) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        # Missing values sort after present ones in ascending order, and never compare.
        if a is None or b is None:
            return a is not None and b is None
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


def time_key(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


def rows_as_tsv(model: Any, rows: Sequence[int], *, header: bool = True) -> str:
    """Tab-separated text of ``rows`` of ``model`` (a table or proxy), full values, header first.

    Uses :data:`COPY_ROLE`, so a copied number has every digit even though the cell shows four.
    """

    def clean(value: Any) -> str:
        return str(value if value is not None else "").replace("\t", " ").replace("\n", " ")

    lines: list[str] = []
    columns = range(model.columnCount())
    if header:
        lines.append("\t".join(clean(model.headerData(c, Qt.Orientation.Horizontal))
                               for c in columns))
    for row in rows:
        lines.append("\t".join(clean(model.index(row, c).data(COPY_ROLE)) for c in columns))
    return "\n".join(lines) + "\n"
