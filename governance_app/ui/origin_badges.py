"""Where each version came from, shown as a small letter badge and the source's own id.

The badges are SVG files in ``resources/icons/origins/`` (letters on Okabe–Ito colours, no
platform marks). Where Qt has no SVG icon engine (a trimmed frozen build), the same badge is
painted, so a version never loses its origin mark. :class:`OriginVersionTableModel` is the
versions table with an Origin column whose tooltip names the platform's id of the version.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from governance_app.domain.cloud import VersionOrigin, origin_label
from governance_app.domain.registry import ModelVersion
from governance_app.ui.item_models import COPY_ROLE, MISSING, SORT_ROLE, Column
from governance_app.ui.registry_models import VersionTableModel

BADGES = {"mlflow": ("#0072B2", "M"), "sagemaker": ("#E69F00", "S"), "vertex": ("#009E73", "V"),
          "wandb": ("#CC79A7", "W"), "kubeflow": ("#56B4E9", "K"), "dvc": ("#D55E00", "D"),
          "bundle": ("#999999", "B"), "unknown": ("#BBBBBB", "?")}
"""Origin key → (badge colour, letter); the SVG files draw the same."""

TOOLTIP_DETAILS = (("run_id", "run"), ("task", "task"), ("model_version", "version label"),
                   ("stage", "stage"), ("path", "output"), ("md5", "MD5"))
"""Details of an origin the tooltip names when present (MLflow run, KFP task and label, DVC
stage and output)."""


@cache
def origin_icon(origin: str) -> QIcon:
    """The badge of an origin key (``unknown`` for keys without one)."""
    key = origin if origin in BADGES else "unknown"
    svg = resources.files("governance_app.resources") / "icons" / "origins" / f"{key}.svg"
    icon = QIcon(str(svg)) if svg.is_file() else QIcon()
    if icon.isNull() or not icon.availableSizes() and icon.pixmap(16, 16).isNull():
        icon = QIcon(_painted_badge(*BADGES[key]))
    return icon


def _painted_badge(colour: str, letter: str, size: int = 16) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("#333333"))
    painter.drawRoundedRect(QRect(0, 0, size - 1, size - 1), 3, 3)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.7))
    painter.setFont(font)
    painter.setPen(QColor("#000000" if colour in ("#E69F00", "#56B4E9", "#BBBBBB") else "#FFFFFF"))
    painter.drawText(QRect(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
    painter.end()
    return pixmap


def origin_tooltip(origin: VersionOrigin | None) -> str:
    """The platform and its own id of the version, and its read-only decision if any."""
    if origin is None:
        return "Origin not recorded (imported before origins were kept, or by a source that " \
               "does not name one)"
    lines = [f"{origin_label(origin.origin)}: {origin.source_id}"]
    if origin.model_source_id:
        lines.append(f"model: {origin.model_source_id}")
    details = origin.details if isinstance(origin.details, dict) else {}
    for key, label in TOOLTIP_DETAILS:
        if details.get(key) not in (None, ""):
            lines.append(f"{label}: {details[key]}")
    if origin.external_decision:
        lines.append(f"{origin_label(origin.origin)} says {origin.external_decision} "
                     "(read-only; the board's review decides)")
    return "\n".join(lines)


class OriginVersionTableModel(VersionTableModel):
    """The versions table with an Origin column: badge, platform name, source id in tooltip."""

    columns = [*VersionTableModel.columns, Column("Origin", lambda v: "")]
    ORIGIN_COLUMN = len(VersionTableModel.columns)

    def __init__(self, rows: Any = (), parent: Any = None) -> None:
        super().__init__(rows, parent)
        self._origins: dict[int, VersionOrigin] = {}

    def set_origins(self, origins: dict[int, VersionOrigin]) -> None:
        """Origins by version number, for the rows shown (missing: origin not recorded)."""
        self.beginResetModel()
        self._origins = dict(origins)
        self.endResetModel()

    def origin_of(self, version: int) -> VersionOrigin | None:
        return self._origins.get(version)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != self.ORIGIN_COLUMN or not (
                0 <= index.row() < len(self._rows)):
            return super().data(index, role)
        row: ModelVersion = self._rows[index.row()]
        origin = self._origins.get(row.version)
        label = origin_label(origin.origin) if origin else MISSING
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return label
        if role == COPY_ROLE:
            return origin.source_id if origin else MISSING
        if role == Qt.ItemDataRole.ToolTipRole:
            return origin_tooltip(origin)
        if role == Qt.ItemDataRole.DecorationRole:
            return origin_icon(origin.origin if origin else "unknown")
        return super().data(index, role)
