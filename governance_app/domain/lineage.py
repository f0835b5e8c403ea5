"""Lineage records: datasets, jobs, runs and model versions joined by directed edges.

Every importer that knows about lineage (OpenLineage events, the MLflow registry, our bundle)
produces these, so the sources join into one graph by node id alone. Node ids are therefore
*natural keys*, stable across imports and machines, and documented here:

* ``DATASET``: ``dataset:<namespace>/<name>``, e.g. ``dataset:warehouse://prod/raw.admissions``;
* ``JOB``: ``job:<namespace>/<name>``, e.g. ``job:readmission/train_model``;
* ``RUN``: ``run:<runId>`` (run ids are globally unique UUIDs, so no namespace);
* ``MODEL_VERSION``: ``model:<name>/<version>``, e.g. ``model:readmission_risk/4``;
* ``NAMESPACE``: ``namespace:<namespace>``, only made by collapsing a namespace in a view;
* ``STAGE``: ``stage:dvc://<project>/<stage>``, a DVC pipeline stage (or a ``.dvc`` file);
* ``TASK``: ``task:<runId>/<executionId>``, a Kubeflow Pipelines task of one run (the ML
  Metadata execution id; ``task:<runId>/<taskId>`` for a task that never ran);
* ``ARTIFACT``: ``artifact:<uri>``, a pipeline artifact that is neither a dataset nor a
  registered model version (a model file, metrics).

The kind is always the text before the first ``:``; :func:`parse_node_id` reads it back.

Identity rule: OpenLineage has no notion of a registered model, so producers name one as a
dataset. A dataset in namespace ``mlflow://registry`` named ``models/<name>/<version>`` *is* the
model version ``model:<name>/<version>`` from the MLflow import (:class:`ModelIdentityRule`
makes namespace and prefix configurable for other registries).

Edges point the way data flows, so "upstream" always means "follow edges backwards":

* ``input``: dataset → the run that read it (→ job only for a JobEvent, which has no run);
* ``output``: run → dataset (or model version) it wrote (job → dataset for a JobEvent);
* ``produced``: run → model version registered from it (MLflow's ``source run``);
* ``parent``: parent run → child run (OpenLineage ``parent`` facet);
* ``instance``: job → one of its runs;
* ``cached``: the task that first made an output → a task that reused it from the cache
  (navigation only: the cached task's outputs already name their producer).

Pipelines use the same kinds: a DVC stage or a KFP task reads its ``input`` datasets and
artifacts and writes its ``output`` ones; a KFP run is the ``parent`` of its top-level tasks
and a task of a sub-DAG the child of the DAG task.

Closure rule: inputs and outputs belong to the RUN, because review boards ask what data trained
*this* version, and a job's other runs may have read other data (last month's training set).
Upstream and downstream closures, impact and paths therefore follow *data edges* only: every
kind except ``instance`` (:data:`NAVIGATION_EDGE_KINDS`). ``instance`` edges stay in the graph
so a view can go from a job to its runs, but following one would lead from a run to its job and
from there to every sibling run's data. A closure that *starts* at a job stands for all its
runs (see :class:`governance_app.analytics.lineage_graph.LineageIndex`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class NodeKind(StrEnum):
    """What a lineage node stands for; the value is the id prefix."""

    DATASET = "dataset"
    JOB = "job"
    RUN = "run"
    MODEL_VERSION = "model"
    NAMESPACE = "namespace"
    STAGE = "stage"
    TASK = "task"
    ARTIFACT = "artifact"


class EdgeKind(StrEnum):
    """Why two nodes are linked (see the module docstring for directions)."""

    INPUT = "input"
    OUTPUT = "output"
    PRODUCED = "produced"
    PARENT = "parent"
    INSTANCE = "instance"
    CACHED = "cached"


DATA_EDGE_KINDS = frozenset(
    {EdgeKind.INPUT.value, EdgeKind.OUTPUT.value, EdgeKind.PRODUCED.value, EdgeKind.PARENT.value}
)
"""The edge kinds of this module that carry data; closures follow these (and unknown kinds)."""
NAVIGATION_EDGE_KINDS = frozenset({EdgeKind.INSTANCE.value, EdgeKind.CACHED.value})
"""Edge kinds kept for navigation only: closures of data never follow them."""


@dataclass(frozen=True, slots=True)
class ModelIdentityRule:
    """Which dataset names denote a registered model version.

    Attributes:
        namespace: the dataset namespace reserved for the registry.
        prefix: the name prefix before ``<model name>/<version>``.
    """

    namespace: str = "mlflow://registry"
    prefix: str = "models/"

    def model_version(self, namespace: str, name: str) -> tuple[str, str] | None:
        """``(model name, version)`` when the dataset denotes a model version, else ``None``.

        The version is the text after the *last* slash, so model names may contain slashes.
        """
        if namespace != self.namespace or not name.startswith(self.prefix):
            return None
        model, sep, version = name[len(self.prefix) :].rpartition("/")
        if not sep or not model or not version:
            return None
        return model, version


DEFAULT_MODEL_RULE = ModelIdentityRule()


def canonical_node_id(
    namespace: str,
    name: str,
    kind: NodeKind | str,
    rule: ModelIdentityRule | None = DEFAULT_MODEL_RULE,
) -> str:
    """The stable id of a node, applying the model-version identity rule to datasets.

    Args:
        namespace: the OpenLineage namespace (ignored for runs and model versions).
        name: dataset or job name; the run id for ``RUN``; ``<model>/<version>`` for
            ``MODEL_VERSION``; the namespace itself for ``NAMESPACE``.
        kind: the kind the source reports; a dataset may come back as a model version.
        rule: the identity rule; ``None`` turns it off (every dataset stays a dataset).

    Returns:
        The id as documented in the module docstring.

    Raises:
        ValueError: ``kind`` is not a :class:`NodeKind` value.
    """
    kind = NodeKind(kind)
    if kind is NodeKind.DATASET:
        model = rule.model_version(namespace, name) if rule is not None else None
        if model is not None:
            return f"{NodeKind.MODEL_VERSION.value}:{model[0]}/{model[1]}"
        return f"dataset:{namespace}/{name}"
    if kind in (NodeKind.JOB, NodeKind.STAGE, NodeKind.TASK):
        return f"{kind.value}:{namespace}/{name}"
    return f"{kind.value}:{name}"


def model_version_id(name: str, version: str | int) -> str:
    """The id of a registered model version, as the MLflow importer makes it."""
    return f"{NodeKind.MODEL_VERSION.value}:{name}/{version}"


def parse_node_id(node_id: str) -> tuple[NodeKind, str]:
    """Split an id into its kind and the rest.

    Raises:
        ValueError: the id has no known ``<kind>:`` prefix.
    """
    prefix, sep, rest = node_id.partition(":")
    if not sep:
        raise ValueError(f"lineage node id without a kind prefix: {node_id!r}")
    return NodeKind(prefix), rest


@dataclass(slots=True)
class LineageNode:
    """One dataset, job, run or model version.

    Attributes:
        id: the stable id (module docstring).
        kind: what it is.
        name: display name (dataset/job name, run id, ``<model>/<version>``).
        namespace: OpenLineage namespace; the job's namespace for runs; "" for model versions.
        status: run state (``COMPLETE``, ``FAIL``, ``RUNNING``...) or model stage; "" if none.
        facets: facets as JSON values, unknown ones kept verbatim (``schema``,
            ``columnLineage``, ``sql``...).
        started_at: run start, timezone-aware UTC, when known.
        ended_at: run end, when known.
    """

    id: str
    kind: NodeKind
    name: str
    namespace: str = ""
    status: str = ""
    facets: dict[str, Any] = field(default_factory=dict)
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def label(self) -> str:
        """Short text for a box in a drawing: the name without its namespace."""
        return self.name


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """A directed link ``source → target`` in the direction data flows."""

    source: str
    target: str
    kind: str


@dataclass(slots=True)
class LineageGraph:
    """Nodes by id and the edges between them; the exchange format between stages.

    Building goes through :meth:`add_node` and :meth:`add_edge`, which merge repeats: the same
    dataset seen by two events is one node, the same edge reported twice is one edge.
    """

    nodes: dict[str, LineageNode] = field(default_factory=dict)
    edges: list[LineageEdge] = field(default_factory=list)
    _edge_keys: set[LineageEdge] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._edge_keys = set(self.edges)

    def add_node(self, node: LineageNode) -> LineageNode:
        """Add a node, or merge it into the one with the same id.

        Merging keeps the first non-empty name, namespace and status, the later start/end
        times when given, and unions the facets (later values win): a START and a COMPLETE
        event of one run describe the same node.
        """
        have = self.nodes.get(node.id)
        if have is None:
            self.nodes[node.id] = node
            return node
        have.namespace = have.namespace or node.namespace
        have.name = have.name or node.name
        have.status = node.status or have.status
        have.facets.update(node.facets)
        have.started_at = node.started_at or have.started_at
        have.ended_at = node.ended_at or have.ended_at
        return have

    def add_edge(self, edge: LineageEdge) -> bool:
        """Add an edge unless the same (source, target, kind) is there; True if added."""
        if edge in self._edge_keys:
            return False
        self._edge_keys.add(edge)
        self.edges.append(edge)
        return True

    def merge(self, other: LineageGraph) -> None:
        """Join another graph into this one by node id (MLflow + OpenLineage → one graph)."""
        for node in other.nodes.values():
            # A copy, so later merges into this graph never change the other one's nodes.
            self.add_node(replace(node, facets=dict(node.facets)))
        for edge in other.edges:
            self.add_edge(edge)

    def dangling_edges(self) -> list[LineageEdge]:
        """Edges naming a node id the graph does not hold; an importer should add or refuse."""
        return [e for e in self.edges if e.source not in self.nodes or e.target not in self.nodes]

    @classmethod
    def from_parts(cls, nodes: Iterable[LineageNode], edges: Iterable[LineageEdge]) -> LineageGraph:
        """A graph from loose nodes and edges, merging repeats as the add methods do."""
        graph = cls()
        for node in nodes:
            graph.add_node(node)
        for edge in edges:
            graph.add_edge(edge)
        return graph


def run_name(node: LineageNode) -> str:
    """A run's human name (MLflow's ``runName``, kept in its ``mlflow`` facet), or ``""``:
    people know runs by name; the id is for the details."""
    if node.kind is not NodeKind.RUN:
        return ""
    facet = node.facets.get("mlflow")
    name = facet.get("name") if isinstance(facet, dict) else None
    return str(name) if name else ""
