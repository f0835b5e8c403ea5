"""Lineage services on a real workspace (SQLite file and PostgreSQL): the OpenLineage fixture
exactly as its oracle says, MLflow and OpenLineage joined into one graph, idempotent re-import,
and malformed events refused with the line named and nothing stored."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from governance_app.domain.lineage import NodeKind, canonical_node_id
from governance_app.errors import InputError, NotFoundError
from governance_app.importers.openlineage import load_openlineage
from governance_app.services import lineage
from governance_app.services.importing import import_path, list_imports, workspace_counts
from governance_app.services.workspace import Workspace
from governance_app.store.lineage_reader import lineage_counts
from governance_app.store.schema_lineage import SqlLineageEdge, SqlLineageNode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS = FIXTURES / "openlineage" / "events.jsonl"
MLFLOW_DB = FIXTURES / "mlflow" / "mlflow.db"
# readmission_risk version 2 of the MLflow fixture: its source run and the dataset it read.
RUN_V2 = "2a4cbb2742af40c2be4a0610d1c7d2a8"
SNAPSHOT_V2 = ("s3://lake", "readmission_risk/snapshot-2.parquet")
PRODUCER = "https://governance-app.example/tests"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return json.loads((FIXTURES / "openlineage" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def ws(workspace_url: str):  # noqa: ANN201 - an open workspace
    with Workspace.open(workspace_url) as opened:
        yield opened


def _event(run_id: str, job: str, event_type: str, time: str, inputs=(), outputs=()) -> dict:  # noqa: ANN001
    return {
        "eventTime": time, "eventType": event_type, "producer": PRODUCER, "schemaURL": SCHEMA_URL,
        "run": {"runId": run_id, "facets": {}}, "job": {"namespace": "tests", "name": job},
        "inputs": [{"namespace": ns, "name": n} for ns, n in inputs],
        "outputs": [{"namespace": ns, "name": n} for ns, n in outputs],
    }


def _write_lines(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def test_the_fixture_exactly_as_expected(ws: Workspace, expected: dict[str, Any]) -> None:
    import_path(ws, EVENTS)
    graph = lineage.lineage_graph(ws)
    jobs = {n.name for n in graph.nodes.values() if n.kind is NodeKind.JOB}
    assert jobs == set(expected["jobs"]) | {"readmission_weekly"}  # the parent facet's job
    data = {n.id for n in graph.nodes.values()
            if n.kind in (NodeKind.DATASET, NodeKind.MODEL_VERSION)}
    assert data == {canonical_node_id(ns, n, NodeKind.DATASET) for ns, n in expected["datasets"]}
    reported = [n for n in graph.nodes.values() if n.kind is NodeKind.RUN and n.status]
    assert len(reported) == expected["runs"]
    failed = sorted(n.name for n in reported if n.status == "FAIL")
    assert failed == expected["failed_runs"]
    upstream = lineage.upstream_datasets(ws, "readmission_risk", 4)
    wanted = expected["upstream_of_model_readmission_risk_4"]
    assert sorted(n.name for n in upstream) == sorted(wanted)
    assert graph.dangling_edges() == []


def test_the_store_gives_back_exactly_what_was_read(ws: Workspace) -> None:
    read = load_openlineage(EVENTS).graph
    import_path(ws, EVENTS)
    stored = lineage.lineage_graph(ws)
    assert {(e.source, e.target, e.kind) for e in stored.edges} == {
        (e.source, e.target, e.kind) for e in read.edges
    }
    assert set(stored.nodes) == set(read.nodes)
    for node_id, node in read.nodes.items():
        assert stored.nodes[node_id] == node, node_id  # facets, status and times included


def test_reimport_is_idempotent(ws: Workspace) -> None:
    first = import_path(ws, EVENTS)
    graph = lineage.lineage_graph(ws)
    with ws.session() as session:
        counts = lineage_counts(session)
    again = import_path(ws, EVENTS)
    with ws.session() as session:
        assert lineage_counts(session) == counts
    assert first.changes["lineage_node_added"] == counts["lineage_nodes"]
    assert again.changes == {}
    assert lineage.lineage_graph(ws) == graph


def test_a_later_import_merges_into_stored_nodes(ws: Workspace, tmp_path: Path) -> None:
    import_path(ws, EVENTS)
    extra = _event(str(uuid.uuid4()), "reuse_features", "COMPLETE", "2026-04-01T00:00:00Z",
                   inputs=[("warehouse://prod", "raw.admissions")])
    record = import_path(ws, _write_lines(tmp_path / "more.jsonl", [extra]))
    assert record.changes.get("lineage_node_updated", 0) == 0  # no facets lost or changed
    graph = lineage.lineage_graph(ws)
    assert "schema" in graph.nodes["dataset:warehouse://prod/raw.admissions"].facets
    assert lineage.impact(ws, "warehouse://prod/raw.admissions") == [
        "model:readmission_risk/4", "model:readmission_risk/5"]


def test_mlflow_and_openlineage_join_into_one_graph(ws: Workspace, tmp_path: Path) -> None:
    import_path(ws, MLFLOW_DB)
    events = [
        _event(str(uuid.uuid4()), "snapshot", "COMPLETE", "2026-02-01T00:00:00Z",
               inputs=[("postgres://core", "raw.patients")], outputs=[SNAPSHOT_V2]),
        # The training run as OpenLineage spells the MLflow run's id: one run, not two.
        _event(str(uuid.UUID(hex=RUN_V2)), "train", "COMPLETE", "2026-02-02T00:00:00Z",
               inputs=[SNAPSHOT_V2],
               outputs=[("mlflow://registry", "models/readmission_risk/2")]),
        _event(str(uuid.uuid4()), "score", "COMPLETE", "2026-02-03T00:00:00Z",
               inputs=[("mlflow://registry", "models/readmission_risk/2")],
               outputs=[("warehouse://dw", "scores.readmission")]),
    ]
    import_path(ws, _write_lines(tmp_path / "ol.jsonl", events))
    graph = lineage.lineage_graph(ws)
    model = graph.nodes["model:readmission_risk/2"]
    assert model.status == "Staging"  # the registry's stage wins over the event's silence
    run_id = f"run:{uuid.UUID(hex=RUN_V2)}"
    assert run_id in graph.nodes and f"run:{RUN_V2}" not in graph.nodes
    run = graph.nodes[run_id]
    assert run.status == "FINISHED" and run.facets["mlflow"]["run_id"] == RUN_V2
    snapshot = canonical_node_id(*SNAPSHOT_V2, NodeKind.DATASET)
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert (snapshot, run_id, "input") in edges  # from MLflow: the run's dataset input
    assert (run_id, "model:readmission_risk/2", "produced") in edges  # MLflow: source run
    assert (run_id, "model:readmission_risk/2", "output") in edges  # OpenLineage
    assert graph.nodes[snapshot].facets["mlflow"]["digests"]  # MLflow's digest kept
    assert run.facets["mlflowInputs"][snapshot]["context"] == "training"
    upstream = {n.id for n in lineage.upstream_datasets(ws, "readmission_risk", 2)}
    assert {snapshot, "dataset:postgres://core/raw.patients"} <= upstream
    assert lineage.impact(ws, "postgres://core/raw.patients") == ["model:readmission_risk/2"]
    down = lineage.lineage_graph(ws, "readmission_risk:2", "downstream")
    assert "dataset:warehouse://dw/scores.readmission" in down.nodes
    assert "dataset:postgres://core/raw.patients" not in down.nodes


def test_mlflow_lineage_alone(ws: Workspace) -> None:
    import_path(ws, MLFLOW_DB)
    graph = lineage.lineage_graph(ws)
    models = sorted(n.id for n in graph.nodes.values() if n.kind is NodeKind.MODEL_VERSION)
    assert models == ["model:loan_approval/1", "model:loan_approval/2", "model:loan_approval/3",
                      "model:readmission_risk/1", "model:readmission_risk/2"]
    up = lineage.upstream_datasets(ws, "loan_approval", 3)
    assert [n.id for n in up] == ["dataset:s3://lake/loan_approval/snapshot-3.parquet"]
    with ws.session() as session:  # derived at query time, never copied into the lineage tables
        assert lineage_counts(session) == {"lineage_nodes": 0, "lineage_edges": 0}


def test_focus_depth_and_references(ws: Workspace) -> None:
    import_path(ws, EVENTS)
    graph = lineage.workspace_graph(ws)
    assert lineage.node_id_for("readmission_risk:4", graph) == "model:readmission_risk/4"
    assert lineage.node_id_for("mlflow://registry/models/readmission_risk/4", graph) == (
        "model:readmission_risk/4")
    assert lineage.node_id_for("warehouse://prod/raw.admissions", graph) == (
        "dataset:warehouse://prod/raw.admissions")
    assert lineage.node_id_for("readmission.train_model", graph) == (
        "job:airflow/readmission.train_model")
    assert lineage.node_id_for("airflow/readmission.train_model", graph) == (
        "job:airflow/readmission.train_model")
    assert lineage.node_id_for("00000000-0000-0000-0000-000000000004", graph) == (
        "run:00000000-0000-0000-0000-000000000004")
    with pytest.raises(NotFoundError, match="no lineage node 'nothing:9'"):
        lineage.node_id_for("nothing:9", graph)
    one_hop = lineage.lineage_graph(ws, "readmission_risk:4", "upstream", depth=1)
    # The run that wrote it, named by its job (context added to focus graphs, issue 3).
    assert set(one_hop.nodes) == {"model:readmission_risk/4",
                                  "run:00000000-0000-0000-0000-000000000002",
                                  "job:airflow/readmission.train_model"}
    with pytest.raises(InputError, match="sideways"):
        lineage.lineage_graph(ws, "readmission_risk:4", "sideways")


def _state(ws: Workspace, url: str) -> tuple[Any, ...]:
    """Everything an import could touch: the SQLite files' bytes, or on PostgreSQL every row."""
    with ws.session() as session:
        nodes = session.execute(select(SqlLineageNode.id, SqlLineageNode.digest)
                                .order_by(SqlLineageNode.id)).all()
        edges = session.execute(select(SqlLineageEdge.source, SqlLineageEdge.target,
                                       SqlLineageEdge.kind).order_by(SqlLineageEdge.id)).all()
    rows = (nodes, edges, workspace_counts(ws), list_imports(ws))
    if url.startswith("sqlite"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted(folder.glob("workspace.db*"))}
        return (files, *rows)
    return rows


