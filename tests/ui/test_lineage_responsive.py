"""The Lineage view on big graphs: the window stays live while drawing, drawing can be
cancelled, and the first view fits the current version's path whole (issues 15 and 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from governance_app.domain.lineage import LineageEdge, LineageGraph, LineageNode, NodeKind
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.lineage_items import TEXT_LOD
from governance_app.ui.lineage_scene_builder import SceneBuilder
from tests.ui.test_lineage_view import EVENTS, MODEL_4, SHOWN_MS, Panel

SMALL = (620, 400)
DEFAULT = (1180, 740)
"""The panel's size in the default 1,280 × 800 window (less the navigation and status bar)."""


@pytest.fixture
def lineage_url(tmp_path: Path) -> str:
    """A workspace holding the OpenLineage fixture (readmission_risk v4 and v5)."""
    url = f"sqlite:///{tmp_path / 'lineage.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, EVENTS)
    return url


@pytest.fixture
def make_panel(qtbot):
    made: list[Panel] = []

    def make(url: str) -> Panel:
        made.append(Panel(qtbot, url))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


def _pipeline(loops: int = 30, width: int = 40) -> LineageGraph:
    """A Kubeflow-like run: ``loops`` parallel-for loops of ``width`` tasks, each writing a
    dataset, an aggregate reading them all, and the next loop reading the aggregate."""
    graph = LineageGraph()
    previous = "dataset:kfp/raw"
    graph.add_node(LineageNode(previous, NodeKind.DATASET, "raw", "kfp"))
    for loop in range(loops):
        aggregate = f"task:kfp/aggregate-{loop}"
        graph.add_node(LineageNode(aggregate, NodeKind.TASK, f"aggregate-{loop}", "kfp",
                                   "SUCCEEDED"))
        for k in range(width):
            task, out = f"task:kfp/t{loop}-{k}", f"dataset:kfp/out{loop}-{k}"
            graph.add_node(LineageNode(task, NodeKind.TASK, f"t{loop}-{k}", "kfp",
                                       "FAILED" if k == 7 else "SUCCEEDED"))
            graph.add_node(LineageNode(out, NodeKind.DATASET, f"out{loop}-{k}", "kfp"))
            graph.add_edge(LineageEdge(previous, task, "input"))
            graph.add_edge(LineageEdge(task, out, "output"))
            graph.add_edge(LineageEdge(out, aggregate, "input"))
        result = f"dataset:kfp/aggregate-{loop}"
        graph.add_node(LineageNode(result, NodeKind.DATASET, f"aggregate-{loop}", "kfp"))
        graph.add_edge(LineageEdge(aggregate, result, "output"))
        previous = result
    return graph


def _path_inside_view(panel, node_id: str) -> bool:
    view = panel.view
    path = panel.version_path_rect(node_id)
    return not path.isEmpty() and view.visible_scene_rect().contains(path)


def _labels_readable(panel, node_id: str) -> bool:
    """Boxes draw their own names, or (zoomed further out) the path's labels name them."""
    scene = panel.scene
    if panel.view.scale_factor() >= TEXT_LOD:
        return True
    named = {label.node_id for label in scene._labels if label.isVisible()}
    return scene.label_layer.isVisible() and node_id in named


def test_drawing_a_large_pipeline_keeps_the_event_loop_running(make_panel, lineage_url,
                                                                qtbot) -> None:
    harness = make_panel(lineage_url)
    harness.wait_drawn(harness.show)
    panel = harness.panel
    graph = _pipeline()
    beats = {"drawing": 0, "slices": 0}

    def beat() -> None:
        if panel.is_drawing():
            beats["drawing"] += 1

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(5)
    progress: list[tuple[int, int]] = []

    def watch_builder() -> None:
        builder = panel._builder
        if isinstance(builder, SceneBuilder) and not progress:
            builder.sig_progressed.connect(lambda d, t: progress.append((d, t)))

    watcher = QTimer()
    watcher.timeout.connect(watch_builder)
    watcher.start(1)
    harness.wait_drawn(lambda: panel.set_graph(graph))
    timer.stop()
    watcher.stop()
    assert len(panel.scene.node_items) == len(graph.nodes) == 2461
    assert len(panel.scene.edge_items) == len(graph.edges)
    # The items were made over many event-loop turns, with the timer firing between them.
    assert len(progress) >= 3 and progress[-1][0] == progress[-1][1]
    assert beats["drawing"] >= 2
    assert not panel.cancel_button.isVisible() and panel.is_ready()


