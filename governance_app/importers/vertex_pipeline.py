"""Vertex AI pipeline jobs and metadata lineage subgraphs → lineage nodes and edges.

A ``PipelineJob`` becomes a job (the pipeline) with one run (the pipeline job), and each task of
``jobDetail.taskDetails`` a child run (``parent`` edge) whose input and output artifacts are
datasets. Task states keep Vertex's words where the lineage vocabulary has none: ``CACHED``
(the task reused an earlier result: Vertex says so on the task's execution, whose state is
``CACHED``), ``NOT_TRIGGERED`` and ``SKIPPED`` (it never ran); a task whose state is omitted
(protobuf leaves unset enums out, and ``STATE_UNSPECIFIED`` says as little) is
``NOT_TRIGGERED`` too, since Vertex writes a state for every task that started.

A ``LineageSubgraph`` (``metadataStores/…:queryArtifactLineageSubgraph``) adds artifacts,
executions and their INPUT/OUTPUT events. Executions are keyed by their metadata resource name,
the same name a task's ``execution`` carries, so both sources join into one graph. An artifact
of type ``google.VertexModel`` whose ``resourceName`` names ``models/<id>@<v>`` *is* that model
version when the import holds it.
"""

from __future__ import annotations

import re
from typing import Any

from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    model_version_id,
)
from governance_app.importers.cloud_fields import Fields

PIPELINE_JOB = re.compile(r"projects/[^/]+/locations/[^/]+/pipelineJobs/[^/]+\Z")
STATES = {"SUCCEEDED": "COMPLETE", "FAILED": "FAIL", "RUNNING": "RUNNING", "PENDING": "RUNNING",
          "CANCELLED": "ABORT", "CANCEL_PENDING": "ABORT", "CANCELLING": "ABORT",
          "CACHED": "CACHED", "SKIPPED": "SKIPPED", "NOT_TRIGGERED": "NOT_TRIGGERED",
          "PAUSED": "RUNNING", "COMPLETE": "COMPLETE", "NEW": "RUNNING"}
_MODEL_AT = re.compile(r"(projects/[^/]+/locations/[^/]+/models/[^/@]+)@(\d+)")


def is_pipeline_job(data: Any) -> bool:
    return isinstance(data, dict) and bool(PIPELINE_JOB.match(str(data.get("name", ""))))


def is_subgraph(data: Any) -> bool:
    return (isinstance(data, dict) and bool(data) and set(data) <= {"artifacts", "executions",
                                                                    "events"}
            and all(isinstance(v, list) for v in data.values()))


def state(raw: str) -> str:
    """A Vertex job, task or execution state in the lineage vocabulary."""
    word = raw.removeprefix("PIPELINE_STATE_").upper()
    if word in ("", "UNSPECIFIED", "STATE_UNSPECIFIED"):
        return "NOT_TRIGGERED"
    return STATES.get(word, word)


