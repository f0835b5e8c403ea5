"""Read lineage back as a :class:`LineageGraph`: stored events, and the registry's own lineage.

Two sources, one graph. OpenLineage imports are stored in ``lineage_nodes``/``lineage_edges``;
MLflow's lineage (model version ← source run ← the run's dataset inputs) is *derived* here from
the registry tables at query time, so it is never copied and follows every registry import.
Both use the node ids of :mod:`governance_app.domain.lineage`, so they join by id alone.

Identity rules for the derived part, documented because other producers must match them:

* a model version is ``model:<name>/<version>``; its status is the registry stage;
* its source run is ``run:<run_id>``. MLflow writes run ids as 32 hex digits while
  OpenLineage writes the hyphenated UUID; when the stored lineage holds ``run:<that UUID>``
  the two spellings are the same run and the stored id is used;
* a dataset input is ``dataset:<namespace>/<name>`` from its source URI
  (``s3://bucket/key`` → namespace ``s3://bucket``, name ``key``: OpenLineage's naming, so
  the same file joins); a URI without a path keeps the URI as namespace and the MLflow
  dataset name as name; a local path is namespace ``file``; a dataset without a source URI
  is namespace ``mlflow`` with its MLflow name.
  The digest, source type and each run's ``context`` are kept as facets.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    canonical_node_id,
    model_version_id,
)
from governance_app.store.schema import (
    SqlDataset,
    SqlExperiment,
    SqlModelVersion,
    SqlRegisteredModel,
    SqlRun,
    SqlRunInput,
)
from governance_app.store.schema_lineage import SqlLineageEdge, SqlLineageNode

MLFLOW_DATASET_NAMESPACE = "mlflow"
MLFLOW_FACET = "mlflow"
"""Facet key under which registry-derived nodes keep what MLflow says about them."""
MLFLOW_INPUTS_FACET = "mlflowInputs"
"""Run facet: per dataset node id, how the run used it (``context``, ``digest``)."""
_URI = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?:/(?P<path>.*))?$")
_HEX_RUN_ID = re.compile(r"^[0-9a-fA-F]{32}$")


def node_from_row(row: SqlLineageNode) -> LineageNode:
    """The domain node of a stored row (ORM rows never leave the store)."""
    return LineageNode(
        id=row.id,
        kind=NodeKind(row.kind),
        name=row.name,
        namespace=row.namespace,
        status=row.status,
        facets=dict(row.facets),
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


def stored_graph(session: Session) -> LineageGraph:
    """Every stored lineage node and edge (OpenLineage imports), ordered by id for stability."""
    graph = LineageGraph()
    for row in session.scalars(select(SqlLineageNode).order_by(SqlLineageNode.id)):
        graph.add_node(node_from_row(row))
    for source, target, kind in session.execute(
        select(SqlLineageEdge.source, SqlLineageEdge.target, SqlLineageEdge.kind).order_by(
            SqlLineageEdge.id
        )
    ):
        graph.add_edge(LineageEdge(source, target, kind))
    return graph


def lineage_counts(session: Session) -> dict[str, int]:
    """Row counts of the lineage tables, for status output and idempotence tests."""
    return {
        "lineage_nodes": session.scalar(select(func.count()).select_from(SqlLineageNode)) or 0,
        "lineage_edges": session.scalar(select(func.count()).select_from(SqlLineageEdge)) or 0,
    }


def dataset_identity(name: str, source: str) -> tuple[str, str]:
    """``(namespace, name)`` of an MLflow dataset input, by the rule in the module docstring."""
    uri = _source_uri(source)
    match = _URI.match(uri) if uri else None
    if match is None:
        # A local absolute path is OpenLineage's namespace "file"; anything else has no URI.
        return ("file", uri) if uri.startswith("/") else (MLFLOW_DATASET_NAMESPACE, name)
    namespace = f"{match['scheme']}://{match['authority']}"
    path = match["path"]
    return (namespace, path) if path else (namespace, name)


def _source_uri(source: str) -> str:
    """The URI of a dataset source: MLflow keeps ``{"uri": …}`` JSON, bundles a plain URI."""
    text = source.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            return ""
        if isinstance(value, dict):
            for key in ("uri", "path", "url", "table_name"):
                if isinstance(value.get(key), str) and value[key].strip():
                    return value[key].strip()
        return ""
    return text


def mlflow_run_node_id(run_id: str, known: set[str] | frozenset[str] = frozenset()) -> str:
    """``run:<run_id>``, or the stored hyphenated-UUID spelling of the same run when known."""
    if _HEX_RUN_ID.match(run_id):
        spelled = canonical_node_id("", str(uuid.UUID(hex=run_id)), NodeKind.RUN)
        if spelled in known:
            return spelled
    return canonical_node_id("", run_id, NodeKind.RUN)


def registry_graph(session: Session, known_ids: set[str] | frozenset[str] = frozenset()) -> (
    LineageGraph
):
    """Lineage that follows from the registry: versions, their source runs, the runs' inputs.

    Every run with dataset inputs is included (a failed run that read a dataset is part of
    "what else did that data feed"), as is every run a version names, even one the workspace
    does not hold (then it is a bare node: the version still says where it came from).

    Args:
        known_ids: node ids already in the stored lineage, to join run-id spellings.
    """
    graph = LineageGraph()
    runs = _runs(session)
    for name, version, stage, status, run_id, source in session.execute(
        select(
            SqlRegisteredModel.name,
            SqlModelVersion.version,
            SqlModelVersion.stage,
            SqlModelVersion.status,
            SqlModelVersion.run_id,
            SqlModelVersion.source,
        )
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .order_by(SqlRegisteredModel.name, SqlModelVersion.version)
    ):
        node_id = model_version_id(name, version)
        facet = {"stage": stage, "status": status, "source": source, "run_id": run_id}
        graph.add_node(
            LineageNode(node_id, NodeKind.MODEL_VERSION, f"{name}/{version}", "", stage,
                        {MLFLOW_FACET: facet})
        )
        if not run_id:
            continue
        run_node = _run_node(run_id, runs.get(run_id), known_ids)
        graph.add_node(run_node)
        graph.add_edge(LineageEdge(run_node.id, node_id, EdgeKind.PRODUCED.value))
    inputs = _inputs(session)
    for run_id, used in inputs.items():
        run_node = graph.add_node(_run_node(run_id, runs.get(run_id), known_ids))
        per_input: dict[str, Any] = {}
        for ds_name, digest, source_type, source, context in used:
            namespace, ds = dataset_identity(ds_name, source)
            ds_id = canonical_node_id(namespace, ds, NodeKind.DATASET)
            facet = {"name": ds_name, "digests": [digest], "source_type": source_type}
            node = graph.add_node(
                LineageNode(ds_id, NodeKind.DATASET, ds, namespace, facets={MLFLOW_FACET: facet})
            )
            digests = node.facets[MLFLOW_FACET].setdefault("digests", [])
            if digest not in digests:
                digests.append(digest)
                digests.sort()
            per_input[ds_id] = {"context": context, "digest": digest, "name": ds_name}
            graph.add_edge(LineageEdge(ds_id, run_node.id, EdgeKind.INPUT.value))
        run_node.facets[MLFLOW_INPUTS_FACET] = per_input
    return graph


def _runs(session: Session) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for run_id, name, status, user, start, end, experiment in session.execute(
        select(
            SqlRun.run_id,
            SqlRun.name,
            SqlRun.status,
            SqlRun.user,
            SqlRun.start_time,
            SqlRun.end_time,
            SqlExperiment.name,
        ).join(SqlExperiment, SqlExperiment.id == SqlRun.experiment_id)
    ):
        out[run_id] = {
            "name": name, "status": status, "user": user, "start": start, "end": end,
            "experiment": experiment,
        }
    return out


def _run_node(run_id: str, run: dict[str, Any] | None, known: set[str] | frozenset[str]) -> (
    LineageNode
):
    node_id = mlflow_run_node_id(run_id, known)
    if run is None:
        return LineageNode(node_id, NodeKind.RUN, run_id, "", facets={MLFLOW_FACET: {}})
    facet = {"run_id": run_id, "name": run["name"], "user": run["user"],
             "experiment": run["experiment"]}
    return LineageNode(node_id, NodeKind.RUN, run_id, run["experiment"], run["status"],
                       {MLFLOW_FACET: facet}, run["start"], run["end"])


def _inputs(session: Session) -> dict[str, list[tuple[str, str, str, str, str]]]:
    out: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
    for row in session.execute(
        select(
            SqlRun.run_id,
            SqlDataset.name,
            SqlDataset.digest,
            SqlDataset.source_type,
            SqlDataset.source,
            SqlRunInput.context,
        )
        .join(SqlRunInput, SqlRunInput.run_id == SqlRun.id)
        .join(SqlDataset, SqlDataset.id == SqlRunInput.dataset_id)
        .order_by(SqlRun.run_id, SqlDataset.name, SqlRunInput.context)
    ):
        out[row[0]].append((row[1], row[2], row[3], row[4], row[5]))
    return dict(out)