def _good_lines() -> list[str]:
    return EVENTS.read_text(encoding="utf-8").splitlines()


def _missing_producer(lines: list[str]) -> list[str]:
    event = json.loads(lines[4])
    del event["producer"]
    return [*lines[:4], json.dumps(event), *lines[5:]]


def _bad_timestamp(lines: list[str]) -> list[str]:
    event = json.loads(lines[4])
    event["eventTime"] = "2026-13-45T25:61:00Z"
    return [*lines[:4], json.dumps(event), *lines[5:]]


def _truncated_line(lines: list[str]) -> list[str]:
    return [*lines[:4], lines[4][: len(lines[4]) // 2], *lines[5:]]


@pytest.mark.parametrize(
    ("damage", "words"),
    [(_missing_producer, "producer"), (_bad_timestamp, "eventTime"), (_truncated_line, "")],
    ids=["missing required field", "bad timestamp", "truncated line"],
)
def test_malformed_events_store_nothing(
    ws: Workspace, workspace_url: str, tmp_path: Path, damage, words: str  # noqa: ANN001
) -> None:
    import_path(ws, EVENTS)
    before = _state(ws, workspace_url)
    source = tmp_path / "src" / "broken.jsonl"
    source.parent.mkdir()
    source.write_text("\n".join(damage(_good_lines())) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        import_path(ws, source)
    message = str(excinfo.value)
    assert "broken.jsonl" in message and "line 5" in message, message
    assert words in message
    assert _state(ws, workspace_url) == before


def test_the_demo_lineage_joins_the_demo_registry(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parents[2] / "resources" / "demo"
    with Workspace.open(f"sqlite:///{tmp_path / 'demo.db'}") as ws:
        import_path(ws, demo / "registry.json")
        record = import_path(ws, demo / "lineage" / "events.jsonl")
        graph = lineage.lineage_graph(ws)
        with ws.session() as session:
            stored = lineage_counts(session)["lineage_nodes"]
        impact = lineage.impact(ws, "postgres://meridian-core:5432/lending.loan_applications")
        scoring = lineage.lineage_graph(ws, "credit_default:3", "downstream")
    assert 30 <= stored <= 60 and record.counts["events"] == 40
    assert graph.nodes["model:credit_default/3"].status == "Production"
    assert impact == ["model:credit_default/2", "model:credit_default/3", "model:credit_default/4"]
    assert "dataset:bi://meridian-looker/dashboards/credit-risk-overview" in scoring.nodes
    failed = graph.nodes["run:b0764ced-c65b-2549-87c4-7e8cb4551912"]  # MLflow's failed retrain
    assert failed.status == "FAILED" and "errorMessage" in failed.facets
    # Every OpenLineage training run is the registry's run, spelled as a UUID: no twins.
    assert "run:b0764cedc65b254987c47e8cb4551912" not in graph.nodes
    assert graph.dangling_edges() == []


def test_the_demo_events_are_what_the_script_writes(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "events.jsonl"
    subprocess.run([sys.executable, str(root / "scripts" / "make_demo_lineage.py"), str(out)],
                   check=True, capture_output=True)
    shipped = root / "resources" / "demo" / "lineage" / "events.jsonl"
    assert out.read_bytes() == shipped.read_bytes()


def test_printable_graph_shortens_labels_but_keeps_ids_and_edges() -> None:
    from governance_app.domain.lineage import LineageEdge, LineageGraph, LineageNode, NodeKind
    from governance_app.services.lineage import PRINT_LABEL_LIMIT, printable_graph

    graph = LineageGraph()
    run = graph.add_node(LineageNode("run:1", NodeKind.RUN, "46d1d9af-3dd4-40f3-951b-c8cc9eddb5e7"))
    data = graph.add_node(LineageNode("ds:1", NodeKind.DATASET,
                                      "lending/credit_default/2026-07/train.parquet"))
    short = graph.add_node(LineageNode("ds:2", NodeKind.DATASET, "lending.repayments"))
    graph.add_edge(LineageEdge(data.id, run.id, "input"))
    printed = printable_graph(graph)
    assert printed.nodes[run.id].label == "46d1d9af"
    long_label = printed.nodes[data.id].label
    assert len(long_label) == PRINT_LABEL_LIMIT
    assert long_label.startswith("lending/credit") and long_label.endswith("train.parquet")
    assert "…" in long_label
    assert printed.nodes[short.id].label == "lending.repayments"
    assert printed.edges == graph.edges
    assert printed.nodes[data.id].facets == graph.nodes[data.id].facets
