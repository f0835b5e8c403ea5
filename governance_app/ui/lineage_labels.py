"""Labels that keep the selected path readable at any zoom.

Zoomed out (below :data:`~governance_app.ui.lineage_items.TEXT_LOD`), boxes draw no text and
a fitted graph of a hundred nodes is a field of coloured blocks. The nodes a reviewer is
looking at, the selection and its upstream and downstream, keep their names here: one label
per node, drawn at a constant screen size (the item ignores the view's scale) on a plain
background, centred on its box. The other boxes stay unlabelled (their names are elided).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from governance_app.domain.lineage import LineageNode
from governance_app.ui.lineage_items import LineageStyle, display_label

MAX_PATH_LABELS = 120
"""At most this many labels (the selection first, then its nearest neighbours in the drawing):
beyond that, labels would cover each other."""
LABEL_CHARS = 28
"""A label longer than this keeps its head and tail."""


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """``text`` cut in the middle to ``limit`` characters (names differ at both ends)."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    return text[: keep - keep // 2] + "…" + text[-(keep // 2):]


class PathLabel(QGraphicsItem):
    """One node's name at a fixed screen size, on a background, centred on its box."""

    def __init__(self, node: LineageNode, style: LineageStyle, colour: QColor,
                 bold: bool = False, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.node_id = node.id
        self.text = short(display_label(node))
        self.font = QFont(style.small_font)
        self.font.setBold(bold)
        self.style = style
        self.colour = colour
        metrics = QFontMetricsF(self.font)
        width, height = metrics.horizontalAdvance(self.text) + 8, metrics.height() + 2
        self._rect = QRectF(-width / 2, -height / 2, width, height)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks reach the box below

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        background = QColor(self.style.fill.color())
        background.setAlphaF(0.88)
        painter.setPen(QPen(self.colour, 1.2))
        painter.setBrush(background)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setPen(self.style.text)
        painter.setFont(self.font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)
