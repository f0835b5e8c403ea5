"""The Lineage view on a real workspace holding the shared OpenLineage fixture's events."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QMenu

from governance_app.domain.lineage import LineageEdge, LineageGraph, LineageNode, NodeKind
from governance_app.importers.openlineage import load_openlineage
from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.ui.lineage_details import (
    ColumnLineageTableModel,
    SchemaTableModel,
    column_lineage_rows,
    schema_rows,
)
from governance_app.ui.lineage_items import TEXT_LOD, NodeState
from governance_app.ui.lineage_view import LineagePanel
from governance_app.ui.selection import Selection
from governance_app.ui.views import ViewContext
from governance_app.ui.workers import TaskRunner

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "tests" / "fixtures" / "openlineage" / "events.jsonl"
EXPECTED = json.loads((REPO / "tests/fixtures/openlineage/expected.json").read_text())
MODEL_4 = "model:readmission_risk/4"
FAILED_RUN = "run:" + EXPECTED["failed_runs"][0]
FEATURES = "dataset:warehouse://prod/features.readmission_v2"
HOLDOUT = "dataset:warehouse://prod/features.readmission_v2_holdout"
SHOWN_MS = 20_000


class Panel:
    """A shown LineagePanel on a real workspace, and what it asked the window to do."""

    def __init__(self, qtbot, url: str) -> None:
        self.qtbot = qtbot
        self.workspace = Workspace.open(url)
        self.selection = Selection()
        self.runner = TaskRunner()
        self.imports: list[bool] = []
        self.views_shown: list[str] = []
        self.ctx = ViewContext(self.workspace, self.selection, self.runner,
                               lambda: self.imports.append(True), self.views_shown.append)
        self.panel = LineagePanel(self.ctx)
        qtbot.addWidget(self.panel)
        self.panel.resize(1180, 740)

    def show(self) -> LineagePanel:
        with self.qtbot.waitSignal(self.panel.sig_graph_loaded, timeout=SHOWN_MS):
            self.panel.show()
        return self.panel

    def wait_drawn(self, action) -> None:
        with self.qtbot.waitSignal(self.panel.sig_graph_shown, timeout=SHOWN_MS):
            action()

    def close(self) -> None:
        self.panel.close()
        self.runner.shutdown()
        self.workspace.close()


@pytest.fixture
def lineage_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lineage.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, EVENTS)
    return url


@pytest.fixture
def make_panel(qtbot):
    made: list[Panel] = []

    def make(url: str) -> Panel:
        harness = Panel(qtbot, url)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


@pytest.fixture
def drawn(make_panel, lineage_url: str) -> Panel:
    """The panel with the fixture's graph drawn."""
    harness = make_panel(lineage_url)
    harness.wait_drawn(harness.show)
    return harness


def _states(panel: LineagePanel) -> dict[str, NodeState]:
    return {i: item.state for i, item in panel.scene.node_items.items()}


def _view_centre(panel: LineagePanel) -> QPointF:
    return panel.view.mapToScene(panel.view.viewport().rect().center())


def _in_view(panel: LineagePanel, node_id: str) -> bool:
    """The whole box is on screen (a small graph cannot scroll a corner box to the middle)."""
    visible = panel.view.mapToScene(panel.view.viewport().rect()).boundingRect()
    return visible.contains(panel.scene.node_items[node_id].sceneBoundingRect())


def _big_graph(layers: int = 30, width: int = 12) -> LineageGraph:
    """Jobs and datasets alternating in layers, each reading two of the layer above."""
    graph = LineageGraph()
    for layer in range(layers):
        kind = NodeKind.DATASET if layer % 2 == 0 else NodeKind.JOB
        for k in range(width):
            graph.add_node(LineageNode(f"{kind.value}:ns/n{layer}_{k}", kind, f"n{layer}_{k}",
                                       "ns"))
            if layer:
                above = "dataset" if kind is NodeKind.JOB else "job"
                for j in (k, (k + 1) % width):
                    graph.add_edge(LineageEdge(f"{above}:ns/n{layer - 1}_{j}",
                                               f"{kind.value}:ns/n{layer}_{k}", "input"))
    return graph


