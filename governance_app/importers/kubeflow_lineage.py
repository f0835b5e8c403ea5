"""Turn an ML Metadata store written by Kubeflow Pipelines into lineage, runs and versions.

Identity (shared with the run-JSON importer, so the two join by id):

* a pipeline run is ``run:<run id>`` (the ``system.PipelineRun`` context's name), namespace
  ``kfp://<pipeline name>``; its status is its root DAG execution's state;
* a task is ``task:<run id>/<execution id>``; its parent is the DAG execution named by its
  ``parent_dag_id`` (the run itself for a top-level task, a loop iteration, condition,
  exit handler or nested pipeline's DAG otherwise); a ``CACHED`` task keeps the id of the
  execution that first made its outputs (``cached_execution_id``) and is linked from it by a
  ``cached`` edge;
* a ``system.Dataset`` is a dataset named after its URI (``minio://bucket/key`` → namespace
  ``minio://bucket``, name ``key``: OpenLineage's naming, so the same object joins);
* a ``system.Model`` with ``registered_model_name`` and ``model_version`` metadata is that
  registered model version ``model:<name>/<version>``; any other artifact (a model file,
  metrics) is ``artifact:<uri>``;
* an ``INPUT`` event is an ``input`` edge artifact → task, an ``OUTPUT`` event an ``output``
  edge task → artifact.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
)
from governance_app.domain.mlmd import MlmdArtifact, MlmdExecution, MlmdStore

KFP_FACET = "kfp"
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?:/(?P<path>.*))?$")
_HIDDEN = frozenset({"store_session_info"})
"""Properties left out: connection settings of the artifact store, not facts about the data."""
RUN_STATE = {"COMPLETE": "SUCCEEDED", "FAILED": "FAILED", "CANCELED": "CANCELED",
             "RUNNING": "RUNNING", "NEW": "PENDING", "CACHED": "CACHED"}


def ms_to_utc(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, tz=UTC) if ms else None


def artifact_node_id(artifact: MlmdArtifact, version_label: str | None = None) -> str:
    """The lineage id of an artifact (module docstring); a registered model's placeholder id
    uses its version label until the writer gives it a registry number."""
    model = registered_model(artifact)
    if model is not None:
        return f"{NodeKind.MODEL_VERSION.value}:{model[0]}/{version_label or model[1]}"
    if artifact.type == "system.Dataset":
        namespace, name = uri_identity(artifact.uri)
        return f"{NodeKind.DATASET.value}:{namespace}/{name}"
    return f"{NodeKind.ARTIFACT.value}:{artifact.uri or f'mlmd-artifact-{artifact.id}'}"


def uri_identity(uri: str) -> tuple[str, str]:
    match = _URI.match(uri)
    if match is None:
        return ("file", uri) if uri.startswith("/") else ("kfp", uri)
    return f"{match['scheme']}://{match['authority']}", match["path"] or ""


def registered_model(artifact: MlmdArtifact) -> tuple[str, str] | None:
    """``(model name, version label)`` of a ``system.Model`` a run registered, else ``None``."""
    if artifact.type != "system.Model":
        return None
    name = artifact.properties.get("registered_model_name")
    version = artifact.properties.get("model_version")
    if isinstance(name, str) and name and version not in (None, ""):
        return name, str(version)
    return None


def task_node_id(run_id: str, execution_id: int | str) -> str:
    return f"{NodeKind.TASK.value}:{run_id}/{execution_id}"


def run_node_id(run_id: str) -> str:
    return f"{NodeKind.RUN.value}:{run_id}"


class StoreIndex:
    """Which run each execution belongs to, and each run's root DAG and pipeline."""

    def __init__(self, store: MlmdStore) -> None:
        self.store = store
        self.run_of: dict[int, str] = {}
        self.pipeline_of: dict[str, str] = {}
        self.root_of: dict[str, MlmdExecution] = {}
        pipelines = [c.name for c in store.contexts.values() if c.type == "system.Pipeline"]
        # A lineage subgraph export carries the contexts but not their parent links: with one
        # pipeline in it, that pipeline is every run's.
        only = pipelines[0] if len(pipelines) == 1 else ""
        for cid, context in store.contexts.items():
            if context.type != "system.PipelineRun":
                continue
            parents = [store.contexts[p] for p in store.parents.get(cid, [])
                       if p in store.contexts]
            pipeline = next((p.name for p in parents if p.type == "system.Pipeline"), only)
            self.pipeline_of[context.name] = pipeline
            for eid in store.executions_of.get(cid, []):
                self.run_of[eid] = context.name
        for eid, execution in store.executions.items():
            run_id = self.run_of.get(eid)
            if (run_id and execution.type == "system.DAGExecution"
                    and execution.properties.get("parent_dag_id") in (None, "", 0)):
                self.root_of.setdefault(run_id, execution)

    @property
    def run_ids(self) -> list[str]:
        return sorted(self.pipeline_of)


