"""The ``lineage`` section of a bundle (format 1.1) read into a :class:`LineageGraph`.

The section is the graph itself, so any tool can write it without knowing OpenLineage:
``datasets`` and ``jobs`` by namespace + name, ``runs`` by id, and ``edges`` naming nodes by
the ids of :mod:`governance_app.domain.lineage` (``dataset:<namespace>/<name>``,
``job:<namespace>/<name>``, ``run:<run_id>``, ``model:<name>/<version>``). It maps to the same
graph an OpenLineage import makes: a column list becomes the OpenLineage ``schema`` facet, a
digest the ``version`` facet (``datasetVersion``), a run's ``job`` the ``job → run`` instance
edge, and a dataset named by the model identity rule (``mlflow://registry`` +
``models/<name>/<version>``) is that model version.

The schema has checked shapes; this module checks what a schema cannot: every edge names a
node declared in the bundle (under ``lineage``, or a run of ``runs``, or a version of
``models``, so lineage joins the registry it travels with), each edge kind joins the kinds of
node it can (``input`` goes from a dataset to a run, never the other way), and no node is
declared twice. Errors name the field path and its line, as the rest of the bundle's do.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from governance_app.domain.lineage import (
    DEFAULT_MODEL_RULE,
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    ModelIdentityRule,
    NodeKind,
    canonical_node_id,
    model_version_id,
    parse_node_id,
)
from governance_app.domain.registry import RegisteredModel, Run
from governance_app.importers.json_paths import FieldPath, Places
from governance_app.importers.registry import ImportContext

TimeFn = Callable[[str | None, FieldPath], datetime | None]

_ENDS: dict[str, tuple[frozenset[NodeKind], frozenset[NodeKind]]] = {
    EdgeKind.INPUT.value: (
        frozenset({NodeKind.DATASET, NodeKind.MODEL_VERSION}),
        frozenset({NodeKind.RUN, NodeKind.JOB}),
    ),
    EdgeKind.OUTPUT.value: (
        frozenset({NodeKind.RUN, NodeKind.JOB}),
        frozenset({NodeKind.DATASET, NodeKind.MODEL_VERSION}),
    ),
    EdgeKind.PRODUCED.value: (frozenset({NodeKind.RUN}), frozenset({NodeKind.MODEL_VERSION})),
    EdgeKind.PARENT.value: (frozenset({NodeKind.RUN}), frozenset({NodeKind.RUN})),
    EdgeKind.INSTANCE.value: (frozenset({NodeKind.JOB}), frozenset({NodeKind.RUN})),
}
"""Which kinds of node each edge kind may start and end at (the direction data flows)."""

_IDS = (
    "dataset:<namespace>/<name> or job:<namespace>/<name> of a node under lineage, run:<run_id> "
    "of lineage.runs or runs, or model:<name>/<version> of a version under models"
)
_WORDS = {
    NodeKind.DATASET: "dataset",
    NodeKind.JOB: "job",
    NodeKind.RUN: "run",
    NodeKind.MODEL_VERSION: "model version",
}


def read_lineage(
    places: Places,
    doc: dict[str, Any],
    runs: list[Run],
    models: list[RegisteredModel],
    time: TimeFn,
    ctx: ImportContext,
    rule: ModelIdentityRule | None = DEFAULT_MODEL_RULE,
) -> LineageGraph | None:
    """The lineage graph of a schema-valid bundle, or ``None`` when it has no lineage section.

    Args:
        runs: the bundle's runs, already read: edges may name them.
        models: the bundle's models: edges may name their versions.
        time: the bundle's timestamp parser (refuses impossible dates with a field path).

    Raises:
        InputError: a node is declared twice, a run names an undeclared job, an edge names an
            undeclared node or joins kinds its kind cannot; the message names the field path
            and line.
        ImportCancelled: ``ctx`` reported a cancel request.
    """
    section = doc.get("lineage")
    if section is None:
        return None
    graph = LineageGraph()
    seen: dict[str, FieldPath] = {}
    for i, item in enumerate(section.get("datasets", [])):
        _dataset(places, graph, seen, item, i, rule)
    for i, item in enumerate(section.get("jobs", [])):
        node_id = canonical_node_id(item["namespace"], item["name"], NodeKind.JOB)
        _declare(places, seen, node_id, ["lineage", "jobs", i])
        graph.add_node(LineageNode(node_id, NodeKind.JOB, item["name"], item["namespace"],
                                   facets=dict(item.get("facets", {}))))
    for i, item in enumerate(section.get("runs", [])):
        _run(places, graph, seen, item, i, time)
    bundle_runs = {canonical_node_id("", r.run_id, NodeKind.RUN): r for r in runs}
    versions = {model_version_id(m.name, v.version) for m in models for v in m.versions}
    known = set(graph.nodes) | set(bundle_runs) | versions
    for i, item in enumerate(section.get("edges", [])):
        if i % 1000 == 0:
            ctx.check_cancelled()
        edge = LineageEdge(item["source"], item["target"], item["kind"])
        _check_edge(places, edge, i, known)
        for node_id in (edge.source, edge.target):
            if node_id not in graph.nodes:
                graph.add_node(_registry_node(node_id, bundle_runs))
        graph.add_edge(edge)
    return graph


def _declare(places: Places, seen: dict[str, FieldPath], node_id: str, at: FieldPath) -> None:
    if node_id in seen:
        raise places.error(
            at,
            f"node {node_id!r} is already declared at {places.where(seen[node_id])}",
            "each dataset, job and run once in the lineage section",
        )
    seen[node_id] = at


def _dataset(
    places: Places,
    graph: LineageGraph,
    seen: dict[str, FieldPath],
    item: dict[str, Any],
    i: int,
    rule: ModelIdentityRule | None,
) -> None:
    namespace, name = item["namespace"], item["name"]
    node_id = canonical_node_id(namespace, name, NodeKind.DATASET, rule)
    _declare(places, seen, node_id, ["lineage", "datasets", i])
    facets = dict(item.get("facets", {}))
    if "schema" in item:  # OpenLineage's schema facet, so the details panel shows the columns
        facets["schema"] = {"fields": [dict(column) for column in item["schema"]]}
    if "digest" in item:  # OpenLineage's dataset version facet
        facets["version"] = {"datasetVersion": item["digest"]}
    kind, rest = parse_node_id(node_id)
    if kind is NodeKind.MODEL_VERSION:  # the identity rule: this dataset is a model version
        graph.add_node(LineageNode(node_id, kind, rest, "", facets=facets))
    else:
        graph.add_node(LineageNode(node_id, kind, name, namespace, facets=facets))


def _run(
    places: Places,
    graph: LineageGraph,
    seen: dict[str, FieldPath],
    item: dict[str, Any],
    i: int,
    time: TimeFn,
) -> None:
    at: list[str | int] = ["lineage", "runs", i]
    node_id = canonical_node_id("", item["run_id"], NodeKind.RUN)
    _declare(places, seen, node_id, at)
    job_id = item.get("job")
    job = graph.nodes.get(job_id) if job_id else None
    if job_id and (job is None or job.kind is not NodeKind.JOB):
        jobs = sorted(n for n in graph.nodes if n.startswith("job:"))
        raise places.error(
            [*at, "job"],
            f"job {job_id!r} is not declared under lineage.jobs",
            f"the id of a job under lineage.jobs ({', '.join(jobs[:10]) or 'none are listed'})",
        )
    graph.add_node(
        LineageNode(
            node_id, NodeKind.RUN, item["run_id"], job.namespace if job else "",
            item.get("status", ""), dict(item.get("facets", {})),
            time(item.get("started_at"), [*at, "started_at"]),
            time(item.get("ended_at"), [*at, "ended_at"]),
        )
    )
    if job is not None:
        graph.add_edge(LineageEdge(job.id, node_id, EdgeKind.INSTANCE.value))


def _check_edge(places: Places, edge: LineageEdge, i: int, known: set[str]) -> None:
    at: list[str | int] = ["lineage", "edges", i]
    starts, ends = _ENDS[edge.kind]
    for end, node_id, allowed in (("source", edge.source, starts), ("target", edge.target, ends)):
        if node_id not in known:
            close = difflib.get_close_matches(node_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise places.error(
                [*at, end], f"{end} {node_id!r} names no node declared in this bundle{hint}", _IDS
            )
        kind, _ = parse_node_id(node_id)
        if kind not in allowed:
            words = " or ".join(sorted(_WORDS[k] for k in allowed))
            side = "start" if end == "source" else "end"
            an = "an" if edge.kind[0] in "aeiou" else "a"
            raise places.error(
                [*at, end],
                f"{an} {edge.kind!r} edge cannot {side} at {_WORDS[kind]} {node_id!r}",
                f"a {words} as the {end} of {an} {edge.kind!r} edge (edges point the way data "
                "flows: dataset → run is input, run → dataset is output)",
            )


def _registry_node(node_id: str, bundle_runs: dict[str, Run]) -> LineageNode:
    """The node for a run of ``runs`` or a version of ``models`` that an edge names.

    Stored with the lineage so the edge always has two ends; the registry's own view of the
    same node (stage, MLflow status) joins it by id when the workspace graph is assembled.
    """
    kind, rest = parse_node_id(node_id)
    run = bundle_runs.get(node_id)
    if run is not None:
        return LineageNode(node_id, NodeKind.RUN, run.run_id, "", run.status,
                           started_at=run.start_time, ended_at=run.end_time)
    return LineageNode(node_id, kind, rest, "")
