"""Store a :class:`PipelineSnapshot`: settle version numbers, then save it as a bundle.

A pipeline names a registered version by a label (``1.0.0``). The workspace numbers versions,
so the label is kept as a tag and matched here: a label the model already has keeps its
number; a new label gets its provisional number when that number is free, else the next
number after the model's highest. The lineage graph's placeholder ids are then renamed to
``model:<name>/<number>`` so lineage and registry name the same version.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.lineage import LineageGraph, LineageNode, model_version_id
from governance_app.domain.pipeline_snapshot import PipelineSnapshot
from governance_app.store.bundle_writer import save_bundle
from governance_app.store.schema import SqlModelVersion, SqlRegisteredModel

Tick = Callable[[int, int, str], None]


def save_pipeline(
    session: Session, snapshot: PipelineSnapshot, import_id: int, tick: Tick
) -> dict[str, int]:
    """Number the snapshot's versions against the workspace, then store registry and lineage."""
    renames: dict[str, str] = {}
    for model in snapshot.models:
        stored = {
            tags.get(snapshot.version_tag): version
            for version, tags in session.execute(
                select(SqlModelVersion.version, SqlModelVersion.tags)
                .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
                .where(SqlRegisteredModel.name == model.name)
            )
        }
        used = set(stored.values())
        following = max(used, default=0) + 1
        for version in model.versions:
            label = version.tags.get(snapshot.version_tag, "")
            if label in stored:
                number = stored[label]
            elif version.version not in used:
                number = version.version
            else:
                number = following
            used.add(number)
            following = max(following, number + 1)
            version.version = number
            placeholder = snapshot.placeholder_ids.get((model.name, label))
            if placeholder:
                renames[placeholder] = model_version_id(model.name, number)
    if snapshot.lineage is not None and renames:
        snapshot.lineage = _renamed(snapshot.lineage, renames)
    return save_bundle(session, snapshot, import_id, tick)


def _renamed(graph: LineageGraph, renames: dict[str, str]) -> LineageGraph:
    out = LineageGraph()
    for node in graph.nodes.values():
        new_id = renames.get(node.id, node.id)
        name = new_id.partition(":")[2] if new_id != node.id else node.name
        out.add_node(LineageNode(new_id, node.kind, name, node.namespace, node.status,
                                 dict(node.facets), node.started_at, node.ended_at))
    for edge in graph.edges:
        out.add_edge(type(edge)(renames.get(edge.source, edge.source),
                                renames.get(edge.target, edge.target), edge.kind))
    return out
