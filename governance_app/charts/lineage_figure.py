"""A lineage graph drawn from its layered layout: labelled boxes, arrows, failed runs marked.

One builder serves every offline use (``lineage --format svg|png``, reports, the view's export):
the same layout the GUI paints, so a printed graph matches the screen. Layout units are drawn
as points (1/72 inch), which keeps 9 pt labels inside boxes sized at ~6 units per character.

Colour is never the only signal: a failed run has a vermillion (``#D55E00``) outline *and* the
word FAILED; each box names its kind in small capitals above its label.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Protocol

from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from governance_app.charts.style import FAIL, OKABE_ITO, styled
from governance_app.domain.lineage import LineageGraph, LineageNode, NodeKind

Point = tuple[float, float]
FAILED_STATES = frozenset({"FAIL", "FAILED", "ABORT", "ABORTED", "KILLED"})
"""Run states drawn as failed: OpenLineage's FAIL/ABORT, MLflow's FAILED/KILLED."""
BOX_HEIGHT = 30.0
MARGIN = 24.0
MAX_INCHES = 300.0
DETAIL_LIMIT = 1500
"""Above this many nodes only failed runs keep their kind caption (text dominates drawing
time); box colours then carry the kind, spelled out by a legend under the title."""
"""Largest side of the drawing; a bigger graph is scaled down (SVG stays sharp)."""

KIND_FILL: dict[NodeKind, str] = {
    NodeKind.DATASET: "#DCEEFB",
    NodeKind.JOB: "#FFF1D6",
    NodeKind.RUN: "#F2F2F2",
    NodeKind.MODEL_VERSION: "#D9F2E9",
    NodeKind.NAMESPACE: "#EFE3F0",
    NodeKind.STAGE: "#F5ECD9",
    NodeKind.TASK: "#E3F1FA",
    NodeKind.ARTIFACT: "#EDEDED",
}
KIND_EDGE: dict[NodeKind, str] = {
    NodeKind.DATASET: OKABE_ITO["blue"],
    NodeKind.JOB: OKABE_ITO["orange"],
    NodeKind.RUN: "#777777",
    NodeKind.MODEL_VERSION: OKABE_ITO["bluish_green"],
    NodeKind.NAMESPACE: OKABE_ITO["reddish_purple"],
    NodeKind.STAGE: "#A6761D",
    NodeKind.TASK: OKABE_ITO["sky_blue"],
    NodeKind.ARTIFACT: "#999999",
}
KIND_CAPTION: dict[NodeKind, str] = {
    NodeKind.DATASET: "DATASET",
    NodeKind.JOB: "JOB",
    NodeKind.RUN: "RUN",
    NodeKind.MODEL_VERSION: "MODEL VERSION",
    NodeKind.NAMESPACE: "NAMESPACE",
    NodeKind.STAGE: "DVC STAGE",
    NodeKind.TASK: "PIPELINE TASK",
    NodeKind.ARTIFACT: "ARTIFACT",
}

_COLOUR_WORD: dict[NodeKind, str] = {
    NodeKind.DATASET: "blue",
    NodeKind.JOB: "orange",
    NodeKind.RUN: "grey",
    NodeKind.MODEL_VERSION: "green",
    NodeKind.STAGE: "brown",
    NodeKind.TASK: "light blue",
    NodeKind.ARTIFACT: "light grey",
}


class LayoutLike(Protocol):
    """What the figure reads of a layout (``analytics.layered_layout.Layout`` fits)."""

    positions: Mapping[Hashable, Point]
    edge_routes: Mapping[tuple[Hashable, Hashable], Sequence[Point]]
    reversed_edges: Sequence[tuple[Hashable, Hashable]]


def is_failed(node: LineageNode) -> bool:
    """Whether a node is a run that ended in failure (drawn in vermillion with FAILED)."""
    return node.kind in (NodeKind.RUN, NodeKind.TASK) and node.status.upper() in FAILED_STATES


def caption(node: LineageNode) -> str:
    """The kind line of a box, with FAILED for a failed run."""
    text = KIND_CAPTION[node.kind]
    return f"{text} · FAILED" if is_failed(node) else text


def lineage_figure(
    graph: LineageGraph,
    layout: LayoutLike,
    width: Callable[[LineageNode], float],
    *,
    title: str | None = None,
    highlight: Sequence[str] = (),
    captions: bool = True,
) -> Figure:
    """Draw ``graph`` at the positions of ``layout``.

    Args:
        width: a node's box width in layout units (the one the layout was computed with).
        title: heading above the drawing.
        highlight: node ids drawn with a thick outline (e.g. the focus node).
        captions: with each box's kind caption (small type); without, box colours carry the
            kind and the heading spells them out (a printed page keeps all type ≥ 7 pt).

    Returns:
        A Figure sized to the drawing (at most :data:`MAX_INCHES` on a side).
    """
    nodes = [n for n in graph.nodes.values() if n.id in layout.positions]
    xs = [layout.positions[n.id][0] for n in nodes] or [0.0]
    ys = [layout.positions[n.id][1] for n in nodes] or [0.0]
    half = {n.id: width(n) / 2.0 for n in nodes}
    left = min(x - half[n.id] for x, n in zip(xs, nodes, strict=False)) if nodes else 0.0
    right = max(x + half[n.id] for x, n in zip(xs, nodes, strict=False)) if nodes else 1.0
    top, bottom = min(ys) - BOX_HEIGHT / 2, max(ys) + BOX_HEIGHT / 2
    bends = [p for route in layout.edge_routes.values() for p in route]
    if bends:  # long edges detour through dummy positions that may lie beyond every box
        left = min(left, min(p[0] for p in bends))
        right = max(right, max(p[0] for p in bends))
    span_w, span_h = right - left + 2 * MARGIN, bottom - top + 2 * MARGIN + (24 if title else 0)
    scale = min(1.0, MAX_INCHES * 72.0 / max(span_w, span_h))
    with styled():
        fig = Figure(figsize=(span_w * scale / 72.0, span_h * scale / 72.0))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_axis_off()
        ax.set_xlim(left - MARGIN, right + MARGIN)
        ax.set_ylim(bottom + MARGIN, top - MARGIN - (24 if title else 0))  # y grows downwards
        detailed = captions and len(nodes) <= DETAIL_LIMIT
        if title or not detailed:
            heading = title or ""
            if not detailed:
                present = {n.kind for n in nodes}
                heading += "   (box colours: " + ", ".join(
                    f"{KIND_CAPTION[k].lower()} {_COLOUR_WORD[k]}" for k in _COLOUR_WORD
                    if k in present) + ")"
            ax.text(left, top - MARGIN / 2 - 12, heading.strip(), fontsize=11 * scale,
                    fontweight="bold", va="center", ha="left")
        _draw_edges(ax, graph, layout, scale)
        _draw_boxes(ax, nodes, layout, half, set(highlight), scale, detailed)
    return fig


def _draw_edges(ax, graph: LineageGraph, layout: LayoutLike, scale: float) -> None:  # noqa: ANN001
    """Polylines through the dummies, clipped to the boxes, with one arrowhead each."""
    segments: list[list[Point]] = []
    down: list[Point] = []
    up: list[Point] = []
    seen: set[tuple[str, str]] = set()
    for edge in graph.edges:
        pair = (edge.source, edge.target)
        route = layout.edge_routes.get(pair)
        if pair in seen or not route or len(route) < 2:
            continue
        seen.add(pair)
        points = [tuple(p) for p in route]
        h = BOX_HEIGHT / 2
        (x0, y0), (x1, y1) = points[0], points[-1]
        step0 = h if points[1][1] > y0 else -h
        step1 = -h if points[-2][1] < y1 else h
        points[0] = (x0, y0 + step0)
        points[-1] = (x1, y1 + step1)
        segments.append(points)
        (down if step1 < 0 else up).append(points[-1])
    colour = "#555555"
    ax.add_collection(LineCollection(segments, colors=colour, linewidths=0.9 * scale, zorder=1))
    size = 42 * scale * scale
    if down:
        ax.scatter(*zip(*down, strict=True), marker="v", s=size, c=colour, zorder=2,
                   linewidths=0)
    if up:
        ax.scatter(*zip(*up, strict=True), marker="^", s=size, c=colour, zorder=2, linewidths=0)


def _draw_boxes(
    ax,  # noqa: ANN001
    nodes: list[LineageNode],
    layout: LayoutLike,
    half: dict[str, float],
    highlight: set[str],
    scale: float,
    detailed: bool = True,
) -> None:
    patches = []
    faces, edges, widths = [], [], []
    for node in nodes:
        x, y = layout.positions[node.id]
        w = half[node.id]
        patches.append(
            FancyBboxPatch((x - w, y - BOX_HEIGHT / 2), 2 * w, BOX_HEIGHT,
                           boxstyle="round,pad=0,rounding_size=4")
        )
        failed = is_failed(node)
        faces.append("#FBE3D6" if failed else KIND_FILL[node.kind])
        edges.append(FAIL if failed else KIND_EDGE[node.kind])
        widths.append((2.4 if failed or node.id in highlight else 1.0) * scale)
    ax.add_collection(
        PatchCollection(patches, facecolors=faces, edgecolors=edges, linewidths=widths, zorder=3)
    )
    for node in nodes:
        x, y = layout.positions[node.id]
        failed = is_failed(node)
        if not (detailed or failed):
            ax.text(x, y, node.label, fontsize=9 * scale, ha="center", va="center",
                    color="#000000", zorder=4)
            continue
        ax.text(x, y - 6.5, caption(node), fontsize=7 * scale, ha="center", va="center",
                color=FAIL if failed else "#444444", fontweight="bold" if failed else "normal",
                zorder=4)
        ax.text(x, y + 6.0, node.label, fontsize=9 * scale, ha="center", va="center",
                color="#000000", zorder=4)
