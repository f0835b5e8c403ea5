"""Lineage use cases: the workspace's graph, a node's closure, impact, layout and export.

The graph is assembled on every call from two sources that join by node id: the lineage
imports stored in the workspace (OpenLineage) and the lineage the MLflow registry implies
(:func:`store.lineage_reader.registry_graph`). Nothing is cached: a registry import shows up
in the next graph without any lineage bookkeeping.

Node references people type (``credit_default:3``, ``warehouse://prod/raw.admissions``, a job
name, a raw id) are resolved by :func:`node_id_for`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from governance_app.analytics.layered_layout import Layout, layered_layout
from governance_app.analytics.lineage_dot import to_dot
from governance_app.analytics.lineage_graph import LineageIndex, subgraph
from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    canonical_node_id,
    model_version_id,
    parse_node_id,
    run_name,
)
from governance_app.errors import InputError, NotFoundError
from governance_app.services.workspace import Workspace
from governance_app.store import lineage_reader

Direction = Literal["upstream", "downstream", "both"]
ExportFormat = Literal["json", "dot", "svg", "png"]
ProgressFn = Callable[[int, int, str], None]
DIRECTIONS = ("upstream", "downstream", "both")
EXPORT_FORMATS = ("json", "dot", "svg", "png")
CHAR_WIDTH = 6.2
"""Layout units per label character; the figure draws 1 unit as 1 point at 9 pt text."""
BOX_PADDING = 18.0


def workspace_graph(ws: Workspace) -> LineageGraph:
    """Every lineage node and edge the workspace knows: stored imports joined with MLflow's.

    Stored lineage goes in first and the registry's second, so a model version's registry
    stage and an MLflow run's status win over what an event said about the same node. DVC
    files are then joined with the same files other sources name, by content hash or path
    only when unambiguous; the rest are listed as candidates on the DVC node
    (:mod:`governance_app.analytics.pipeline_join`).
    """
    with ws.session() as session:
        stored = lineage_reader.stored_graph(session)
        derived = lineage_reader.registry_graph(session, frozenset(stored.nodes))
    stored.merge(derived)
    # DVC files join the datasets and versions other sources know (docs/pipelines.md).
    from governance_app.analytics.pipeline_join import join_pipelines

    joined, _report = join_pipelines(stored)
    return joined


def lineage_graph(
    ws: Workspace,
    focus: str | None = None,
    direction: str = "both",
    depth: int | None = None,
) -> LineageGraph:
    """The whole workspace graph, or the part around one node.

    Args:
        focus: a node reference (see :func:`node_id_for`); ``None`` for everything.
        direction: ``upstream`` (what it came from), ``downstream`` (what it fed) or ``both``
            (the union of the two closures, not the whole connected component).
        depth: most hops from ``focus``; ``None`` for the full closure.

    Raises:
        NotFoundError: ``focus`` names no node of the workspace.
        InputError: ``direction`` or ``depth`` is not valid, or ``focus`` is ambiguous.
    """
    if direction not in DIRECTIONS:
        raise InputError("direction", f"{direction!r} is not a direction",
                         expected=" or ".join(DIRECTIONS))
    if depth is not None and depth < 0:
        raise InputError("depth", f"{depth} is negative", expected="0 or more hops")
    graph = workspace_graph(ws)
    if focus is None:
        return graph
    return focus_graph(graph, node_id_for(focus, graph), direction, depth)


def focus_graph(
    graph: LineageGraph, node_id: str, direction: str = "both", depth: int | None = None
) -> LineageGraph:
    """The node, its upstream and/or downstream closure within ``depth``, and edges among them.

    Closures follow data edges only (a run's own inputs and outputs, see
    :mod:`governance_app.domain.lineage`); the job of every run kept is added with its
    ``instance`` edge as context, so a drawing names what each run was, but no job ever brings
    in the data of its other runs.
    """
    index = LineageIndex(graph)
    keep = {node_id}
    if direction in ("upstream", "both"):
        keep |= index.upstream(node_id, depth)
    if direction in ("downstream", "both"):
        keep |= index.downstream(node_id, depth)
    keep |= {e.source for e in graph.edges if e.kind == EdgeKind.INSTANCE.value
             and e.target in keep and e.source in graph.nodes}
    ordered = [i for i in graph.nodes if i in keep]
    return subgraph(graph, ordered)


def node_id_for(ref: str, graph: LineageGraph | None = None) -> str:
    """The node id a person means by ``ref``.

    Accepted, in this order: a raw id (``dataset:…``, ``job:…``, ``run:…``, ``model:…``); a
    model version ``name:version``; a dataset ``namespace/name`` (a registry-model dataset
    such as ``mlflow://registry/models/m/3`` is that model version); a job ``namespace/name``;
    a run id; a job or dataset name without its namespace when exactly one node has it.

    Without ``graph`` only the forms that need no lookup are resolved (a raw id, a model
    version); with it, the answer is always a node of the graph.

    Raises:
        NotFoundError: nothing matches (the message says what forms are accepted).
        InputError: a bare name matches several nodes (the message lists them).
    """
    ref = ref.strip()
    candidates = _candidates(ref)
    if graph is None:
        if candidates:
            return candidates[0]
        raise NotFoundError(f"{ref!r} is not a lineage node id or a model version NAME:VERSION")
    for candidate in candidates:
        if candidate in graph.nodes:
            return candidate
    for split in _splits(ref):
        for kind in (NodeKind.DATASET, NodeKind.JOB, NodeKind.STAGE):
            node_id = canonical_node_id(*split, kind)
            if node_id in graph.nodes:
                return node_id
    for kind in (NodeKind.RUN,):
        node_id = canonical_node_id("", ref, kind)
        if node_id in graph.nodes:
            return node_id
    named = sorted(
        n.id for n in graph.nodes.values()
        if n.name == ref and n.kind in (NodeKind.JOB, NodeKind.DATASET, NodeKind.STAGE)
    )
    if len(named) == 1:
        return named[0]
    if named:
        raise InputError(ref, f"names {len(named)} lineage nodes",
                         expected=f"one of {', '.join(named)}")
    raise NotFoundError(
        f"no lineage node {ref!r} in this workspace; give a model version NAME:VERSION, a "
        "dataset NAMESPACE/NAME, a job (NAMESPACE/)NAME, a run id or a node id such as "
        "dataset:s3://bucket/key"
    )


def _candidates(ref: str) -> list[str]:
    out = []
    try:
        parse_node_id(ref)
        out.append(ref)
    except ValueError:
        pass
    name, sep, version = ref.rpartition(":")
    if sep and name and version.isdigit():
        out.append(model_version_id(name, int(version)))
    return out


def _splits(ref: str) -> list[tuple[str, str]]:
    """Every ``(namespace, name)`` reading of ``ns/name`` (names and namespaces hold slashes)."""
    return [(ref[:i], ref[i + 1 :]) for i, ch in enumerate(ref) if ch == "/" and 0 < i < len(ref)]


def impact(ws: Workspace, dataset: str) -> list[str]:
    """Model versions downstream of a dataset: "which versions consumed this data".

    Raises:
        NotFoundError: the dataset is not in the workspace's lineage.
    """
    graph = workspace_graph(ws)
    return LineageIndex(graph).impact(node_id_for(dataset, graph))


def upstream_datasets(ws: Workspace, name: str, version: int | str) -> list[LineageNode]:
    """Every dataset a model version derives from, directly or through jobs and runs, by id.

    Raises:
        NotFoundError: the version is not in the workspace's lineage.
    """
    graph = workspace_graph(ws)
    node_id = model_version_id(name, version)
    if node_id not in graph.nodes:
        raise NotFoundError(f"model version {name}:{version} has no lineage in this workspace")
    index = LineageIndex(graph)
    return [graph.nodes[i] for i in index.of_kind(index.upstream(node_id), [NodeKind.DATASET])]


def node_width(node: LineageNode) -> float:
    """Drawing width of a node's box, from its longest line (label or kind caption)."""
    longest = max(len(node.label), len(_caption(node)))
    return CHAR_WIDTH * longest + BOX_PADDING


PRINT_LABEL_LIMIT = 30
"""Longest box label in a printed drawing; longer names keep their head and tail."""


def printable_graph(graph: LineageGraph) -> LineageGraph:
    """The graph with labels short enough to read on a printed page.

    A report draws the upstream graph at the width of an A4 column, where a row of boxes
    labelled with 36-character run UUIDs shrinks to unreadable 3-point text. Runs keep the
    first 8 characters of their id (as the GUI's details do), other long names their head and
    tail; ids, edges and facets are unchanged, so tables beside the drawing still match.
    """
    out = LineageGraph()
    for node in graph.nodes.values():
        name = run_name(node) or node.name  # a run by its MLflow name, when it has one
        if node.kind is NodeKind.RUN and not run_name(node) and len(name) > 8:
            name = name[:8]
        if len(name) > PRINT_LABEL_LIMIT:
            keep = PRINT_LABEL_LIMIT - 1
            name = name[: keep - keep // 2] + "…" + name[-(keep // 2):]
        out.add_node(replace(node, name=name))
    for edge in graph.edges:
        out.add_edge(edge)
    return out


PATH_EDGE_KIND = "derived"
"""The kind of a drawn edge standing for jobs and runs between two datasets."""


def data_path_graph(graph: LineageGraph, focus: str) -> LineageGraph:
    """Only the datasets and ``focus`` (the model version), each data flow through jobs and
    runs drawn as one edge: the path from raw data to the version, for a printed page.

    A version's full upstream graph (every job, run and attempt) is too wide for a page at a
    readable type size; a reader of a card asks which data the version came from, and the
    table beside the drawing plus ``governance-app lineage REF --upstream`` give the rest.
    """
    keep = {i for i, n in graph.nodes.items() if n.kind is NodeKind.DATASET} | {focus}
    following: dict[str, list[str]] = {}
    for edge in graph.edges:
        following.setdefault(edge.source, []).append(edge.target)
    out = LineageGraph()
    for node_id in sorted(keep):
        if node_id in graph.nodes:
            out.add_node(graph.nodes[node_id])
    for start in sorted(keep):
        seen: set[str] = set()
        frontier = list(following.get(start, []))
        while frontier:  # walk through jobs and runs until the next kept node
            node_id = frontier.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            if node_id in keep:
                if node_id != start:
                    out.add_edge(LineageEdge(start, node_id, PATH_EDGE_KIND))
                continue
            frontier.extend(following.get(node_id, []))
    return out


def _caption(node: LineageNode) -> str:
    return "MODEL VERSION" if node.kind is NodeKind.MODEL_VERSION else node.kind.value.upper()


def layout_graph(
    graph: LineageGraph,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Layout:
    """A layered layout of the graph, boxes sized by their labels (a worker calls this).

    Raises:
        LayoutCancelled: ``is_cancelled()`` returned True.
    """
    nodes = graph.nodes
    return layered_layout(
        list(nodes),
        [(e.source, e.target) for e in graph.edges if e.source in nodes and e.target in nodes],
        width=lambda node_id: node_width(nodes[node_id]),
        node_sep=16.0,
        layer_gap=72.0,
        progress=progress,
        is_cancelled=is_cancelled,
    )


def graph_json(graph: LineageGraph, focus: str | None = None) -> dict[str, Any]:
    """The graph as plain JSON values, nodes and edges sorted, for ``--format json``."""
    nodes = [
        {
            "id": n.id, "kind": n.kind.value, "namespace": n.namespace, "name": n.name,
            "status": n.status, "started_at": n.started_at.isoformat() if n.started_at else None,
            "ended_at": n.ended_at.isoformat() if n.ended_at else None, "facets": n.facets,
        }
        for n in sorted(graph.nodes.values(), key=lambda n: n.id)
    ]
    edges = sorted(
        {(e.source, e.target, e.kind) for e in graph.edges}, key=lambda e: (e[0], e[1], e[2])
    )
    return {
        "focus": focus,
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "kind": k} for s, t, k in edges],
    }


def export_graph(
    graph: LineageGraph,
    fmt: str,
    target: Path | None = None,
    *,
    layout: Layout | None = None,
    title: str | None = None,
) -> bytes:
    """The graph as DOT, SVG, PNG or JSON bytes, written to ``target`` when given.

    Args:
        layout: reuse a layout already computed (the GUI has one); else one is made.
        title: a heading drawn above SVG/PNG drawings.

    Raises:
        InputError: ``fmt`` is not one of :data:`EXPORT_FORMATS`.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError("format", f"{fmt!r} is not an export format",
                         expected=", ".join(EXPORT_FORMATS))
    if fmt == "json":
        data = (json.dumps(graph_json(graph), indent=2, ensure_ascii=False) + "\n").encode()
    elif fmt == "dot":
        data = to_dot(graph).encode("utf-8")
    else:
        from governance_app.services.lineage_render import render_figure

        data = render_figure(graph, layout or layout_graph(graph), fmt, title, node_width)
    if target is not None:
        Path(target).write_bytes(data)
    return data
