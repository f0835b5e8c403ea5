"""Lineage queries on hand-built graphs whose answers are known by inspection."""

from __future__ import annotations

import pytest

from governance_app.analytics.lineage_graph import (
    ColumnRef,
    LineageIndex,
    collapse_namespace,
    namespace_node_id,
    subgraph,
)
from governance_app.domain.lineage import (
    LineageEdge,
    LineageGraph,
    LineageNode,
    ModelIdentityRule,
    NodeKind,
    canonical_node_id,
    model_version_id,
    parse_node_id,
)
from governance_app.errors import NotFoundError

WH = "warehouse://prod"


def ds(name: str, ns: str = WH, facets: dict | None = None) -> LineageNode:
    return LineageNode(
        canonical_node_id(ns, name, NodeKind.DATASET),
        NodeKind.DATASET,
        name,
        ns,
        facets=facets or {},
    )


def job(name: str, ns: str = "readmission") -> LineageNode:
    return LineageNode(canonical_node_id(ns, name, NodeKind.JOB), NodeKind.JOB, name, ns)


def model(name: str, version: int) -> LineageNode:
    return LineageNode(model_version_id(name, version), NodeKind.MODEL_VERSION, f"{name}/{version}")


@pytest.fixture
def graph() -> LineageGraph:
    """raw.admissions, raw.labs -> build -> features -> train -> model 4
                                                   features -> evaluate -> report
                                                   model 4 -> evaluate
    raw.labs -> other_job -> model other/1 ; unrelated.table alone."""
    nodes = [
        ds("raw.admissions"),
        ds("raw.labs"),
        ds("features"),
        ds("report", "s3://gov"),
        ds("unrelated.table"),
        job("build"),
        job("train"),
        job("evaluate"),
        job("other_job", "other"),
        model("risk", 4),
        model("other", 1),
    ]
    i = {n.name: n.id for n in nodes}
    edges = [
        ("raw.admissions", "build", "input"),
        ("raw.labs", "build", "input"),
        ("build", "features", "output"),
        ("features", "train", "input"),
        ("train", "risk/4", "output"),
        ("features", "evaluate", "input"),
        ("risk/4", "evaluate", "input"),
        ("evaluate", "report", "output"),
        ("raw.labs", "other_job", "input"),
        ("other_job", "other/1", "output"),
    ]
    return LineageGraph.from_parts(nodes, [LineageEdge(i[s], i[t], k) for s, t, k in edges])


def d(name: str, ns: str = WH) -> str:
    return canonical_node_id(ns, name, NodeKind.DATASET)


def j(name: str, ns: str = "readmission") -> str:
    return canonical_node_id(ns, name, NodeKind.JOB)


def test_ids_are_documented_and_the_registry_rule_joins_sources() -> None:
    assert d("raw.x") == "dataset:warehouse://prod/raw.x"
    assert j("train") == "job:readmission/train"
    assert canonical_node_id("", "abc-123", NodeKind.RUN) == "run:abc-123"
    assert canonical_node_id("mlflow://registry", "models/risk/4", "dataset") == "model:risk/4"
    assert canonical_node_id("mlflow://registry", "models/a/b/7", "dataset") == "model:a/b/7"
    assert canonical_node_id("mlflow://registry", "models/noversion", "dataset").startswith(
        "dataset:"
    )
    assert canonical_node_id("mlflow://registry", "models/risk/4", "dataset", None).startswith(
        "dataset:"
    )
    custom = ModelIdentityRule(namespace="sagemaker://registry", prefix="")
    assert canonical_node_id("sagemaker://registry", "churn/3", "dataset", custom) == (
        "model:churn/3"
    )
    assert parse_node_id("model:risk/4") == (NodeKind.MODEL_VERSION, "risk/4")
    with pytest.raises(ValueError):
        parse_node_id("no-prefix")


