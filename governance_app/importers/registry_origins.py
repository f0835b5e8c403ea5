"""The origin of each version an MLflow or Kubeflow import produced, from what the importer read.

The cloud importers (SageMaker, Vertex, W&B) build their :class:`VersionOrigin` records as they
read; MLflow and Kubeflow importers already put everything an origin needs on the version (the
MLflow run id; the KFP run id, the artifact's URI and digests as ``kfp.*`` tags, the task that
wrote the model in the lineage part). Deriving the origins here, from the snapshot, keeps those
importers unchanged: the import service stores them in the import's own transaction, after the
store writer has settled the version numbers (a KFP label such as ``1.0.0`` gets its number
there).
"""

from __future__ import annotations

from typing import Any

from governance_app.domain.cloud import VersionOrigin
from governance_app.domain.lineage import LineageGraph, NodeKind, model_version_id
from governance_app.domain.registry import ModelVersion, RegistrySnapshot

MLFLOW_KINDS = frozenset({"mlflow-sqlite", "mlflow-filestore", "mlflow-rest"})
KUBEFLOW_KINDS = frozenset({"kubeflow-mlmd"})
KFP_VERSION_TAG = "kfp.model_version"


def registry_origins(snapshot: Any) -> list[VersionOrigin]:
    """Origins of the snapshot's versions when its kind is MLflow or Kubeflow, else none."""
    if not isinstance(snapshot, RegistrySnapshot):
        return []
    if snapshot.kind in MLFLOW_KINDS:
        return [_mlflow(v) for m in snapshot.models for v in m.versions]
    if snapshot.kind in KUBEFLOW_KINDS:
        graph = getattr(snapshot, "lineage", None)
        return [_kubeflow(v, graph) for m in snapshot.models for v in m.versions]
    return []


def _mlflow(v: ModelVersion) -> VersionOrigin:
    """``models:/<name>/<version>`` (MLflow's own URI of a registered version) and its run."""
    details: dict[str, Any] = {"registered_model": v.model_name, "version": v.version}
    if v.run_id:
        details["run_id"] = v.run_id
    if v.source:
        details["source"] = v.source
    if v.run_link:
        details["run_link"] = v.run_link
    return VersionOrigin(model_name=v.model_name, version=v.version, origin="mlflow",
                         source_id=f"models:/{v.model_name}/{v.version}",
                         model_source_id=v.model_name, details=details)


def _kubeflow(v: ModelVersion, graph: LineageGraph | None) -> VersionOrigin:
    """``<KFP run id>/<task>``: the run that registered the version and the task that wrote
    the model artifact (its label, URI and digests in the details)."""
    task = _producing_task(graph, model_version_id(v.model_name, v.version))
    details: dict[str, Any] = {"run_id": v.run_id}
    if task:
        details["task"] = task
    label = v.tags.get(KFP_VERSION_TAG, "")
    if label:
        details["model_version"] = label
    for tag, key in (("kfp.artifact_uri", "artifact_uri"), ("kfp.md5", "md5"),
                     ("kfp.sha256", "sha256"), ("kfp.registry_uri", "registry_uri")):
        if v.tags.get(tag):
            details[key] = v.tags[tag]
    registry_uri = v.tags.get("kfp.registry_uri", "")
    model_uri = registry_uri.removesuffix(f"/versions/{label}") if label and \
        registry_uri.endswith(f"/versions/{label}") else ""
    return VersionOrigin(model_name=v.model_name, version=v.version, origin="kubeflow",
                         source_id=f"{v.run_id}/{task}" if task else v.run_id,
                         model_source_id=model_uri, details=details)


def _producing_task(graph: LineageGraph | None, node_id: str) -> str:
    """The name of the task with an edge into the version's node, if the graph has one."""
    if graph is None:
        return ""
    for edge in graph.edges:
        if edge.target == node_id:
            source = graph.nodes.get(edge.source)
            if source is not None and source.kind is NodeKind.TASK:
                return source.name
    return ""
