"""The lineage scene (items placed by a layered layout) and the view that zooms and pans it.

The scene is built once per laid-out graph; everything after that (selecting, highlighting
upstream and downstream, search matches) changes item *states*, never items. Closures come from
:class:`~governance_app.analytics.lineage_graph.LineageIndex`, so a click costs a few numpy
operations plus one state change per item that actually changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from governance_app.analytics.layered_layout import Layout
from governance_app.analytics.lineage_graph import LineageIndex
from governance_app.domain.lineage import LineageEdge, LineageGraph
from governance_app.ui.lineage_items import (
    MAX_WIDTH,
    NODE_HEIGHT,
    TEXT_LOD,
    EdgeItem,
    LineageStyle,
    NodeItem,
    NodeState,
    edge_path,
)
from governance_app.ui.lineage_labels import MAX_PATH_LABELS, PathLabel
from governance_app.ui.lineage_overview import OVERVIEW_LOD, LayerItem, OverviewItem

MIN_SCALE, MAX_SCALE = 0.01, 4.0
ZOOM_STEP = 1.25
SCENE_MARGIN = 40.0
_ANTIALIAS = QPainter.RenderHint.Antialiasing
BUILD_CHUNK = 200
"""Items made per step of :meth:`LineageScene.build_steps` (a few milliseconds' work)."""
MAX_INDEXED_ITEMS = 12_000
"""Above this many items the scene keeps no BSP index: long edges span much of a big
drawing and sit in most of the tree's cells, so building the tree froze the window for ~2 s
on a 5,000-task Kubeflow run, while a linear scan of 34,000 bounding boxes costs a few
milliseconds per repaint."""
_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _layout_rect(layout: Layout, widths: dict[str, float],
                 extent: tuple[float, float, float, float] | None = None) -> QRectF:
    """The drawing's extent from the layout alone (``itemsBoundingRect`` visits every item);
    ``extent`` is :func:`~governance_app.ui.lineage_tasks.layout_extent`, if known."""
    if not layout.positions:
        return QRectF()
    if extent is None:
        from governance_app.ui.lineage_tasks import layout_extent

        extent = layout_extent(layout)
    assert extent is not None
    left, top, right, bottom = extent
    half = max(widths.values(), default=MAX_WIDTH) / 2
    return QRectF(left - half, top - NODE_HEIGHT, right - left + 2 * half,
                  bottom - top + 2 * NODE_HEIGHT)


class HighlightPath(QGraphicsItem):
    """A path drawn in one pen: a highlighted edge, or every edge dimmed (merged).

    Its bounds are the path's control points (plus the pen): ``QGraphicsPathItem`` strokes
    the whole path to find them, which for thousands of long curves took seconds.
    """

    def __init__(self, path: QPainterPath, pen: QPen, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.path, self.pen = path, pen
        self._bounds = path.controlPointRect().adjusted(-4, -4, 4, 4)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,  # noqa: D102
              widget: QWidget | None = None) -> None:
        painter.setPen(self.pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)


class LineageScene(QGraphicsScene):
    """Node and edge items of one laid-out graph, with selection-driven highlighting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = LineageGraph()
        self.index = LineageIndex(self.graph)
        self.style = LineageStyle.from_palette()
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: list[EdgeItem] = []
        self.highlighted: str | None = None
        self.overview: OverviewItem | None = None
        self.overview_on = False
        self.upstream_ids: set[str] = set()
        self.downstream_ids: set[str] = set()
        # A static picture: the BSP index makes "what is exposed" cheap at any zoom.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.reset()

    def build(self, graph: LineageGraph, layout: Layout, widths: dict[str, float] | None = None,
              style: LineageStyle | None = None, index: LineageIndex | None = None) -> None:
        """Replace the drawing with ``graph`` placed by ``layout``, all at once.

        Args:
            graph: what to draw.
            layout: where (positions and edge routes of every node and edge of ``graph``).
            widths: each box's width as the layout reserved it (:func:`node_widths`).
            style: pens and fonts; the application palette's by default.
            index: ``graph``'s :class:`LineageIndex` if already built (the worker builds it).
        """
        for _ in self.build_steps(graph, layout, widths, style, index):
            pass

    def build_steps(self, graph: LineageGraph, layout: Layout,
                    widths: dict[str, float] | None = None, style: LineageStyle | None = None,
                    index: LineageIndex | None = None,
                    chunk: int = BUILD_CHUNK,
                    extent: tuple[float, float, float, float] | None = None,
                    ) -> Iterator[tuple[int, int]]:
        """:meth:`build` a few hundred items at a time, yielding ``(done, total)`` between.

        A QGraphicsItem belongs to the GUI thread once it is in a scene, so the items of a
        10,000-node graph cannot be made in a worker; made in one go they freeze the window
        for seconds. Edges are counted by their route's points (a long edge's curve costs
        more than a box). :class:`~governance_app.ui.lineage_scene_builder.SceneBuilder` runs this
        from the event loop in slices of a few milliseconds. Until the last step the scene
        keeps no index (adding to a BSP tree item by item rebuilds it over and over) and its
        layers are hidden, so a repaint meanwhile costs nothing; closing the generator early
        leaves an empty scene.
        """
        self.reset()
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        finished = False
        try:
            self.style = style = style or LineageStyle.from_palette()
            widths = widths or {}
            self.graph = graph
            positions = layout.positions
            pairs = self._edge_routes(graph, layout)
            total = len(graph.nodes) + 2 * len(pairs) + 2
            done = 0
            self.index = index if index is not None else LineageIndex(graph)
            done += 1
            yield done, total
            for layer in (self.edge_layer, self.node_layer):
                layer.setVisible(False)
            self.setSceneRect(_layout_rect(layout, widths, extent).adjusted(
                -SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))
            # Items are children of layers (and join the scene with them), so the far-out
            # overview hides thousands of them in one call.
            node_layer = self.node_layer
            for part in _chunks(list(graph.nodes.items()), chunk):
                for node_id, node in part:
                    x, y = positions[node_id]
                    item = NodeItem(node, style, widths.get(node_id), node_layer)
                    item.setPos(x, y)
                    self.node_items[node_id] = item
                done += len(part)
                yield done, total
            self._box_ids = list(self.node_items)
            self._boxes = np.array([(*positions[i], self.node_items[i].width / 2)
                                    for i in self._box_ids], dtype=np.float64).reshape(-1, 3)
            edge_layer = self.edge_layer
            points = 0
            for edge, route in pairs:
                path = edge_path(route, positions[edge.source][1], positions[edge.target][1])
                item = EdgeItem(edge.source, edge.target, edge.kind, path, style, edge_layer)
                # Qt finds a path item's bounds by stroking its outline, once, when it is
                # first needed: here, in this slice, not all together on the next repaint.
                item.boundingRect()
                self.edge_items.append(item)
                done += 1
                points += len(route)
                if points >= chunk:
                    points = 0
                    yield done, total
            points = 0
            self.overview = overview = OverviewItem(self.sceneRect(), (), style)
            for item in self.edge_items:
                overview.add_edges((item,))
                done += 1
                points += item.path().elementCount()
                if points >= chunk * 12:
                    points = 0
                    yield done, total
            self.addItem(overview)
            overview.refresh(self.node_items.values(), self.edge_items, False)
            self.overview_on = False
            for layer in (self.edge_layer, self.node_layer):
                layer.setVisible(True)
            if len(self.node_items) + len(self.edge_items) <= MAX_INDEXED_ITEMS:
                self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
            finished = True
            yield total, total
        finally:
            if not finished:  # cancelled (the generator closed) or failed: nothing half-drawn
                self.reset()
                self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)

    @staticmethod
    def _edge_routes(graph: LineageGraph,
                     layout: Layout) -> list[tuple[LineageEdge, list[tuple[float, float]]]]:
        """Each drawn edge once (one per source and target), with its layout route."""
        seen: set[tuple[str, str]] = set()
        pairs = []
        for edge in graph.edges:
            pair = (edge.source, edge.target)
            route = layout.edge_routes.get(pair)
            if pair in seen or route is None or len(route) < 2:
                continue
            seen.add(pair)
            pairs.append((edge, route))
        return pairs

    def reset(self) -> None:
        """Remove every item (an empty graph, or before a rebuild)."""
        self.clear()
        self.node_items, self.edge_items = {}, []
        self.overview, self.overview_on = None, False
        self._overlay: list[HighlightPath] = []
        self._dimmed = False
        self._box_ids: list[str] = []
        self._boxes = np.empty((0, 3))
        self.edge_layer, self.overlay_layer, self.node_layer = LayerItem(), LayerItem(), LayerItem()
        # Above everything, even the far-out overview: the selected path's names.
        self.label_layer = LayerItem()
        self.label_layer.setZValue(10)
        self.label_layer.setVisible(False)
        for z, layer in enumerate((self.edge_layer, self.overlay_layer, self.node_layer)):
            layer.setZValue(z)
            self.addItem(layer)
        self.addItem(self.label_layer)
        self._labels: list[PathLabel] = []
        self._label_scale = 1.0
        self._kept: str | None = None
        self.highlighted = None
        self.upstream_ids, self.downstream_ids = set(), set()

    def set_overview(self, on: bool) -> None:
        """Show the bulk-painted overview instead of the items (far out), or the items.

        The selection survives: hiding a selected item makes Qt deselect it, so the selected
        node is kept aside (:meth:`selected_node_id` still answers it) and selected again when
        the items come back, without a selection-changed signal in between.
        """
        if on == self.overview_on or self.overview is None:
            return
        kept = self.selected_node_id()
        self.blockSignals(True)
        try:
            self.overview_on = on
            for layer in (self.node_layer, self.overlay_layer):
                layer.setVisible(not on)
            self.edge_layer.setVisible(not on and not self._dimmed)
            self.overview.setVisible(on)
            self._kept = kept if on else None
            if not on and kept in self.node_items:
                self.node_items[kept].setSelected(True)
        finally:
            self.blockSignals(False)

    def set_path_labels(self, on: bool, scale: float = 1.0) -> None:
        """Show the selected path's names (zoomed out, where boxes draw no text), without
        overlaps at ``scale``: the selection's first, then the nearest; a label that would
        cover one already placed is left out (its box keeps its colour)."""
        self.label_layer.setVisible(on)
        self._label_scale = scale
        if not on:
            return
        placed: list[QRectF] = []
        for label in self._labels:  # in priority order
            box = label.boundingRect()
            rect = QRectF(label.pos().x() + box.x() / scale, label.pos().y() + box.y() / scale,
                          box.width() / scale, box.height() / scale)
            free = not any(rect.intersects(other) for other in placed)
            label.setVisible(free)
            if free:
                placed.append(rect)

    def node_at(self, point: QPointF, slack: float = 6.0) -> str | None:
        """The node whose box contains ``point`` (give or take ``slack``), found with numpy.

        The far-out overview has no items to click, so it asks this instead.
        """
        if not self._box_ids:
            return None
        x, y = point.x(), point.y()
        hit = np.flatnonzero((np.abs(self._boxes[:, 0] - x) <= self._boxes[:, 2] + slack)
                             & (np.abs(self._boxes[:, 1] - y) <= NODE_HEIGHT / 2 + slack))
        if not hit.size:
            return None
        nearest = hit[np.argmin(np.hypot(self._boxes[hit, 0] - x, self._boxes[hit, 1] - y))]
        return self._box_ids[int(nearest)]

    def jump_to(self, node_id: str) -> None:
        """Centre every view on ``node_id`` at a readable scale, then select it."""
        for view in self.views():
            if isinstance(view, LineageGraphicsView):
                view.centre_on_node(node_id)
        self.select_node(node_id)

    def item_for(self, node_id: str) -> NodeItem | None:
        return self.node_items.get(node_id)

    def selected_node_id(self) -> str | None:
        """The one selected node's id, if any (kept while the overview hides the items)."""
        items = [i for i in self.selectedItems() if isinstance(i, NodeItem)]
        if items:
            return items[0].node_id
        return self._kept if self.overview_on else None

    def select_node(self, node_id: str | None) -> None:
        """Select ``node_id`` alone (``None`` clears); selection drives the highlight."""
        item = self.node_items.get(node_id) if node_id else None
        self._kept = None
        self.clearSelection()
        if item is not None and self.overview_on:
            # Far out the items are hidden, and Qt ignores selecting a hidden item: the node
            # is kept aside as set_overview() does, and selected when the items come back.
            self._kept = node_id
            self.selectionChanged.emit()
        elif item is not None:
            item.setSelected(True)

    def highlight(self, node_id: str | None) -> None:
        """Colour the upstream and downstream of ``node_id`` and dim everything else.

        ``None`` (or an id not drawn) returns every item to normal.
        """
        if node_id not in self.node_items:
            node_id = None
        self.highlighted = node_id
        for item in self._overlay:
            self.removeItem(item)
        self._overlay = []
        self._label_path(node_id)
        if node_id is None:
            self.upstream_ids, self.downstream_ids = set(), set()
            for item in self.node_items.values():
                item.set_state(NodeState.NORMAL)
            for edge in self.edge_items:
                edge.state = NodeState.NORMAL
            self._dim_edges(False)
            self._refresh_overview()
            return
        up = self.upstream_ids = self.index.upstream(node_id)
        down = self.downstream_ids = self.index.downstream(node_id)
        for i, item in self.node_items.items():
            item.set_state(NodeState.SELECTED if i == node_id else NodeState.UPSTREAM if i in up
                           else NodeState.DOWNSTREAM if i in down else NodeState.DIMMED)
        # An edge is on the upstream when it ends in the selection's ancestry, and likewise.
        up_ends, down_starts = up | {node_id}, down | {node_id}
        pens = {NodeState.UPSTREAM: self.style.edge_up, NodeState.DOWNSTREAM: self.style.edge_down}
        overlay = self.overlay_layer
        for edge in self.edge_items:
            if edge.source in up and edge.target in up_ends:
                edge.state = NodeState.UPSTREAM
            elif edge.source in down_starts and edge.target in down:
                edge.state = NodeState.DOWNSTREAM
            else:
                edge.state = NodeState.DIMMED
                continue
            # The highlighted edges are redrawn over the dimmed ones, in their colour.
            self._overlay.append(HighlightPath(edge.path(), pens[edge.state], overlay))
        self._dim_edges(True)
        self._refresh_overview()

    def _dim_edges(self, on: bool) -> None:
        """Show every edge dimmed under the highlighted ones (or each in its own colour).

        Dimmed edges are the overview's one merged path in an opaque pale pen, drawn below
        the highlight, while the edge items are hidden: drawing 24,000 items through a
        translucent layer took Qt's slow blending path, 5 s per repaint at 10,000 nodes.
        """
        self._dimmed = on
        self.edge_layer.setVisible(not on and not self.overview_on)
        if on and self.overview is not None:
            under = HighlightPath(self.overview.edges_path, self.overview.dim_pen,
                                  self.overlay_layer)
            under.setZValue(-1)
            self._overlay.append(under)

    def _label_path(self, node_id: str | None) -> None:
        """Name the selection and its upstream and downstream nodes (nearest first)."""
        for label in self._labels:
            self.removeItem(label)
        self._labels = []
        if node_id is None:
            return
        on_path = self.index.upstream(node_id) | self.index.downstream(node_id)
        centre = self.node_items[node_id].scenePos()
        ranked = sorted((i for i in on_path if i in self.node_items),
                        key=lambda i: (self.node_items[i].scenePos() - centre).manhattanLength())
        colours = {**dict.fromkeys(self.index.upstream(node_id), self.style.upstream_border),
                   **dict.fromkeys(self.index.downstream(node_id), self.style.downstream_border)}
        for i in [node_id, *ranked[: MAX_PATH_LABELS - 1]]:
            item = self.node_items[i]
            pen = colours.get(i, self.style.selected_border)
            label = PathLabel(item.node, self.style, pen.color(), bold=i == node_id,
                              parent=self.label_layer)
            label.setPos(item.scenePos())
            self._labels.append(label)
        if self.label_layer.isVisible():
            self.set_path_labels(True, self._label_scale)

    def _refresh_overview(self) -> None:
        if self.overview is not None:
            self.overview.refresh(self.node_items.values(), self.edge_items,
                                  self.highlighted is not None)

    def find(self, text: str) -> list[str]:
        """Ids of nodes whose name, namespace or id contains ``text`` (any case), outlined.

        Returned in reading order (top to bottom, left to right), so "next match" walks the
        drawing the way the eye does. An empty text clears the outlines.
        """
        needle = text.strip().lower()
        hits: list[str] = []
        for node_id, item in self.node_items.items():
            node = item.node
            hit = bool(needle) and (needle in node.name.lower() or needle in node_id.lower()
                                    or needle in node.namespace.lower())
            item.set_matched(hit)
            if hit:
                hits.append(node_id)
        hits.sort(key=lambda i: (self.node_items[i].y(), self.node_items[i].x()))
        return hits

    def nodes_rect(self, node_ids: Iterable[str] | None = None) -> QRectF:
        """The bounding rectangle of the given nodes (all when ``None``)."""
        items = (self.node_items.values() if node_ids is None
                 else [self.node_items[i] for i in node_ids if i in self.node_items])
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        return rect