def test_cancel_stops_drawing_and_draw_again_finishes_it(make_panel, lineage_url,
                                                         qtbot) -> None:
    harness = make_panel(lineage_url)
    harness.wait_drawn(harness.show)
    panel = harness.panel
    graph = _pipeline()
    shown: list[bool] = []
    panel.sig_graph_shown.connect(lambda: shown.append(True))
    panel.set_graph(graph)
    assert panel.cancel_button.isVisible()  # reading is over; laying out has begun
    qtbot.waitUntil(lambda: panel.is_drawing() and bool(panel.scene.node_items),
                    timeout=SHOWN_MS)
    # Part-way through: nodes come first, so a slow poll may see them all with edges missing.
    made = len(panel.scene.node_items) + len(panel.scene.edge_items)
    assert made < len(graph.nodes) + len(graph.edges)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.is_drawing() and panel.is_ready()
    assert panel.scene.node_items == {} and panel.scene.edge_items == []
    assert "cancelled" in panel.status_label.text()
    assert panel.draw_button.isVisible() and not panel.cancel_button.isVisible()
    qtbot.wait(100)  # nothing left running reports later
    assert not shown and panel.scene.node_items == {}
    with qtbot.waitSignal(panel.sig_graph_shown, timeout=SHOWN_MS):
        qtbot.mouseClick(panel.draw_button, Qt.MouseButton.LeftButton)
    assert len(panel.scene.node_items) == len(graph.nodes)
    assert not panel.draw_button.isVisible()


def test_cancel_while_laying_out_leaves_nothing_drawn(make_panel, lineage_url, qtbot) -> None:
    harness = make_panel(lineage_url)
    harness.wait_drawn(harness.show)
    panel = harness.panel
    panel.set_graph(_pipeline())
    panel.cancel_drawing()  # the layout is still in its worker
    assert panel.is_ready() and not panel.cancel_button.isVisible()
    qtbot.wait(300)
    assert "cancelled" in panel.status_label.text()


def _with_model(graph: LineageGraph) -> tuple[LineageGraph, str]:
    """``graph`` with a model version trained on its last aggregate: a long path."""
    node = "model:pipeline_model/1"
    graph.add_node(LineageNode(node, NodeKind.MODEL_VERSION, "pipeline_model/1", ""))
    last = [i for i in graph.nodes if i.startswith("dataset:kfp/aggregate-")][-1]
    graph.add_edge(LineageEdge(last, node, "trained"))
    return graph, node


def test_first_view_fits_the_version_path_whole_at_default_and_small_sizes(
        make_panel, lineage_url, qtbot) -> None:
    for size in (DEFAULT, SMALL):
        harness: Panel = make_panel(lineage_url)
        harness.panel.resize(*size)
        harness.selection.select("readmission_risk", 4)
        harness.wait_drawn(harness.show)
        panel = harness.panel
        assert panel.scene.selected_node_id() == MODEL_4
        assert _path_inside_view(panel, MODEL_4), size
        assert _labels_readable(panel, MODEL_4)
        # Changing the current version fits the new version's path.
        harness.selection.select("readmission_risk", 5)
        assert panel.scene.selected_node_id() == "model:readmission_risk/5"
        assert _path_inside_view(panel, "model:readmission_risk/5"), size
        # A long path (a 30-loop pipeline) fits whole too, with its names kept readable.
        graph, model = _with_model(_pipeline(loops=12, width=6))
        harness.selection.select("pipeline_model", 1)
        harness.wait_drawn(lambda graph=graph, panel=panel: panel.set_graph(graph))
        assert panel.scene.selected_node_id() == model
        assert _path_inside_view(panel, model), size
        assert _labels_readable(panel, model)
        # The window resized after the first view still shows the whole path.
        panel.resize(size[0] - 150, size[1] - 100)
        qtbot.wait(20)
        assert _path_inside_view(panel, model), size