class VertexLineage:
    """Builds one graph from pipeline jobs and subgraphs; ``models`` maps Vertex model
    resource names to the display names the import gives them (for the version identity)."""

    def __init__(self, models: dict[str, str]) -> None:
        self.graph = LineageGraph()
        self.models = models
        self.versions: set[tuple[str, int]] = set()

    def artifact(self, f: Fields) -> str:
        """The node of a metadata artifact (added if new); model versions by their identity."""
        name = f.text("name", required=True)
        metadata = f.obj("metadata")
        resource = metadata.data.get("resourceName") if metadata else None
        match = _MODEL_AT.fullmatch(resource) if isinstance(resource, str) else None
        if match and match.group(1) in self.models:
            display, number = self.models[match.group(1)], int(match.group(2))
            node_id = model_version_id(display, number)
            self.graph.add_node(LineageNode(node_id, NodeKind.MODEL_VERSION,
                                            f"{display}/{number}"))
            return node_id
        store, _, artifact_id = name.rpartition("/artifacts/")
        label = f.text("displayName") or artifact_id
        node_id = f"dataset:vertex://{store}/{label}#{artifact_id}"
        self.graph.add_node(LineageNode(
            node_id, NodeKind.DATASET, f"{label}#{artifact_id}", f"vertex://{store}", "",
            {"vertex": {"resource": name, "uri": f.text("uri"),
                        "schema": f.text("schemaTitle"),
                        "metadata": metadata.data if metadata else {}}},
            f.time("createTime")))
        return node_id

    def execution(self, f: Fields, status: str | None = None) -> str:
        name = f.text("name", required=True)
        node_id = f"run:{name}"
        self.graph.add_node(LineageNode(
            node_id, NodeKind.RUN, f.text("displayName") or name.rpartition("/")[2], "vertex://",
            status if status is not None else state(f.text("state")),
            {"vertex": {"execution": name, "schema": f.text("schemaTitle")}},
            f.time("createTime"), f.time("updateTime")))
        return node_id

    def pipeline_job(self, f: Fields) -> None:
        name = f.text("name", required=True)
        detail = f.obj("jobDetail")
        context = detail.obj("pipelineContext") if detail else None
        pipeline = (context.text("displayName") if context else "") or (
            f.text("displayName") or name.rpartition("/")[2])
        location = name.partition("/pipelineJobs/")[0]
        job_id = f"job:vertex://{location}/{pipeline}"
        run_id = f"run:{name}"
        self.graph.add_node(LineageNode(job_id, NodeKind.JOB, pipeline, f"vertex://{location}"))
        self.graph.add_node(LineageNode(
            run_id, NodeKind.RUN, name.rpartition("/")[2], f"vertex://{location}",
            state(f.text("state")), {"vertex": {"pipeline_job": name,
                                                "template": f.text("templateUri"),
                                                "labels": f.string_map("labels")}},
            f.time("startTime") or f.time("createTime"), f.time("endTime")))
        self.graph.add_edge(LineageEdge(job_id, run_id, EdgeKind.INSTANCE.value))
        tasks = detail.objects("taskDetails") if detail else []
        for task in tasks:
            parent = task.integer("parentTaskId", required=False) or 0  # "0": printed default
            if parent == 0 and (task.text("taskUniqueName") == "root"
                                or task.text("taskName") == name.rpartition("/")[2]):
                continue  # the root task is the pipeline job itself
            execution = task.obj("execution")
            raw = task.text("state")
            status = state(raw)
            if execution is not None and execution.text("state") == "CACHED":
                status = "CACHED"  # Vertex marks a reused result on the execution, not the task
            if execution is not None and execution.has("name"):
                task_id = self.execution(execution, status)
            else:
                task_id = f"run:{name}/tasks/{task.text('taskId', required=True)}"
                self.graph.add_node(LineageNode(task_id, NodeKind.RUN, task.text("taskName"),
                                                f"vertex://{location}", status))
            node = self.graph.nodes[task_id]
            node.name = task.text("taskName") or node.name
            node.facets["vertex_task"] = {"state": raw or "(omitted)", "task_id":
                                          task.text("taskId")}
            node.started_at = task.time("startTime") or node.started_at
            node.ended_at = task.time("endTime") or node.ended_at
            self.graph.add_edge(LineageEdge(run_id, task_id, EdgeKind.PARENT.value))
            for side, kind in (("inputs", EdgeKind.INPUT), ("outputs", EdgeKind.OUTPUT)):
                ports = task.obj(side)
                for port in ports.data if ports else {}:
                    holder = ports.obj(port)  # type: ignore[union-attr]
                    for art in holder.objects("artifacts") if holder else []:
                        art_id = self.artifact(art)
                        edge = (LineageEdge(art_id, task_id, kind.value) if kind is EdgeKind.INPUT
                                else LineageEdge(task_id, art_id, kind.value))
                        self.graph.add_edge(edge)

    def subgraph(self, f: Fields) -> None:
        artifacts = {a.text("name", required=True): self.artifact(a)
                     for a in f.objects("artifacts")}
        executions = {e.text("name", required=True): e for e in f.objects("executions")}
        for name, execution in executions.items():
            if f"run:{name}" not in self.graph.nodes:
                self.execution(execution)
        for i, event in enumerate(f.objects("events")):
            art, execution = event.text("artifact", required=True), event.text("execution",
                                                                                required=True)
            if art not in artifacts:
                raise f.error("events", f"event {i} names artifact {art}, not in the subgraph",
                              "events between the subgraph's own artifacts and executions")
            run_id = f"run:{execution}"
            if run_id not in self.graph.nodes:
                raise f.error("events", f"event {i} names execution {execution}, not in the "
                              "subgraph", "events between the subgraph's own nodes")
            kind = event.text("type")
            if kind.endswith("INPUT"):
                self.graph.add_edge(LineageEdge(artifacts[art], run_id, EdgeKind.INPUT.value))
            elif kind.endswith("OUTPUT"):
                self.graph.add_edge(LineageEdge(run_id, artifacts[art], EdgeKind.OUTPUT.value))