class LineageGraphicsView(QGraphicsView):
    """Zoom with the wheel or keys, pan by dragging, fit with F; tells which node was right-clicked.

    Signals:
        sig_context_requested(node_id or "", global position): a right click, on a node or not.
        sig_zoomed(scale): the scale changed.
    """

    sig_context_requested = Signal(str, QPointF)
    sig_zoomed = Signal(float)

    def __init__(self, scene: LineageScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.lineage_scene = scene
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Lineage graph")
        self._fitted: tuple[QRectF, float] | None = None
        """The rectangle last fitted, kept until the user zooms or pans: a resize fits it
        again, so a window laid out after the first view still shows all of it."""

    def scale_factor(self) -> float:
        """The current zoom: 1.0 is one scene unit per pixel."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom by ``factor`` within the allowed range (anchored under the mouse for the wheel)."""
        self._fitted = None
        current = self.scale_factor()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        if target != current:
            self.scale(target / current, target / current)
            self._update_render_hints()
            self.sig_zoomed.emit(self.scale_factor())

    def zoom_in(self) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(ZOOM_STEP)
        self.setTransformationAnchor(anchor)

    def zoom_out(self) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(1 / ZOOM_STEP)
        self.setTransformationAnchor(anchor)

    def fit(self, rect: QRectF | None = None, *, max_scale: float = 1.2) -> None:
        """Show ``rect`` (default: every node) whole, without magnifying past ``max_scale``.

        Whole means inside the viewport *as it is once the scroll bars that the new scale
        brings have appeared*: ``fitInView`` measures the viewport before they take their
        room, which once left part of a version's path behind a scroll bar.
        """
        rect = rect if rect is not None and not rect.isEmpty() else self.lineage_scene.nodes_rect()
        if rect.isEmpty():
            return
        target = rect.adjusted(-20, -20, 20, 20)
        self.fitInView(target, Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_factor() > max_scale:
            self.scale(max_scale / self.scale_factor(), max_scale / self.scale_factor())
        self._centre_exactly(rect.center())
        # Scroll bars that the new scale brings (or drops) resize the viewport and move the
        # scene by a few pixels: step out a little until the rectangle is whole in sight.
        for _ in range(8):
            if self.visible_scene_rect().contains(rect) or self.scale_factor() <= MIN_SCALE:
                break
            self.scale(0.96, 0.96)
            self._centre_exactly(rect.center())
        self._fitted = (QRectF(rect), max_scale)
        self._update_render_hints()
        self.sig_zoomed.emit(self.scale_factor())

    def _centre_exactly(self, centre: QPointF) -> None:
        """Centre on ``centre`` even near the drawing's edge: the scene rectangle grows to
        hold the viewport around it (otherwise the view aligns the scene instead)."""
        half_w = self.viewport().width() / self.scale_factor() / 2
        half_h = self.viewport().height() / self.scale_factor() / 2
        room = QRectF(centre.x() - half_w, centre.y() - half_h, 2 * half_w, 2 * half_h)
        if not self.sceneRect().contains(room):
            self.setSceneRect(self.sceneRect().united(room))
        self.centerOn(centre)

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene the viewport shows."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fitted is not None:
            rect, max_scale = self._fitted
            self.fit(rect, max_scale=max_scale)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._fitted = None  # a drag pans: what was fitted is no longer the user's view
        super().mousePressEvent(event)

    def _update_render_hints(self) -> None:
        # Far out, boxes are plain rectangles and edges hairlines: antialiasing them costs
        # more than everything else in a repaint and shows nothing at that size.
        scale = self.scale_factor()
        self.setRenderHint(_ANTIALIAS, scale >= TEXT_LOD)
        self.lineage_scene.set_overview(scale < OVERVIEW_LOD)
        self.lineage_scene.set_path_labels(scale < TEXT_LOD, scale)

    def centre_on_node(self, node_id: str, *, readable: bool = True) -> bool:
        """Scroll ``node_id`` to the middle, zooming in to a readable scale if needed."""
        item = self.lineage_scene.item_for(node_id)
        if item is None:
            return False
        self._fitted = None
        if readable and self.scale_factor() < 0.6:
            self.zoom_by(0.85 / self.scale_factor())  # labels readable, neighbours in sight
        # A box at the drawing's edge can only reach the middle if the scene extends past it.
        half_w = self.viewport().width() / self.scale_factor() / 2
        half_h = self.viewport().height() / self.scale_factor() / 2
        centre = item.scenePos()
        room = QRectF(centre.x() - half_w, centre.y() - half_h, 2 * half_w, 2 * half_h)
        if not self.sceneRect().contains(room):
            self.setSceneRect(self.sceneRect().united(room))
        self.centerOn(item)
        return True

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15 ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_F and not ctrl:
            self.fit()
        elif ctrl and key in (Qt.Key.Key_Equal, Qt.Key.Key_Plus):
            self.zoom_in()
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_out()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        item = self.itemAt(event.pos())
        node_id = item.node_id if isinstance(item, NodeItem) else ""
        self.sig_context_requested.emit(node_id, QPointF(event.globalPos()))
        event.accept()