def test_workspace_lineage_is_drawn(make_panel, workspace_url: str) -> None:
    with Workspace.open(workspace_url) as ws:
        import_path(ws, EVENTS)
    harness = make_panel(workspace_url)
    harness.wait_drawn(harness.show)
    scene = harness.panel.scene
    graph = load_openlineage(EVENTS).graph

    assert set(scene.node_items) == set(graph.nodes)
    assert {(e.source, e.target) for e in scene.edge_items} == {
        (e.source, e.target) for e in graph.edges}
    assert [i for i, item in scene.node_items.items() if item.failed] == [FAILED_RUN]
    assert "FAILED" in scene.node_items[FAILED_RUN].toolTip()
    assert "1 FAILED run" in harness.panel.status_label.text()


def test_selecting_a_node_highlights_its_upstream_and_downstream(drawn: Panel) -> None:
    panel = drawn.panel
    assert panel.select_node(MODEL_4)
    states = _states(panel)

    upstream = {i for i, s in states.items() if s is NodeState.UPSTREAM}
    upstream_datasets = {panel.scene.node_items[i].node.name for i in upstream
                         if i.startswith("dataset:")}
    assert upstream_datasets == set(EXPECTED["upstream_of_model_readmission_risk_4"])
    assert states[MODEL_4] is NodeState.SELECTED
    assert states["run:00000000-0000-0000-0000-000000000002"] is NodeState.UPSTREAM
    # Inputs are edges of runs (issue 3): the evaluating RUN is downstream; its job is linked
    # to it for navigation only, so it is not highlighted.
    assert states["run:00000000-0000-0000-0000-000000000003"] is NodeState.DOWNSTREAM
    assert states["job:airflow/readmission.evaluate_model"] is NodeState.DIMMED
    assert states["dataset:s3://governance/reports/readmission_risk/4/eval.json"] is (
        NodeState.DOWNSTREAM)
    # Neither an ancestor nor a descendant: dimmed.
    assert states[HOLDOUT] is NodeState.DIMMED
    assert states["model:readmission_risk/5"] is NodeState.DIMMED
    edge_states = {(e.source, e.target): e.state for e in panel.scene.edge_items}
    assert edge_states[(FEATURES, "run:00000000-0000-0000-0000-000000000002")] is (
        NodeState.UPSTREAM)
    assert edge_states[(HOLDOUT, "run:00000000-0000-0000-0000-000000000003")] is NodeState.DIMMED

    # The details say what it is and lead back to the Models view.
    assert panel.details.node.id == MODEL_4
    assert panel.details.open_models_button.isVisibleTo(panel)
    panel.details.open_models_button.click()
    assert (drawn.selection.model_name, drawn.selection.version) == ("readmission_risk", 4)
    assert drawn.views_shown == ["Models"]

    # Clicking empty background clears selection and highlight.
    panel.scene.clearSelection()
    assert set(_states(panel).values()) == {NodeState.NORMAL}
    assert panel.details.node is None


def test_a_click_on_a_box_selects_it(drawn: Panel, qtbot) -> None:
    panel = drawn.panel
    panel.view.centre_on_node(FEATURES)
    qtbot.wait(50)
    where = panel.view.mapFromScene(panel.scene.node_items[FEATURES].scenePos())
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert panel.scene.selected_node_id() == FEATURES
    assert panel.details.schema_model.rowCount() == 3
    assert panel.details.columns_model.rowCount() == 2
    assert "Feeds model version(s): readmission_risk/4, readmission_risk/5" in (
        panel.details.relations_label.text())


def test_failed_run_details_say_failed(drawn: Panel) -> None:
    panel = drawn.panel
    panel.select_node(FAILED_RUN)
    text = panel.details.info_label.text()
    assert "FAILED" in text and "Started" in text and "Ended" in text


def test_search_outlines_matches_and_jumps(drawn: Panel) -> None:
    panel = drawn.panel
    before = panel.scene.selected_node_id()
    panel.set_filter_text("lab_results")
    lab = "dataset:warehouse://prod/raw.lab_results"
    assert panel.scene.node_items[lab].matched
    assert panel.scene.selected_node_id() == before  # typing never moves the selection
    assert panel.find_label.text() == "1 match (Enter: go)"
    panel.next_match()  # Enter
    assert panel.scene.selected_node_id() == lab
    assert _in_view(panel, lab)

    panel.find_edit.setText("holdout")
    assert panel.scene.selected_node_id() == lab and panel.scene.node_items[HOLDOUT].matched
    assert not panel.scene.node_items[lab].matched
    panel.next_match()
    assert panel.scene.selected_node_id() == HOLDOUT

    panel.find_edit.setText("readmission_risk")
    hits = list(panel._hits)
    assert len(hits) >= 3 and panel.find_label.text() == f"{len(hits)} matches (Enter: go)"
    panel.next_match()
    panel.next_match()
    assert panel.scene.selected_node_id() == hits[1]
    assert panel.find_label.text() == f"2 of {len(hits)}"

    panel.find_edit.setText("no-such-node")
    assert panel.find_label.text() == "no match"
    panel.find_edit.clear()
    assert not any(item.matched for item in panel.scene.node_items.values())


