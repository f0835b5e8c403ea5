"""The printed data path: datasets and the version only, jobs and runs contracted to arrows."""

from __future__ import annotations

from governance_app.domain.lineage import (
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    canonical_node_id,
    model_version_id,
)
from governance_app.services.lineage import PATH_EDGE_KIND, data_path_graph


def _node(kind: NodeKind, name: str, namespace: str = "s3://lake") -> LineageNode:
    return LineageNode(canonical_node_id(namespace, name, kind), kind, name, namespace)


def test_jobs_and_runs_between_datasets_become_one_edge_each() -> None:
    raw, features, holdout = (_node(NodeKind.DATASET, n) for n in ("raw", "features", "holdout"))
    job, run = _node(NodeKind.JOB, "build"), _node(NodeKind.RUN, "4f0c2a9e-run")
    train = _node(NodeKind.RUN, "9b1d-train")
    model = LineageNode(model_version_id("credit", 4), NodeKind.MODEL_VERSION, "credit/4")
    graph = LineageGraph()
    for node in (raw, features, holdout, job, run, train, model):
        graph.add_node(node)
    for source, target in ((raw, job), (job, run), (run, features), (features, train),
                           (holdout, train), (train, model), (run, run)):
        graph.add_edge(LineageEdge(source.id, target.id, "input"))
    page = data_path_graph(graph, model.id)
    assert set(page.nodes) == {raw.id, features.id, holdout.id, model.id}
    assert {(e.source, e.target) for e in page.edges} == {
        (raw.id, features.id), (features.id, model.id), (holdout.id, model.id)}
    assert {e.kind for e in page.edges} == {PATH_EDGE_KIND}
