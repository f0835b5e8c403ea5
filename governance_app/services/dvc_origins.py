"""DVC origins: a version whose model file a DVC stage writes came from that stage.

DVC has no registry of its own to import versions from: a version reaches the workspace from
another source (a bundle, MLflow) and DVC says which stage wrote its file. The lineage join
(:mod:`governance_app.analytics.pipeline_join`, rule 3: the version's ``source`` is the DVC
output's path, or its md5 is the output's) decides which versions a DVC stage produced; each
such version that has no origin from its own platform gets a ``dvc`` origin naming the stage,
the output's path and md5. It runs inside the import's transaction, after any import into a
workspace that holds DVC stages, so the order of the DVC and the registry imports does not
matter; a version already recorded as DVC's is refreshed when the stage's output moved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.cloud import VersionOrigin
from governance_app.domain.lineage import EdgeKind, LineageGraph, NodeKind
from governance_app.store import cloud_reader, lineage_reader
from governance_app.store.cloud_writer import save_origins
from governance_app.store.schema_lineage import SqlLineageNode

STAGE_PREFIX = "stage:dvc://"


def record_dvc_origins(session: Session, import_id: int) -> dict[str, int]:
    """Store the DVC origin of every version a DVC stage produced (change summary)."""
    has_stage = session.execute(select(SqlLineageNode.id).where(
        SqlLineageNode.id.startswith(STAGE_PREFIX)).limit(1)).first()
    if has_stage is None:
        return {}
    from governance_app.analytics.pipeline_join import join_pipelines

    stored = lineage_reader.stored_graph(session)
    stored.merge(lineage_reader.registry_graph(session, frozenset(stored.nodes)))
    joined, report = join_pipelines(stored)
    if not report.produced:
        return {}
    recorded = cloud_reader.origins(session, None)
    origins = []
    for stage, version_id, rule in report.produced:
        name, _, number = version_id.partition(":")[2].rpartition("/")
        have = recorded.get((name, int(number)))
        if have is not None and have.origin != "dvc":
            continue  # its own platform's origin stays; the lineage still shows the stage
        origins.append(_origin(joined, stage, version_id, name, int(number), rule))
    return save_origins(session, origins, import_id) if origins else {}


def _origin(graph: LineageGraph, stage: str, version_id: str, name: str, number: int,
            rule: str) -> VersionOrigin:
    project, _, stage_name = stage.removeprefix(STAGE_PREFIX).partition("/")
    path, md5 = _output(graph, stage, graph.nodes[version_id].facets)
    details: dict[str, Any] = {"stage": stage_name, "path": path, "md5": md5,
                               "project": project, "matched_by": rule}
    return VersionOrigin(model_name=name, version=number, origin="dvc",
                         source_id=f"{stage_name}:{path}" if path else stage_name,
                         model_source_id=f"dvc://{project}", details=details)


def _output(graph: LineageGraph, stage: str, version_facets: dict[str, Any]) -> tuple[str, str]:
    """The stage's output the version was matched with: (path, md5)."""
    source = str((version_facets.get("mlflow") or {}).get("source") or "").replace("\\", "/")
    text = repr(version_facets)
    outputs = []
    for edge in graph.edges:
        node = graph.nodes.get(edge.target)
        if edge.source != stage or edge.kind != EdgeKind.OUTPUT.value or node is None or (
                node.kind is not NodeKind.DATASET and "dvc" not in node.facets):
            continue
        facet = node.facets.get("dvc") or {}
        path, md5 = str(facet.get("path") or node.name), str(facet.get("md5") or "")
        outputs.append((path, md5))
        if source and (source == path or source.endswith("/" + path)):
            return path, md5
    for path, md5 in outputs:
        if md5 and md5 in text:
            return path, md5
    return ("", "") if not outputs else outputs[0]