def test_focus_mode_hides_far_nodes(drawn: Panel) -> None:
    panel = drawn.panel
    panel.select_node(MODEL_4)
    drawn.wait_drawn(lambda: panel.set_focus(MODEL_4, hops=1))
    # One hop around the version: the run that wrote it and the run that read it (issue 3).
    assert set(panel.scene.node_items) == {
        MODEL_4, "run:00000000-0000-0000-0000-000000000002",
        "run:00000000-0000-0000-0000-000000000003"}
    assert panel.focus_check.isChecked()
    assert panel.scene.selected_node_id() == MODEL_4

    drawn.wait_drawn(lambda: panel.hops_spin.setValue(3))
    assert FEATURES in panel.scene.node_items
    assert "dataset:warehouse://prod/raw.admissions" not in panel.scene.node_items

    drawn.wait_drawn(lambda: panel.focus_check.setChecked(False))
    assert len(panel.scene.node_items) == len(panel.full_graph.nodes)


def test_collapsing_a_namespace_merges_its_nodes(drawn: Panel) -> None:
    panel = drawn.panel
    actions = {a.data(): a for a in panel.namespace_menu.actions()}
    assert set(actions) == {"airflow", "s3://governance", "warehouse://prod"}

    drawn.wait_drawn(lambda: actions["warehouse://prod"].setChecked(True))
    ids = set(panel.scene.node_items)
    assert "namespace:warehouse://prod" in ids
    assert not any(i.startswith("dataset:warehouse://prod/") for i in ids)
    merged = panel.scene.node_items["namespace:warehouse://prod"].node
    assert merged.facets["collapsed"]["count"] == 4
    assert ("namespace:warehouse://prod", "run:00000000-0000-0000-0000-000000000002") in {
        (e.source, e.target) for e in panel.scene.edge_items}

    drawn.wait_drawn(lambda: panel.set_namespace_collapsed("warehouse://prod", False))
    assert FEATURES in panel.scene.node_items
    assert not actions["warehouse://prod"].isChecked()


