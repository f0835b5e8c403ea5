"""The lineage figure: one box per node with its kind, arrows, and failed runs marked."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import matplotlib as mpl
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_hex

from governance_app.analytics.layered_layout import layered_layout
from governance_app.charts.lineage_figure import caption, is_failed, lineage_figure
from governance_app.domain.lineage import LineageEdge, LineageGraph, LineageNode, NodeKind


def _graph() -> LineageGraph:
    t = datetime(2026, 3, 1, tzinfo=UTC)
    nodes = [
        LineageNode("dataset:s3://lake/raw", NodeKind.DATASET, "raw", "s3://lake"),
        LineageNode("job:etl/train", NodeKind.JOB, "train", "etl"),
        LineageNode("run:ok", NodeKind.RUN, "ok", "etl", "COMPLETE", started_at=t),
        LineageNode("run:bad", NodeKind.RUN, "bad", "etl", "FAIL", started_at=t),
        LineageNode("model:m/1", NodeKind.MODEL_VERSION, "m/1"),
    ]
    edges = [
        LineageEdge("dataset:s3://lake/raw", "job:etl/train", "input"),
        LineageEdge("job:etl/train", "run:ok", "instance"),
        LineageEdge("job:etl/train", "run:bad", "instance"),
        LineageEdge("run:ok", "model:m/1", "output"),
        LineageEdge("dataset:s3://lake/raw", "model:m/1", "input"),  # spans two layers
    ]
    return LineageGraph.from_parts(nodes, edges)


def _width(node: LineageNode) -> float:
    return 8.0 * max(len(node.label), len(caption(node))) + 16.0


def _figure(graph: LineageGraph):  # noqa: ANN202
    layout = layered_layout(list(graph.nodes), [(e.source, e.target) for e in graph.edges],
                            width=lambda i: _width(graph.nodes[i]))
    return lineage_figure(graph, layout, _width, title="Lineage of m:1"), layout


def test_one_box_and_two_lines_of_text_per_node() -> None:
    graph = _graph()
    fig, _ = _figure(graph)
    ax = fig.axes[0]
    boxes = [c for c in ax.collections if isinstance(c, PatchCollection)]
    assert len(boxes) == 1 and len(boxes[0].get_paths()) == len(graph.nodes)
    texts = [t.get_text() for t in ax.texts]
    for node in graph.nodes.values():
        assert node.label in texts
    assert "MODEL VERSION" in texts and "Lineage of m:1" in texts


def test_failed_runs_are_vermillion_and_say_failed() -> None:
    graph = _graph()
    assert is_failed(graph.nodes["run:bad"]) and not is_failed(graph.nodes["run:ok"])
    fig, _ = _figure(graph)
    ax = fig.axes[0]
    failed_text = [t for t in ax.texts if "FAILED" in t.get_text()]
    assert [t.get_text() for t in failed_text] == ["RUN · FAILED"]
    assert to_hex(failed_text[0].get_color()).upper() == "#D55E00"
    box = next(c for c in ax.collections if isinstance(c, PatchCollection))
    outlines = {to_hex(c).upper() for c in box.get_edgecolors()}
    assert "#D55E00" in outlines


def test_every_edge_is_drawn_and_clipped_to_the_boxes() -> None:
    graph = _graph()
    fig, layout = _figure(graph)
    lines = next(c for c in fig.axes[0].collections if isinstance(c, LineCollection))
    segments = lines.get_segments()
    assert len(segments) == len(graph.edges)
    long_edge = layout.edge_routes[("dataset:s3://lake/raw", "model:m/1")]
    assert any(len(s) == len(long_edge) for s in segments)  # drawn through its dummy
    for seg in segments:  # arrows start below the source box and end above the target box
        assert seg[0][1] < seg[-1][1]


def test_the_drawing_stays_inside_the_figure() -> None:
    fig, layout = _figure(_graph())
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    for route in layout.edge_routes.values():
        assert all(x0 <= x <= x1 for x, _ in route)


def test_svg_keeps_labels_as_text() -> None:
    fig, _ = _figure(_graph())
    buffer = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    root = ET.fromstring(buffer.getvalue())
    texts = {"".join(t.itertext()).strip() for t in root.iter() if t.tag.endswith("text")}
    assert {"raw", "train", "m/1", "RUN · FAILED"} <= texts


def test_an_empty_graph_draws_an_empty_figure() -> None:
    layout = layered_layout([], [])
    fig = lineage_figure(LineageGraph(), layout, _width)
    assert fig.get_size_inches()[0] > 0
