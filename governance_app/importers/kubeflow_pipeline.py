"""Registers the compiled Kubeflow pipeline reader (kind ``kubeflow-pipeline``): the IR YAML.

``kfp.compiler`` writes a ``PipelineSpec`` (schema 2.1): ``components`` (an executor or a
``dag`` of tasks), ``deploymentSpec.executors`` (container image, command), ``root`` (the
pipeline's own DAG and inputs) and ``pipelineInfo``. Read here, nothing executed:

* the pipeline is a job ``job:kfp://<pipeline>/<pipeline>`` whose ``kfpPipeline`` facet holds
  its description, SDK and schema versions, inputs (with defaults) and outputs, and its
  components;
* every task of every DAG, nested ones included, is a job ``job:kfp://<pipeline>/<path>``
  (``exit-handler-1/condition-branches-4/condition-5/train``) whose ``kfpTask`` facet says what
  it is (``container``, ``loop``, ``condition``, ``condition-branches``, ``exit-handler``,
  ``exit-task``, ``pipeline`` for a nested pipeline), its component and image, its condition,
  its loop items, and where each input comes from;
* ``parent`` edges go from a DAG task (or the pipeline) to its tasks, ``after`` edges from a
  task to the tasks that wait for it (``dependentTasks``).

A component that contains itself, directly or not, is refused (the compiler never writes one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.domain.lineage import EdgeKind, LineageEdge, LineageGraph, LineageNode, NodeKind
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.errors import InputError
from governance_app.importers.pipeline_yaml import read_strict_yaml
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import sha256_of_path

KIND = "kubeflow-pipeline"
PIPELINE_FACET = "kfpPipeline"
TASK_FACET = "kfpTask"
MAX_PIPELINE_BYTES = 64 * 1024 * 1024
_HEAD_BYTES = 16 * 1024
AFTER = "after"
"""Edge kind: the source task finishes before the target starts (``dependentTasks``)."""


def detect(path: Path) -> bool:
    """A ``.yaml``/``.yml`` file whose head shows a compiled pipeline (``pipelineInfo``,
    ``components`` or kfp's ``# PIPELINE DEFINITION`` header)."""
    if not path.is_file() or path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    if head.startswith("# PIPELINE DEFINITION"):
        return True
    return "pipelineInfo:" in head and ("components:" in head or "root:" in head)


def _mapping(path: Path, value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(path, f"{where} is a {type(value).__name__}", location=where,
                         expected="a mapping")
    return value


def pipeline_graph(path: Path, spec: Any) -> LineageGraph:
    """The pipeline and every task of it as jobs, with containment and ordering edges.

    Raises:
        InputError: a required section is missing or malformed, a task names an unknown
            component, or components contain each other.
    """
    spec = _mapping(path, spec, "top level")
    info = _mapping(path, spec.get("pipelineInfo"), "pipelineInfo")
    name = info.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(path, "pipelineInfo has no name", location="pipelineInfo.name",
                         expected="the pipeline's name, as kfp.compiler writes it")
    components = _mapping(path, spec.get("components"), "components")
    executors = _mapping(path, _mapping(path, spec.get("deploymentSpec"),
                                        "deploymentSpec").get("executors"),
                         "deploymentSpec.executors")
    root = _mapping(path, spec.get("root"), "root")
    namespace = f"kfp://{name}"
    graph = LineageGraph()
    pipeline_id = f"{NodeKind.JOB.value}:{namespace}/{name}"
    graph.add_node(LineageNode(pipeline_id, NodeKind.JOB, name, namespace, facets={
        PIPELINE_FACET: {
            "description": info.get("description", ""),
            "sdk_version": spec.get("sdkVersion", ""),
            "schema_version": spec.get("schemaVersion", ""),
            "inputs": _definitions(root.get("inputDefinitions")),
            "outputs": _definitions(root.get("outputDefinitions")),
            "components": sorted(components),
        }}))
    walker = _Walker(path, graph, namespace, components, executors)
    walker.dag(pipeline_id, "", _mapping(path, root.get("dag"), "root.dag"), "root.dag",
               frozenset())
    return graph


def _definitions(value: Any) -> dict[str, Any]:
    """``{parameters: {name: {type, default}}, artifacts: {name: type}}`` of a component."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    params = value.get("parameters")
    if isinstance(params, dict):
        out["parameters"] = {
            k: {key: v[key] for key in ("parameterType", "defaultValue", "isOptional") if key in v}
            for k, v in params.items() if isinstance(v, dict)
        }
    artifacts = value.get("artifacts")
    if isinstance(artifacts, dict):
        out["artifacts"] = {
            k: (v.get("artifactType") or {}).get("schemaTitle", "")
            for k, v in artifacts.items() if isinstance(v, dict)
        }
    return out


class _Walker:
    def __init__(self, path: Path, graph: LineageGraph, namespace: str,
                 components: dict[str, Any], executors: dict[str, Any]) -> None:
        self.path, self.graph, self.namespace = path, graph, namespace
        self.components, self.executors = components, executors

    def dag(self, parent_id: str, prefix: str, dag: dict[str, Any], where: str,
            stack: frozenset[str]) -> None:
        tasks = _mapping(self.path, dag.get("tasks"), f"{where}.tasks")
        ids = {name: f"{NodeKind.JOB.value}:{self.namespace}/{prefix}{name}" for name in tasks}
        for name, task in tasks.items():
            self.task(parent_id, prefix, name, _mapping(self.path, task, f"{where}.tasks.{name}"),
                      f"{where}.tasks.{name}", ids, stack)

    def task(self, parent_id: str, prefix: str, name: str, task: dict[str, Any], where: str,
             ids: dict[str, str], stack: frozenset[str]) -> None:
        ref = _mapping(self.path, task.get("componentRef"), f"{where}.componentRef").get("name")
        component = self.components.get(ref) if isinstance(ref, str) else None
        if not isinstance(component, dict):
            raise InputError(self.path, f"task {name!r} names component {ref!r}, which is not "
                             "defined", location=f"{where}.componentRef.name",
                             expected="a key of components")
        node_id = ids[name]
        facet = self._facet(name, task, component, ref)
        display = (task.get("taskInfo") or {}).get("name") or name
        self.graph.add_node(LineageNode(node_id, NodeKind.JOB, str(display), self.namespace,
                                        facets={TASK_FACET: facet}))
        self.graph.add_edge(LineageEdge(parent_id, node_id, EdgeKind.PARENT.value))
        for dep in task.get("dependentTasks") or []:
            if dep not in ids:
                raise InputError(self.path, f"task {name!r} depends on {dep!r}, which is not a "
                                 "task of the same DAG", location=f"{where}.dependentTasks",
                                 expected="names of sibling tasks")
            self.graph.add_edge(LineageEdge(ids[dep], node_id, AFTER))
        if "dag" in component:
            if ref in stack:
                raise InputError(self.path, f"component {ref!r} contains itself",
                                 location=f"components.{ref}.dag",
                                 expected="components that nest without a cycle")
            self.dag(node_id, f"{prefix}{name}/",
                     _mapping(self.path, component["dag"], f"components.{ref}.dag"),
                     f"components.{ref}.dag", stack | {ref})

    def _facet(self, name: str, task: dict[str, Any], component: dict[str, Any],
               ref: str) -> dict[str, Any]:
        trigger = task.get("triggerPolicy") or {}
        facet: dict[str, Any] = {"task": name, "component": ref, "kind": _task_kind(
            name, task, component)}
        if trigger.get("condition"):
            facet["condition"] = trigger["condition"]
        if trigger.get("strategy"):
            facet["strategy"] = trigger["strategy"]
        iterator = task.get("parameterIterator") or task.get("artifactIterator")
        if iterator:
            facet["iterator"] = iterator
        executor = self.executors.get(component.get("executorLabel", ""))
        container = (executor or {}).get("container") if isinstance(executor, dict) else None
        if isinstance(container, dict):
            facet["image"] = container.get("image", "")
        inputs = task.get("inputs") or {}
        sources: dict[str, Any] = {}
        for section in ("parameters", "artifacts"):
            for key, value in (inputs.get(section) or {}).items():
                sources[key] = value
        if sources:
            facet["inputs"] = sources
        facet["definitions"] = {
            "inputs": _definitions(component.get("inputDefinitions")),
            "outputs": _definitions(component.get("outputDefinitions")),
        }
        return facet


def _task_kind(name: str, task: dict[str, Any], component: dict[str, Any]) -> str:
    if (task.get("triggerPolicy") or {}).get("strategy") == "ALL_UPSTREAM_TASKS_COMPLETED":
        return "exit-task"
    if "dag" not in component:
        return "container"
    if task.get("parameterIterator") or task.get("artifactIterator"):
        return "loop"
    if (task.get("triggerPolicy") or {}).get("condition"):
        return "condition"
    if name.startswith("condition-branches-"):
        return "condition-branches"
    if name.startswith("exit-handler-"):
        return "exit-handler"
    return "pipeline"


@importer(KIND, "Kubeflow Pipelines compiled pipeline (pipeline.yaml, the v2 IR spec)", detect)
def read(path: Path, ctx: ImportContext) -> LineageSnapshot:
    """Read a compiled pipeline's structure into a lineage snapshot, executing nothing.

    Raises:
        InputError: invalid YAML (aliases, duplicate keys), or a spec that is not one.
    """
    if ctx.options.settings:
        raise InputError(path, "Kubeflow pipeline imports take no settings", expected="none")
    root = path.parent
    spec = read_strict_yaml(path, root=root, limit=MAX_PIPELINE_BYTES)
    graph = pipeline_graph(path, spec)
    return LineageSnapshot(kind=KIND, source=str(path), source_sha256=sha256_of_path(path),
                           graph=graph, files=1)