def test_export_writes_svg_png_and_dot(drawn: Panel, tmp_path: Path) -> None:
    panel = drawn.panel
    svg = panel.export_to(tmp_path / "lineage.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t.strip() for t in root.itertext())
    for label in ("raw.admissions", "readmission_risk/4", "FAILED", "features.readmission_v2"):
        assert label in text

    png = panel.export_to(tmp_path / "lineage.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 300 and image.height() > 300

    dot = panel.export_to(tmp_path / "lineage.dot").read_text()
    assert dot.lstrip().startswith("digraph")
    assert "raw.admissions" in dot and "readmission_risk/4" in dot

    with pytest.raises(ValueError, match="cannot export"):
        panel.export_to(tmp_path / "lineage.gif")


def test_choosing_a_model_version_centres_its_node(drawn: Panel) -> None:
    panel = drawn.panel
    drawn.selection.select("readmission_risk", 5)
    node = "model:readmission_risk/5"
    assert panel.scene.selected_node_id() == node
    assert _in_view(panel, node)
    # A version without lineage leaves the drawing as it is.
    drawn.selection.select("readmission_risk", 99)
    assert panel.scene.selected_node_id() == node


def test_jumps_centre_the_node_in_a_large_graph(drawn: Panel) -> None:
    panel = drawn.panel
    drawn.wait_drawn(lambda: panel.set_graph(_big_graph()))
    assert len(panel.scene.node_items) == 360
    for node in ("dataset:ns/n0_0", "job:ns/n29_11", "dataset:ns/n14_5"):
        panel.set_filter_text(node.split("/")[1])
        panel.next_match()  # Enter
        assert panel.scene.selected_node_id() == node
        centre, item = _view_centre(panel), panel.scene.node_items[node].scenePos()
        assert abs(centre.x() - item.x()) < 2 and abs(centre.y() - item.y()) < 2
        assert panel.view.scale_factor() >= 0.6  # zoomed in far enough to read


def test_selection_made_before_the_graph_arrives_is_applied(make_panel, lineage_url) -> None:
    harness = make_panel(lineage_url)
    harness.selection.select("readmission_risk", 4)
    harness.wait_drawn(harness.show)
    assert harness.panel.scene.selected_node_id() == MODEL_4


def test_zoom_keys_wheel_and_fit(drawn: Panel, qtbot) -> None:
    view = drawn.panel.view
    view.fit()
    fitted = view.scale_factor()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() == pytest.approx(fitted / 1.25)
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.scale_factor() == pytest.approx(fitted)
    drawn.panel.zoom_in_button.click()
    assert view.scale_factor() > fitted


def test_empty_workspace_shows_the_empty_state(make_panel, empty_url: str) -> None:
    harness = make_panel(empty_url)
    panel = harness.show()
    assert panel.pages.currentWidget() is panel.empty_state
    assert "No lineage yet" in panel.empty_state.sentence_label.text()
    panel.empty_state.buttons[0].click()
    assert harness.imports == [True]


def test_detail_models_pass_the_model_tester(qtmodeltester) -> None:
    graph = load_openlineage(EVENTS).graph
    facets = graph.nodes[FEATURES].facets
    schema = SchemaTableModel(schema_rows(facets["schema"]))
    columns = ColumnLineageTableModel(column_lineage_rows(facets["columnLineage"]))
    assert [schema.index(r, 0).data() for r in range(schema.rowCount())] == [
        "applicant_id", "lab_index", "stay_days"]
    assert {(columns.index(r, 0).data(), columns.index(r, 2).data())
            for r in range(columns.rowCount())} == {("lab_index", "glucose"), ("stay_days", "los")}
    qtmodeltester.check(schema)
    qtmodeltester.check(columns)


def test_nested_schema_and_odd_facets_are_flattened_not_fatal() -> None:
    facet = {"fields": [{"name": "a", "type": "struct",
                         "fields": [{"name": "b", "type": "int", "description": "inner"}]},
                        "junk", {"type": "no name"}]}
    assert schema_rows(facet) == [("a", "struct", ""), ("a.b", "int", "inner")]
    assert schema_rows(None) == [] and column_lineage_rows({"fields": "x"}) == []


def test_context_menu_offers_focus_and_collapse(drawn: Panel, qtbot) -> None:
    panel = drawn.panel
    panel.view.centre_on_node(FEATURES)
    qtbot.wait(50)
    shown: list[str] = []
    panel.view.sig_context_requested.connect(lambda node_id, _pos: shown.append(node_id))
    where = panel.view.mapFromScene(panel.scene.node_items[FEATURES].scenePos())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where,
                              panel.view.viewport().mapToGlobal(where))
    panel.view.contextMenuEvent(event)
    assert shown == [FEATURES]
    menus = [m for m in panel.findChildren(QMenu)
             if m is not panel.namespace_menu and m is not panel.export_menu]
    texts = [a.text() for a in menus[-1].actions()]
    assert "Focus here" in texts and "Collapse warehouse://prod" in texts
    menus[-1].close()


def test_show_lineage_in_the_models_view_opens_the_version_in_lineage(
        open_window, qtbot, lineage_url: str, mlflow_db: Path) -> None:
    with Workspace.open(lineage_url) as ws:
        import_path(ws, mlflow_db)
    window = open_window(lineage_url)
    panel = window.views["Lineage"]
    assert isinstance(panel, LineagePanel)
    window.selection.select("readmission_risk", 2)
    with qtbot.waitSignal(panel.sig_graph_shown, timeout=SHOWN_MS):
        window.models_panel.lineage_button.click()
    assert window.current_view_name() == "Lineage"
    assert panel.scene.selected_node_id() == "model:readmission_risk/2"
    # MLflow's registry lineage and the OpenLineage events join into one graph.
    assert MODEL_4 in panel.scene.node_items


def test_far_out_an_overview_replaces_the_items(drawn: Panel, tmp_path: Path, qtbot) -> None:
    panel, scene, view = drawn.panel, drawn.panel.scene, drawn.panel.view
    view.zoom_by(0.05 / view.scale_factor())
    assert scene.overview_on and scene.overview.isVisible()
    assert not scene.node_layer.isVisible() and not scene.edge_layer.isVisible()
    assert sum(len(rects) for *_, rects in scene.overview.buckets) == len(scene.node_items)

    # Exporting draws the boxes with their words even while the overview is on screen.
    text = " ".join(ET.parse(panel.export_to(tmp_path / "far.svg")).getroot().itertext())
    assert "raw.admissions" in text
    assert scene.overview_on

    # A jump zooms in to a readable scale, where the items come back, highlighted.
    panel.select_node(MODEL_4)
    assert not scene.overview_on and scene.node_layer.isVisible()
    assert scene.overview.highlighting
    assert len(scene.overview.highlighted_edges) == 2  # one path upstream, one downstream

    # Far out, a click on a box zooms to it and selects it; a click on nothing selects nothing.
    view.zoom_by(0.05 / view.scale_factor())
    assert scene.overview_on
    lab = "dataset:warehouse://prod/raw.lab_results"
    assert scene.node_at(QPointF(-5000, -5000)) is None
    where = view.mapFromScene(scene.node_items[lab].scenePos())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert scene.selected_node_id() == lab
    assert not scene.overview_on and _in_view(panel, lab)


def test_first_view_shows_the_path_from_raw_data_to_the_version(make_panel,
                                                                 lineage_url: str) -> None:
    harness = make_panel(lineage_url)
    harness.selection.select("readmission_risk", 4)
    harness.wait_drawn(harness.show)
    panel = harness.panel
    assert panel.scene.selected_node_id() == MODEL_4
    upstream = panel.scene.index.upstream(MODEL_4)
    assert upstream and all(_in_view(panel, node) for node in upstream | {MODEL_4})
    assert panel.details.node is not None and panel.details.node.id == MODEL_4


def test_runs_are_labelled_by_their_mlflow_name_with_the_id_in_the_details() -> None:
    from governance_app.services.lineage import printable_graph
    from governance_app.ui.lineage_items import display_label

    run_id = "0f6c2b7e9a3d4c55b1e2a7f8c9d0e1f2"
    named = LineageNode(f"run:{run_id}", NodeKind.RUN, run_id, "credit-risk",
                        facets={"mlflow": {"run_id": run_id, "name": "xgb-retrain-2026-07"}})
    bare = LineageNode("run:abc", NodeKind.RUN, "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert display_label(named) == "xgb-retrain-2026-07"
    assert display_label(bare) == "run 3fa85f64…afa6"  # no name: the id, shortened
    graph = LineageGraph()
    graph.add_node(named)
    assert printable_graph(graph).nodes[named.id].label == "xgb-retrain-2026-07"
    assert graph.nodes[named.id].name == run_id  # the id stays the node's own name


def test_fit_and_overview_keep_the_selection_and_label_its_path(drawn: Panel) -> None:
    panel, scene, view = drawn.panel, drawn.panel.scene, drawn.panel.view
    drawn.wait_drawn(lambda: panel.set_graph(_big_graph()))
    target = "dataset:ns/n14_5"
    panel.select_node(target)
    view.fit()  # 360 nodes: boxes too small for their own text
    assert view.scale_factor() < TEXT_LOD
    assert scene.selected_node_id() == target and scene.node_items[target].isSelected()
    assert scene.label_layer.isVisible()
    view.zoom_by(0.1 / view.scale_factor())  # further out: the overview replaces the boxes
    assert scene.overview_on
    assert scene.selected_node_id() == target
    assert panel.details.node is not None and panel.details.node.id == target  # not "none"
    labels = {label.node_id: label.text for label in scene._labels}
    assert scene.label_layer.isVisible() and labels[target] == "n14_5"
    path = scene.index.upstream(target) | scene.index.downstream(target)
    assert set(labels) - {target} <= path and len(labels) > 10  # the path, named
    view.zoom_by(1.0 / view.scale_factor())  # back in: the box itself is selected again
    assert not scene.overview_on and scene.node_items[target].isSelected()
    assert not scene.label_layer.isVisible()  # boxes draw their own names again
    drawn.selection.select("other_model", 1)  # no lineage: the drawing and selection stay
    assert scene.selected_node_id() == target
