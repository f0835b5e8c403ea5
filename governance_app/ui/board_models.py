"""Worker targets and the item model of the board's root history (Audit view).

The targets are Qt-free functions of plain values (a workspace URL, names, a passphrase) that
open their own workspace, so they run on the thread pool; the table model shows
:class:`~governance_app.services.board.RootVersionRow` values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from governance_app.services import board, board_history
from governance_app.services.board import ActResult
from governance_app.services.board_history import RootVersionRow
from governance_app.services.workspace import Workspace
from governance_app.ui.item_models import format_local_time

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Version", "Change", "Signed by", "When", "Digest", "Event")


def load_root_history(url: str) -> list[RootVersionRow]:
    with Workspace.open(url, upgrade=False) as ws:
        return board_history.root_history(ws)


def found_task(url: str, name: str, key_file: str, passphrase: str) -> ActResult:
    with Workspace.open(url, upgrade=False) as ws:
        return board.found(ws, name, passphrase, key_file=Path(key_file) if key_file else None)


def admit_task(url: str, name: str, fingerprint: str, chair: str, passphrase: str
               ) -> ActResult:
    with Workspace.open(url, upgrade=False) as ws:
        return board.admit(ws, name, fingerprint, chair, passphrase)


def revoke_task(url: str, name: str, reason: str, chair: str, passphrase: str) -> ActResult:
    with Workspace.open(url, upgrade=False) as ws:
        return board.revoke(ws, name, reason, chair, passphrase)


def policy_task(url: str, path: str, chair: str, passphrase: str) -> Any:
    with Workspace.open(url, upgrade=False) as ws:
        return board.add_policy(ws, Path(path), chair, passphrase)[2]


class RootHistoryTableModel(QAbstractTableModel):
    """The root versions, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RootVersionRow] = []

    def set_rows(self, rows: list[RootVersionRow]) -> None:
        self.beginResetModel()
        self._rows = list(reversed(rows))
        self.endResetModel()

    def rows(self) -> list[RootVersionRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"v{row.version}", row.change, row.signer, format_local_time(row.signed_at),
                    row.digest[:16] + "…", f"#{row.seq}")[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return row.digest
        return None
