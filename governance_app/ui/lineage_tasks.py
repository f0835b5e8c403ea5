"""The Lineage view's long work, as plain functions a pool worker runs.

Reading the workspace's graph and laying it out take seconds at 5,000 nodes, so the view hands
them to :class:`~governance_app.ui.workers.Worker`; they touch nothing the GUI thread owns and
are called directly by tests and the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from governance_app.analytics.layered_layout import Layout, layered_layout
from governance_app.analytics.lineage_graph import LineageIndex
from governance_app.domain.lineage import LineageGraph
from governance_app.services.lineage import lineage_graph
from governance_app.services.workspace import Workspace

Progress = Callable[[int, int, str], None]
LAYER_GAP = 100.0
"""Distance between layers: a 46-unit box and room for the edges to bend between them."""
NODE_SEP = 24.0


def load_lineage(url: str) -> LineageGraph:
    """The whole lineage graph of the workspace at ``url``, read on a pool thread."""
    with Workspace.open(url, upgrade=False) as ws:  # the window opened (and upgraded) it
        return lineage_graph(ws)


def layout_lineage(graph: LineageGraph, widths: dict[str, float],
                   progress: Progress | None = None,
                   is_cancelled: Callable[[], bool] | None = None) -> Layout:
    """A layered layout reserving each box's width as the scene will draw it.

    The service's ``layout_graph`` sizes boxes for its matplotlib figure; the screen measures
    its own fonts (:func:`~governance_app.ui.lineage_items.node_widths`), so it passes widths.

    Raises:
        LayoutCancelled: ``is_cancelled()`` answered True.
    """
    return layered_layout(
        list(graph.nodes), [(e.source, e.target) for e in graph.edges],
        width=lambda i: widths.get(i, 40.0),
        node_sep=NODE_SEP, layer_gap=LAYER_GAP, progress=progress, is_cancelled=is_cancelled)


@dataclass(frozen=True, slots=True)
class LaidOut:
    """What the view's worker hands the GUI thread: the layout and the graph's index.

    The index (upstream and downstream closures) takes a noticeable time at 10,000 nodes; made
    here, the GUI thread only makes items.
    """

    layout: Layout
    index: LineageIndex
    extent: tuple[float, float, float, float] | None = None
    """``(left, top, right, bottom)`` of the node centres and edge bends: the scene's rectangle
    comes from it without the GUI thread visiting a million route points."""


def lay_out_for_view(graph: LineageGraph, widths: dict[str, float],
                     progress: Progress | None = None,
                     is_cancelled: Callable[[], bool] | None = None) -> LaidOut:
    """:func:`layout_lineage` plus the graph's :class:`LineageIndex`, on a pool thread.

    Raises:
        LayoutCancelled: ``is_cancelled()`` answered True.
    """
    layout = layout_lineage(graph, widths, progress, is_cancelled)
    return LaidOut(layout, LineageIndex(graph), layout_extent(layout))


def layout_extent(layout: Layout) -> tuple[float, float, float, float] | None:
    """The smallest rectangle holding every node centre and every edge's bend points."""
    if not layout.positions:
        return None
    points = list(layout.positions.values())
    for route in layout.edge_routes.values():  # long edges bend through their dummies
        points.extend(route[1:-1])
    xy = np.array(points, dtype=np.float64)
    (left, top), (right, bottom) = xy.min(axis=0), xy.max(axis=0)
    return float(left), float(top), float(right), float(bottom)
