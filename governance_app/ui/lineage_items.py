"""The items of the lineage drawing: a node box with a kind glyph and status, an arrowed edge.

A lineage graph can hold thousands of nodes, and the whole scene is painted when it is zoomed
out to fit, so the items are cheap by construction:

* everything a paint needs that does not depend on the zoom (pens, brushes, glyph paths,
  fonts) is built once per palette in :class:`LineageStyle` and shared by every item;
* a node paints by *level of detail*: below :data:`TEXT_LOD` only its box (no text, whose
  layout is the expensive part), and its elided label is computed once, on first need;
* edges are plain ``QGraphicsPathItem`` objects whose open arrowhead is part of the path, so
  Qt paints them in C++ with no Python call per frame.

Status is never colour alone (UI.md): a failed run has a ``#D55E00`` border *and* the word
"FAILED"; every other run names its state in words too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from governance_app.domain.lineage import LineageGraph, LineageNode, NodeKind, run_name

NODE_HEIGHT = 46.0
MIN_WIDTH, MAX_WIDTH = 110.0, 320.0
CHAR_WIDTH = 7.0
"""Width per label character the layout reserves; the label is elided to fit the box."""
TEXT_LOD = 0.45
"""Below this scale a node is drawn as a box only: text would be unreadable anyway."""
FAIL_COLOUR = "#D55E00"
UPSTREAM_COLOUR = "#0072B2"
DOWNSTREAM_COLOUR = "#CC79A7"
STATUS_COLOURS = {
    "COMPLETE": "#009E73",
    "FAIL": FAIL_COLOUR,
    "RUNNING": "#E69F00",
    "START": "#E69F00",
    "ABORT": "#999999",
    "FAILED": FAIL_COLOUR,
}
STATUS_WORDS = {"COMPLETE": "complete", "FAIL": "FAILED", "RUNNING": "running",
                "START": "running", "ABORT": "aborted", "FAILED": "FAILED",
                "SUCCEEDED": "succeeded", "CACHED": "cached", "SKIPPED": "skipped",
                "CANCELED": "cancelled", "FROZEN": "frozen"}
# Vertex AI task states and W&B run ends without a lineage word of their own (issue 17).
STATUS_WORDS.update({"NOT_TRIGGERED": "not triggered", "KILLED": "killed"})
KIND_WORDS = {NodeKind.DATASET: "dataset", NodeKind.JOB: "job", NodeKind.RUN: "run",
              NodeKind.MODEL_VERSION: "model version", NodeKind.NAMESPACE: "namespace",
              NodeKind.STAGE: "DVC stage", NodeKind.TASK: "task",
              NodeKind.ARTIFACT: "artifact"}
KIND_COLOURS = {NodeKind.DATASET: "#56B4E9", NodeKind.JOB: "#E69F00", NodeKind.RUN: "#999999",
                NodeKind.MODEL_VERSION: "#009E73", NodeKind.NAMESPACE: "#0072B2",
                NodeKind.STAGE: "#A6761D", NodeKind.TASK: "#56B4E9", NodeKind.ARTIFACT: "#999999"}


_NODE_FLAGS = (QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
               | QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
_NODE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
# Looked up once: reading a PySide enum member costs microseconds, and items are thousands.
_NO_PEN = Qt.PenStyle.NoPen
_ANTIALIAS = QPainter.RenderHint.Antialiasing
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class NodeState(IntEnum):
    """How a node relates to the current selection; the scene sets it, paint shows it."""

    NORMAL = 0
    SELECTED = 1
    UPSTREAM = 2
    DOWNSTREAM = 3
    DIMMED = 4


def display_label(node: LineageNode) -> str:
    """The box's title: the name; a run's MLflow run name, else its id shortened (UUIDs are
    long and alike at the start). The full id is in the details."""
    if named := run_name(node):
        return named
    if node.kind is NodeKind.RUN and len(node.name) > 16:
        return f"run {node.name[:8]}…{node.name[-4:]}"
    if node.kind is NodeKind.NAMESPACE:
        count = node.facets.get("collapsed", {}).get("count", 0)
        return f"{node.name} ({count})"
    return node.label


def node_width(node: LineageNode) -> float:
    """A width estimate for ``node`` without fonts (tests, benchmarks); see :func:`node_widths`."""
    return min(MAX_WIDTH, max(MIN_WIDTH, CHAR_WIDTH * len(display_label(node)) + 44.0))


def node_widths(nodes: Iterable[LineageNode], style: LineageStyle) -> dict[str, float]:
    """The box width of each node: room for its title and status line in the scene's fonts.

    Measured on the GUI thread before the layout runs, so the layout reserves exactly the
    width each box is drawn with; long names are elided in the middle at :data:`MAX_WIDTH`.
    """
    title, small = QFontMetricsF(style.title_font), QFontMetricsF(style.small_font)
    widths: dict[str, float] = {}
    for node in nodes:
        text = max(title.horizontalAdvance(display_label(node)) + 44.0,
                   small.horizontalAdvance(status_word(node)) + 30.0)
        widths[node.id] = min(MAX_WIDTH, max(MIN_WIDTH, text))
    return widths


def pipeline_task_summary(graph: LineageGraph) -> str:
    """`` · 2 FAILED tasks · 9 cached`` for the status line ("" without pipeline tasks)."""
    failed = cached = 0
    for node in graph.nodes.values():
        if node.kind is NodeKind.TASK:
            state = node.status.upper()
            failed += state == "FAILED"
            cached += state == "CACHED"
    text = f" · {failed} FAILED task{'s' if failed > 1 else ''}" if failed else ""
    return text + (f" · {cached} cached" if cached else "")


def status_word(node: LineageNode) -> str:
    """The second line of a box: kind and status in words (never colour alone)."""
    word = KIND_WORDS.get(node.kind) or str(node.kind)
    status = STATUS_WORDS.get(node.status.upper(), node.status.lower()) if node.status else ""
    return f"{word} · {status}" if status else word


def _glyph(kind: NodeKind) -> QPainterPath:
    """A 14×14 icon per kind: cylinder (dataset), cog-square (job), play (run), diamond (model)."""
    path = QPainterPath()
    if kind is NodeKind.DATASET:
        path.addEllipse(QRectF(0, 0, 14, 5))
        path.moveTo(0, 2.5)
        path.lineTo(0, 11.5)
        path.arcTo(QRectF(0, 9, 14, 5), 180, 180)
        path.lineTo(14, 2.5)
    elif kind is NodeKind.JOB:
        path.addRoundedRect(QRectF(1, 1, 12, 12), 2, 2)
        path.addEllipse(QPointF(7, 7), 2.5, 2.5)
    elif kind is NodeKind.RUN:
        path.moveTo(2, 0)
        path.lineTo(13, 7)
        path.lineTo(2, 14)
        path.closeSubpath()
    elif kind is NodeKind.STAGE:
        # A pipeline stage: three stacked bars, the steps a command runs through.
        for top in (1.0, 5.5, 10.0):
            path.addRect(QRectF(0, top, 14, 3))
    elif kind is NodeKind.TASK:
        # A pipeline task: a square with a corner arrow, a containerised step.
        path.addRect(QRectF(0, 3, 11, 11))
        path.moveTo(6, 8)
        path.lineTo(14, 0)
        path.moveTo(9, 0)
        path.lineTo(14, 0)
        path.lineTo(14, 5)
    elif kind is NodeKind.ARTIFACT:
        # A file with a folded corner: metrics, a model file.
        path.moveTo(1, 0)
        path.lineTo(9, 0)
        path.lineTo(13, 4)
        path.lineTo(13, 14)
        path.lineTo(1, 14)
        path.closeSubpath()
        path.moveTo(9, 0)
        path.lineTo(9, 4)
        path.lineTo(13, 4)
    elif kind is NodeKind.MODEL_VERSION:
        path.moveTo(7, 0)
        path.lineTo(14, 7)
        path.lineTo(7, 14)
        path.lineTo(0, 7)
        path.closeSubpath()
    else:
        path.addRect(QRectF(3, 0, 11, 9))
        path.addRect(QRectF(0, 4, 11, 10))
    return path


@dataclass
class LineageStyle:
    """Pens, brushes, fonts and glyphs for one palette, shared by every item of a scene."""

    fill: QBrush
    text: QColor
    subtle: QColor
    border: QPen
    fail_border: QPen
    selected_border: QPen
    upstream_border: QPen
    downstream_border: QPen
    match_border: QPen
    edge: QPen
    edge_up: QPen
    edge_down: QPen
    edge_dim: QPen
    title_font: QFont
    small_font: QFont
    kind_brushes: dict[NodeKind, QBrush]
    glyphs: dict[NodeKind, QPainterPath]

    @classmethod
    def from_palette(cls, palette: QPalette | None = None) -> LineageStyle:
        """The style for ``palette`` (default: the application's), light or dark."""
        palette = palette or QGuiApplication.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightnessF() < 0.5
        subtle = QColor(text)
        subtle.setAlphaF(0.7)
        edge_colour = QColor("#8a8a8a" if not dark else "#9a9a9a")

        def pen(colour: str | QColor, width: float, style=Qt.PenStyle.SolidLine,
                cosmetic: bool = False) -> QPen:
            # Edges get cosmetic pens (width in pixels): stroking thousands of long curves at
            # a scaled width is what made a zoomed-out repaint slow.
            p = QPen(QColor(colour), width, style)
            p.setCosmetic(cosmetic)
            p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setCapStyle(Qt.PenCapStyle.RoundCap)
            return p

        dim = QColor(edge_colour)
        dim.setAlphaF(0.18)
        title = QFont()
        title.setPointSizeF(9.5)
        title.setBold(True)
        small = QFont()
        small.setPointSizeF(8.0)
        return cls(
            fill=QBrush(base),
            text=text,
            subtle=subtle,
            border=pen(QColor("#7a7a7a"), 1.0),
            fail_border=pen(FAIL_COLOUR, 3.0),
            selected_border=pen(text, 3.5),
            upstream_border=pen(UPSTREAM_COLOUR, 2.5),
            downstream_border=pen(DOWNSTREAM_COLOUR, 2.5),
            match_border=pen("#E69F00", 2.5, Qt.PenStyle.DashLine),
            edge=pen(edge_colour, 1.2, cosmetic=True),
            edge_up=pen(UPSTREAM_COLOUR, 2.4, cosmetic=True),
            edge_down=pen(DOWNSTREAM_COLOUR, 2.4, cosmetic=True),
            edge_dim=pen(dim, 1.0, cosmetic=True),
            title_font=title,
            small_font=small,
            kind_brushes={k: QBrush(QColor(c)) for k, c in KIND_COLOURS.items()},
            glyphs={k: _glyph(k) for k in NodeKind},
        )


class NodeItem(QGraphicsItem):
    """One lineage node as a rounded, labelled box centred on its layout position.

    Args:
        node: the record drawn (shared with the graph, never changed here).
        style: the scene's shared :class:`LineageStyle`.
        width: the box width the layout reserved (:func:`node_widths`); estimated if None.
        parent: the scene's node layer (children of one parent hide and show together).
    """

    def __init__(self, node: LineageNode, style: LineageStyle, width: float | None = None,
                 parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.style = style
        self.state = NodeState.NORMAL
        self.matched = False
        self.width = width if width is not None else node_width(node)
        self._rect = QRectF(-self.width / 2, -NODE_HEIGHT / 2, self.width, NODE_HEIGHT)
        self._bounds = self._rect.adjusted(-3, -3, 3, 3)
        self._title: str | None = None
        self._subtitle: str | None = None
        self.failed = node.status.upper() in ("FAIL", "FAILED")
        self.setFlags(_NODE_FLAGS)
        self.setCacheMode(_NODE_CACHE)
        self.setZValue(1)
        self.setToolTip(f"{status_word(node)}\n{node.id}")

    @property
    def node_id(self) -> str:
        return self.node.id

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def set_state(self, state: NodeState) -> None:
        """Show how the node relates to the selection; repaints only on a change."""
        if state != self.state:
            self.state = state
            self.update()

    def set_matched(self, matched: bool) -> None:
        """Outline the node as a search match."""
        if matched != self.matched:
            self.matched = matched
            self.update()

    def _border(self) -> QPen:
        s = self.style
        if self.state is NodeState.SELECTED or self.isSelected():
            return s.selected_border
        if self.failed:
            return s.fail_border
        if self.matched:
            return s.match_border
        if self.state is NodeState.UPSTREAM:
            return s.upstream_border
        if self.state is NodeState.DOWNSTREAM:
            return s.downstream_border
        return s.border

    def _texts(self) -> tuple[str, str]:
        if self._title is None:
            s = self.style
            # The same room node_widths() reserved: glyph + padding, and the status dot.
            self._title = QFontMetricsF(s.title_font).elidedText(
                display_label(self.node), Qt.TextElideMode.ElideMiddle, self.width - 40)
            self._subtitle = QFontMetricsF(s.small_font).elidedText(
                status_word(self.node), Qt.TextElideMode.ElideRight, self.width - 28)
        return self._title, self._subtitle or ""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        s = self.style
        kind = self.node.kind
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.state is NodeState.DIMMED:
            painter.setOpacity(0.22)
        rect = self._rect
        if lod < TEXT_LOD:
            # Far away: a box in the kind's colour, the failed border kept (it must stand out).
            painter.setPen(s.fail_border if self.failed else _NO_PEN)
            painter.setBrush(s.kind_brushes[kind])
            painter.drawRect(rect)
            return
        painter.setRenderHint(_ANTIALIAS, True)
        painter.setPen(self._border())
        painter.setBrush(s.fill)
        painter.drawRoundedRect(rect, 7, 7)
        if self.failed and self._border() is not s.fail_border:
            # Selected or highlighted, a failed run keeps its orange inside the other border.
            painter.setPen(s.fail_border)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(3.5, 3.5, -3.5, -3.5), 5, 5)
        # The kind's colour as a stripe on the left and as the glyph's fill.
        stripe = QRectF(rect.left() + 1.5, rect.top() + 6, 4, rect.height() - 12)
        painter.setPen(_NO_PEN)
        painter.setBrush(s.kind_brushes[kind])
        painter.drawRoundedRect(stripe, 2, 2)
        painter.save()
        painter.translate(rect.left() + 12, rect.top() + 8)
        painter.setPen(QPen(s.text, 1.0))
        painter.drawPath(s.glyphs[kind])
        painter.restore()
        title, subtitle = self._texts()
        painter.setPen(s.text)
        painter.setFont(s.title_font)
        painter.drawText(QRectF(rect.left() + 31, rect.top() + 4, rect.width() - 36, 20),
                         _LEFT, title)
        painter.setFont(s.small_font)
        colour = STATUS_COLOURS.get(self.node.status.upper())
        painter.setPen(QColor(colour) if self.failed else s.subtle)
        if self.failed:
            bold = QFont(s.small_font)
            bold.setBold(True)
            painter.setFont(bold)
        painter.drawText(QRectF(rect.left() + 12, rect.top() + 24, rect.width() - 18, 18),
                         _LEFT, subtitle)
        if colour and not self.failed:
            painter.setPen(_NO_PEN)
            painter.setBrush(QColor(colour))
            painter.drawEllipse(QPointF(rect.right() - 10, rect.top() + 33), 3.5, 3.5)


def edge_path(points: list[tuple[float, float]], source_y: float, target_y: float,
              arrow: float = 7.0) -> QPainterPath:
    """A smooth route through the layout's points, clipped to the boxes, with an open arrowhead.

    The first point is moved to the source box's edge and the last to the target's (up or
    down, so a reversed edge points upwards); between points the curve leaves and enters
    vertically, which reads as flow between layers.
    """
    pts = [QPointF(x, y) for x, y in points]
    half = NODE_HEIGHT / 2
    down = target_y >= source_y
    pts[0] = QPointF(pts[0].x(), source_y + (half if down else -half))
    pts[-1] = QPointF(pts[-1].x(), target_y - (half + 1 if down else -half - 1))
    path = QPainterPath(pts[0])
    for a, b in zip(pts, pts[1:], strict=False):
        mid = (a.y() + b.y()) / 2
        path.cubicTo(QPointF(a.x(), mid), QPointF(b.x(), mid), b)
    # Every curve arrives vertically (its last control point is straight above or below the
    # tip), so the arrowhead needs no tangent computation.
    tip = pts[-1]
    back = -arrow if down else arrow
    path.moveTo(tip.x() - arrow * 0.55, tip.y() + back)
    path.lineTo(tip)
    path.lineTo(tip.x() + arrow * 0.55, tip.y() + back)
    return path


class EdgeItem(QGraphicsPathItem):
    """A directed edge, painted by Qt itself (no Python paint).

    Its pen never changes after it joins the scene: ``setPen`` re-indexes the item, which over
    thousands of edges turns a click into half a second. The scene shows a highlight by
    dimming the whole edge layer and overlaying copies of the highlighted edges instead;
    :attr:`state` records which this edge is.
    """

    def __init__(self, source: str, target: str, kind: str, path: QPainterPath,
                 style: LineageStyle, parent: QGraphicsItem | None = None) -> None:
        super().__init__(path)
        self.source = source
        self.target = target
        self.kind = kind
        self.state = NodeState.NORMAL
        self.setPen(style.edge)  # before joining the scene, where it would cost an index update
        if parent is not None:
            self.setParentItem(parent)
