"""The far-out picture of a large lineage graph, painted in a handful of bulk calls per frame.

Zoomed out over 5,000 nodes, every box is a few pixels and every label unreadable, yet a
scene of individual items still pays one Python ``paint()`` per node per frame. Below
:data:`OVERVIEW_LOD` the scene therefore hides its node and edge layers and shows this single
item instead: all edges as one precomputed path, all boxes as rectangle lists grouped by how
they look (kind, highlight state, failed). Its buckets are rebuilt when the highlight
changes, which is a click, never a frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from governance_app.ui.lineage_items import (
    DOWNSTREAM_COLOUR,
    FAIL_COLOUR,
    UPSTREAM_COLOUR,
    EdgeItem,
    LineageStyle,
    NodeItem,
    NodeState,
)

OVERVIEW_LOD = 0.2
"""Below this scale (boxes under ~9 pixels high) the overview replaces the items."""
_DIM_OPACITY = 0.22


def _cosmetic(colour: str | QColor, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    return pen


def _mixed(colour: QColor, background: QColor, share: float) -> QColor:
    """``colour`` at ``share`` opacity over ``background``, as one opaque colour."""
    return QColor.fromRgbF(*(share * a + (1 - share) * b for a, b in (
        (colour.redF(), background.redF()), (colour.greenF(), background.greenF()),
        (colour.blueF(), background.blueF()))))


class LayerItem(QGraphicsItem):
    """An invisible parent: hiding it hides thousands of children in one call."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        return


class OverviewItem(QGraphicsItem):
    """Every box and edge of the scene, drawn as a few bulk operations.

    Args:
        rect: the drawing's extent (the scene rectangle).
        edges: the edge items, whose paths are merged once.
        style: the scene's style, for the kind colours.
    """

    def __init__(self, rect: QRectF, edges: Iterable[EdgeItem], style: LineageStyle) -> None:
        super().__init__()
        self._rect = QRectF(rect)
        self.style = style
        self.edges_path = QPainterPath()
        self.add_edges(edges)
        self.edge_pen = _cosmetic(style.edge.color(), 1.0)
        # The dimmed edges' colour is mixed with the background here rather than drawn
        # translucent: Qt strokes a translucent pen through its slow path (no pixel may be
        # blended twice), which took 5 s for the 24,000 curves of a 5,000-task Kubeflow run.
        self.dim_pen = _cosmetic(_mixed(style.edge.color(), style.fill.color(), 0.15), 1.0)
        # One-pixel cosmetic pens take Qt's fast hairline path; wider ones stroke slowly.
        self.state_pens = {
            NodeState.SELECTED: _cosmetic(style.text, 3.0),
            NodeState.UPSTREAM: _cosmetic(UPSTREAM_COLOUR, 1.0),
            NodeState.DOWNSTREAM: _cosmetic(DOWNSTREAM_COLOUR, 1.0),
        }
        self.fail_pen = _cosmetic(FAIL_COLOUR, 2.0)
        self.highlighting = False
        self.buckets: list[tuple[QPen | Qt.PenStyle, QBrush, float, list[QRectF]]] = []
        self.highlighted_edges: list[tuple[QPen, QPainterPath]] = []
        self.setVisible(False)
        self.setZValue(2)

    def add_edges(self, edges: Iterable[EdgeItem]) -> None:
        """Merge more edges into the one path drawn far out (the scene adds them in chunks)."""
        for edge in edges:
            self.edges_path.addPath(edge.path())

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        # A click on a box far out zooms to it and selects it; elsewhere the view pans.
        scene = self.scene()
        node_id = scene.node_at(event.scenePos()) if scene is not None else None
        if node_id is None:
            event.ignore()
            return
        event.accept()
        scene.jump_to(node_id)

    def refresh(self, nodes: Iterable[NodeItem], edges: Iterable[EdgeItem],
                highlighting: bool) -> None:
        """Regroup the boxes by look and collect highlighted edges (after a click)."""
        groups: dict[tuple, list[QRectF]] = {}
        for item in nodes:
            state = item.state if highlighting else NodeState.NORMAL
            failed = item.failed and state is not NodeState.SELECTED
            key = (item.node.kind, state, failed)
            groups.setdefault(key, []).append(item.sceneBoundingRect())
        self.buckets = []
        for (kind, state, failed), rects in groups.items():
            pen = self.fail_pen if failed else self.state_pens.get(state, Qt.PenStyle.NoPen)
            opacity = _DIM_OPACITY if state is NodeState.DIMMED else 1.0
            self.buckets.append((pen, self.style.kind_brushes[kind], opacity, rects))
        # Highlighted boxes last, so they are drawn over dimmed ones.
        self.buckets.sort(key=lambda b: b[2])
        self.highlighting = highlighting
        # One path per highlight colour: thousands of highlighted edges, two draw calls.
        merged = {NodeState.UPSTREAM: QPainterPath(), NodeState.DOWNSTREAM: QPainterPath()}
        if highlighting:
            for edge in edges:
                if edge.state in merged:
                    merged[edge.state].addPath(edge.path())
        self.highlighted_edges = [(self.state_pens[state], path)
                                  for state, path in merged.items() if not path.isEmpty()]
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self.dim_pen if self.highlighting else self.edge_pen)
        painter.drawPath(self.edges_path)
        for pen, path in self.highlighted_edges:
            painter.setPen(pen)
            painter.drawPath(path)
        for pen, brush, opacity, rects in self.buckets:
            painter.setOpacity(opacity)
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawRects(rects)