def test_graph_merges_repeated_nodes_and_edges() -> None:
    g = LineageGraph()
    g.add_node(LineageNode("run:1", NodeKind.RUN, "1", status="RUNNING", facets={"a": 1}))
    g.add_node(LineageNode("run:1", NodeKind.RUN, "1", status="FAIL", facets={"b": 2}))
    assert g.nodes["run:1"].status == "FAIL" and g.nodes["run:1"].facets == {"a": 1, "b": 2}
    assert g.add_edge(LineageEdge("run:1", "x", "output"))
    assert not g.add_edge(LineageEdge("run:1", "x", "output"))
    assert g.dangling_edges() == [LineageEdge("run:1", "x", "output")]
    other = LineageGraph.from_parts([LineageNode("run:1", NodeKind.RUN, "1", facets={"c": 3})], [])
    g.merge(other)
    g.nodes["run:1"].facets["d"] = 4
    assert "d" not in other.nodes["run:1"].facets  # merging copies, never aliases


def test_upstream_and_downstream_closures(graph: LineageGraph) -> None:
    idx = LineageIndex(graph)
    assert idx.upstream("model:risk/4") == {
        j("train"),
        d("features"),
        j("build"),
        d("raw.admissions"),
        d("raw.labs"),
    }
    assert idx.downstream(d("raw.admissions")) == {
        j("build"),
        d("features"),
        j("train"),
        "model:risk/4",
        j("evaluate"),
        d("report", "s3://gov"),
    }
    assert idx.upstream(d("raw.labs")) == set()
    assert idx.upstream("model:risk/4", max_depth=2) == {j("train"), d("features")}
    assert idx.upstream(["model:risk/4", "model:other/1"]) >= {j("other_job", "other")}
    with pytest.raises(NotFoundError):
        idx.upstream("dataset:nowhere/x")


def test_neighbourhood_ignores_direction_and_reports_hops(graph: LineageGraph) -> None:
    idx = LineageIndex(graph)
    assert idx.neighbourhood(d("features"), 1) == {
        d("features"): 0,
        j("build"): 1,
        j("train"): 1,
        j("evaluate"): 1,
    }
    two = idx.neighbourhood(d("features"), 2)
    assert two["model:risk/4"] == 2 and two[d("raw.labs")] == 2 and len(two) == 8
    down = idx.neighbourhood(d("features"), 1, "downstream")
    assert set(down) == {d("features"), j("train"), j("evaluate")}


def test_impact_lists_model_versions_fed_by_a_dataset(graph: LineageGraph) -> None:
    idx = LineageIndex(graph)
    assert idx.impact(d("raw.labs")) == ["model:other/1", "model:risk/4"]
    assert idx.impact(d("raw.admissions")) == ["model:risk/4"]
    assert idx.impact(d("unrelated.table")) == []
    assert idx.impact(d("raw.admissions"), kinds=[NodeKind.JOB]) == [
        j("build"),
        j("evaluate"),
        j("train"),
    ]


def test_all_simple_paths_are_found_and_bounded(graph: LineageGraph) -> None:
    idx = LineageIndex(graph)
    found = idx.all_paths(d("raw.labs"), j("evaluate"))
    assert found.complete
    assert sorted(found.paths) == sorted(
        [
            [d("raw.labs"), j("build"), d("features"), j("evaluate")],
            [d("raw.labs"), j("build"), d("features"), j("train"), "model:risk/4", j("evaluate")],
        ]
    )
    assert idx.all_paths(d("raw.labs"), j("evaluate"), max_length=3).paths == [
        [d("raw.labs"), j("build"), d("features"), j("evaluate")]
    ]
    one = idx.all_paths(d("raw.labs"), j("evaluate"), max_paths=1)
    assert len(one.paths) == 1 and not one.complete
    assert idx.all_paths(d("report", "s3://gov"), d("raw.labs")).paths == []
    assert idx.all_paths(d("features"), d("features")).paths == [[d("features")]]


def test_paths_in_a_cycle_stay_simple() -> None:
    nodes = [LineageNode(f"job:n/{c}", NodeKind.JOB, c, "n") for c in "abc"]
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("b", "a")]
    g = LineageGraph.from_parts(
        nodes, [LineageEdge(f"job:n/{s}", f"job:n/{t}", "x") for s, t in edges]
    )
    assert LineageIndex(g).all_paths("job:n/a", "job:n/c").paths == [
        ["job:n/a", "job:n/b", "job:n/c"]
    ]
    assert LineageIndex(g).upstream("job:n/a") == {"job:n/b", "job:n/c"}