def store_graph(store: MlmdStore) -> LineageGraph:
    """Runs, tasks, artifacts and their events as one lineage graph."""
    index = StoreIndex(store)
    graph = LineageGraph()
    for run_id in index.run_ids:
        root = index.root_of.get(run_id)
        namespace = f"kfp://{index.pipeline_of[run_id]}" if index.pipeline_of[run_id] else "kfp"
        facet: dict[str, Any] = {"pipeline": index.pipeline_of[run_id]}
        if root is not None:
            facet["parameters"] = root.properties.get("inputs") or {}
        if root is not None:
            facet.update(_times(root))
        graph.add_node(LineageNode(
            run_node_id(run_id), NodeKind.RUN, run_id, namespace,
            RUN_STATE.get(root.state, root.state) if root else "", {KFP_FACET: facet}))
    for eid, execution in sorted(store.executions.items()):
        run_id = index.run_of.get(eid)
        if run_id is None or index.root_of.get(run_id) is execution:
            continue
        _add_task(graph, index, run_id, execution)
    for event in store.events:
        run_id = index.run_of.get(event.execution_id)
        artifact = store.artifacts.get(event.artifact_id)
        if run_id is None or artifact is None:
            continue
        execution = store.executions[event.execution_id]
        if index.root_of.get(run_id) is execution:
            continue  # the run's own inputs/outputs repeat its tasks' events
        node = _artifact_node(artifact)
        graph.add_node(node)
        task = task_node_id(run_id, event.execution_id)
        if event.type in ("INPUT", "DECLARED_INPUT", "INTERNAL_INPUT"):
            graph.add_edge(LineageEdge(node.id, task, EdgeKind.INPUT.value))
        elif event.type in ("OUTPUT", "DECLARED_OUTPUT", "INTERNAL_OUTPUT"):
            graph.add_edge(LineageEdge(task, node.id, EdgeKind.OUTPUT.value))
    return graph


def _add_task(graph: LineageGraph, index: StoreIndex, run_id: str,
              execution: MlmdExecution) -> None:
    props = execution.properties
    node_id = task_node_id(run_id, execution.id)
    facet: dict[str, Any] = {
        "execution_id": execution.id, "type": execution.type,
        "task_name": props.get("task_name") or "",
        "display_name": props.get("display_name") or "",
    }
    for key in ("inputs", "outputs", "image", "pod_name", "iteration_index",
                "cached_execution_id", "error"):
        if props.get(key) not in (None, ""):
            facet[key] = props[key]
    name = str(props.get("display_name") or props.get("task_name") or f"execution {execution.id}")
    state = RUN_STATE.get(execution.state, execution.state)
    facet.update(_times(execution))
    graph.add_node(LineageNode(node_id, NodeKind.TASK, name, run_id, state, {KFP_FACET: facet}))
    parent = props.get("parent_dag_id")
    root = index.root_of.get(run_id)
    if parent in (None, "", 0) or (root is not None and int(parent) == root.id):
        graph.add_edge(LineageEdge(run_node_id(run_id), node_id, EdgeKind.PARENT.value))
    else:
        graph.add_edge(LineageEdge(task_node_id(run_id, int(parent)), node_id,
                                   EdgeKind.PARENT.value))
    cached_from = props.get("cached_execution_id")
    if cached_from not in (None, ""):
        original = int(cached_from)
        original_run = index.run_of.get(original, run_id)
        source = task_node_id(original_run, original)
        if original in index.store.executions:
            graph.add_edge(LineageEdge(source, node_id, EdgeKind.CACHED.value))
        facet["cached_from"] = source


def _times(execution: MlmdExecution) -> dict[str, str]:
    """MLMD's record times, kept as facts of the store: the node's start and end come from the
    API's run JSON (MLMD's create/update times are when the driver wrote, not when a task ran),
    so importing both in either order never makes them fight over one field."""
    out = {}
    for key, ms in (("mlmd_created", execution.created_ms), ("mlmd_updated", execution.updated_ms)):
        moment = ms_to_utc(ms)
        if moment is not None:
            out[key] = moment.isoformat()
    return out


def _artifact_node(artifact: MlmdArtifact) -> LineageNode:
    node_id = artifact_node_id(artifact)
    kind = NodeKind(node_id.partition(":")[0])
    metadata = {k: v for k, v in artifact.properties.items() if k not in _HIDDEN}
    facet = {"type": artifact.type, "uri": artifact.uri, "metadata": metadata,
             "state": artifact.state}
    if kind is NodeKind.DATASET:
        namespace, name = uri_identity(artifact.uri)
    elif kind is NodeKind.MODEL_VERSION:
        namespace, name = "", node_id.partition(":")[2]
    else:
        namespace, name = "", artifact.display_name
    return LineageNode(node_id, kind, name, namespace, "", {KFP_FACET: facet},
                       ms_to_utc(artifact.created_ms))
