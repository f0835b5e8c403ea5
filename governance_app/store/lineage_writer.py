"""Store a :class:`LineageSnapshot` idempotently inside the caller's transaction.

Nodes are matched by their natural id and edges by their (source, target, kind) triple, so the
same events imported twice change nothing. A node already stored is *merged* with the new
report the way :meth:`LineageGraph.add_node` merges two events of one run (facets unioned, the
newer status and times winning): two event files that each describe a dataset must not erase
each other's facets. A node whose merged digest moved is updated and listed as a change of the
import, as :mod:`registry_writer` does for registry records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from governance_app.domain.lineage import LineageEdge, LineageGraph, LineageNode
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.store import codec
from governance_app.store.lineage_reader import node_from_row
from governance_app.store.registry_writer import ChangeLog
from governance_app.store.schema import SqlChange
from governance_app.store.schema_lineage import SqlLineageEdge, SqlLineageNode

Tick = Callable[[int, int, str], None]


_DIGEST_TEXT = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
"""``json.dumps`` with these options, without building an encoder for each of 20,000 nodes."""


def node_digest(node: LineageNode) -> str:
    """SHA-256 over every stored field of a node, to tell a moved node from an equal one."""
    payload = {
        "id": node.id,
        "kind": node.kind.value,
        "namespace": node.namespace,
        "name": node.name,
        "status": node.status,
        "facets": node.facets,
        "started_at": node.started_at.isoformat() if node.started_at else None,
        "ended_at": node.ended_at.isoformat() if node.ended_at else None,
    }
    return hashlib.sha256(_DIGEST_TEXT(payload).encode("utf-8")).hexdigest()


def save_lineage(
    session: Session, snapshot: LineageSnapshot, import_id: int, tick: Tick
) -> dict[str, int]:
    """Write the snapshot's nodes and edges; returns the change summary (``nodes_added`` …)."""
    log = ChangeLog()
    graph = snapshot.graph
    _save_nodes(session, graph, import_id, log)
    tick(1, 2, f"{len(graph.nodes)} lineage nodes stored")
    _save_edges(session, graph.edges, import_id, log)
    tick(2, 2, f"{len(graph.edges)} lineage edges stored")
    if log.rows:
        codec.insert_rows(session, SqlChange, [
            {"import_id": import_id, "entity": e, "key": k, "change": c} for e, k, c in log.rows
        ], 2000)
    return log.summary()


def _values(node: LineageNode) -> dict[str, Any]:
    return {
        "id": node.id,
        "kind": node.kind.value,
        "namespace": node.namespace,
        "name": node.name,
        "status": node.status,
        "started_at": node.started_at,
        "ended_at": node.ended_at,
        "facets": node.facets,
        "digest": node_digest(node),
    }


def _save_nodes(session: Session, graph: LineageGraph, import_id: int, log: ChangeLog) -> None:
    ids = list(graph.nodes)
    stored: dict[str, SqlLineageNode] = {}
    for part in codec.chunks(ids):
        for row in session.scalars(select(SqlLineageNode).where(SqlLineageNode.id.in_(part))):
            stored[row.id] = row
    new_rows: list[dict[str, Any]] = []
    for node_id, node in graph.nodes.items():
        row = stored.get(node_id)
        if row is None:
            values = _values(node)
            values.update(first_import_id=import_id, last_import_id=import_id)
            new_rows.append(values)
            log.add("lineage_node", node_id, "added")
            continue
        have = node_from_row(row)
        merged = LineageGraph(nodes={node_id: replace(have, facets=dict(have.facets))})
        merged.add_node(replace(node, facets=dict(node.facets)))
        values = _values(merged.nodes[node_id])
        if values["digest"] != row.digest:
            values["last_import_id"] = import_id
            session.execute(
                update(SqlLineageNode).where(SqlLineageNode.id == node_id).values(values)
            )
            log.add("lineage_node", node_id, "updated")
    codec.insert_rows(session, SqlLineageNode, new_rows)


def _save_edges(
    session: Session, edges: list[LineageEdge], import_id: int, log: ChangeLog
) -> None:
    triples = codec.distinct((e.source, e.target, e.kind) for e in edges)
    stored: set[tuple[str, str, str]] = set()
    cols = (SqlLineageEdge.source, SqlLineageEdge.target, SqlLineageEdge.kind)
    for part in codec.chunks(triples, 300):
        stored.update(
            (s, t, k) for s, t, k in session.execute(select(*cols).where(tuple_(*cols).in_(part)))
        )
    new = [t for t in triples if t not in stored]
    for source, target, kind in new:
        log.add("lineage_edge", f"{source} -> {target} ({kind})", "added")
    rows = [
        {"source": s, "target": t, "kind": k, "first_import_id": import_id} for s, t, k in new
    ]
    codec.insert_rows(session, SqlLineageEdge, rows)