def test_edge_kind_filter_and_parallel_edges() -> None:
    nodes = [LineageNode("run:p", NodeKind.RUN, "p"), LineageNode("run:c", NodeKind.RUN, "c")]
    edges = [LineageEdge("run:p", "run:c", "parent"), LineageEdge("run:p", "run:c", "other")]
    g = LineageGraph.from_parts(nodes, edges)
    assert len(LineageIndex(g).all_paths("run:p", "run:c").paths) == 1
    assert LineageIndex(g, edge_kinds={"input"}).upstream("run:c") == set()


def col_facet(fields: dict[str, list[tuple[str, str, str]]]) -> dict:
    return {
        "columnLineage": {
            "fields": {
                c: {"inputFields": [{"namespace": n, "name": m, "field": f} for n, m, f in ins]}
                for c, ins in fields.items()
            }
        }
    }


def test_column_upstream_follows_facets_transitively() -> None:
    raw = ds("raw.admissions")
    labs = ds("raw.labs")
    feats = ds(
        "features",
        facets=col_facet(
            {
                "age_bucket": [(WH, "raw.admissions", "age")],
                "lab_score": [(WH, "raw.labs", "value"), (WH, "raw.labs", "unit")],
            }
        ),
    )
    risk = LineageNode(
        "model:risk/4",
        NodeKind.MODEL_VERSION,
        "risk/4",
        facets=col_facet(
            {
                "input": [(WH, "features", "age_bucket"), (WH, "features", "lab_score")],
            }
        ),
    )
    scores = ds(
        "scores",
        facets=col_facet(
            {
                "score": [("mlflow://registry", "models/risk/4", "input")],
            }
        ),
    )
    # A malformed entry is skipped here (reporting it is the importer's job).
    scores.facets["columnLineage"]["fields"]["score"]["inputFields"].append({"namespace": WH})
    g = LineageGraph.from_parts([raw, labs, feats, risk, scores], [])
    idx = LineageIndex(g)
    up = idx.column_upstream(d("scores"), "score")
    assert up == {
        ColumnRef("model:risk/4", "input"): 1,
        ColumnRef(d("features"), "age_bucket"): 2,
        ColumnRef(d("features"), "lab_score"): 2,
        ColumnRef(d("raw.admissions"), "age"): 3,
        ColumnRef(d("raw.labs"), "value"): 3,
        ColumnRef(d("raw.labs"), "unit"): 3,
    }
    assert set(idx.column_upstream(d("scores"), "score", max_depth=1)) == {
        ColumnRef("model:risk/4", "input")
    }
    assert idx.column_upstream(d("raw.labs"), "value") == {}
    assert idx.column_upstream(d("features"), "no_such_column") == {}


def test_subgraph_keeps_only_inner_edges(graph: LineageGraph) -> None:
    keep = [d("features"), j("train"), "model:risk/4", "missing:node"]
    sub = subgraph(graph, keep)
    assert set(sub.nodes) == set(keep[:3])
    assert {(e.source, e.target) for e in sub.edges} == {
        (d("features"), j("train")),
        (j("train"), "model:risk/4"),
    }


def test_collapse_namespace_repoints_edges_and_drops_self_loops(graph: LineageGraph) -> None:
    collapsed = collapse_namespace(graph, WH)
    hub = namespace_node_id(WH)
    assert hub == "namespace:warehouse://prod"
    assert collapsed.nodes[hub].kind is NodeKind.NAMESPACE
    assert collapsed.nodes[hub].facets["collapsed"]["count"] == 4
    assert not any(d_ in collapsed.nodes for d_ in (d("raw.labs"), d("features")))
    pairs = {(e.source, e.target) for e in collapsed.edges}
    assert (hub, j("build")) in pairs and (j("build"), hub) in pairs
    assert (hub, j("other_job", "other")) in pairs
    assert all(e.source != e.target for e in collapsed.edges)
    assert len(pairs) == len(collapsed.edges)  # the two raw inputs of build became one edge
    assert len(graph.nodes) == 11  # the original is untouched
    # Collapsing a namespace of jobs merges the loop job -> dataset -> job away.
    jobs = collapse_namespace(graph, "readmission")
    assert LineageIndex(jobs).impact(d("raw.admissions")) == ["model:risk/4"]
    assert collapse_namespace(graph, "nothing-here").nodes == graph.nodes
