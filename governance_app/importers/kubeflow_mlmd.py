"""Registers the ML Metadata reader (kind ``kubeflow-mlmd``): a KFP store or its JSON export.

Detected: a SQLite file holding MLMD's tables (``metadata.sqlite``), or a ``.json`` file whose
head shows an MLMD export (``artifacts``/``executions`` with ``lastKnownState`` or
``customProperties``). A file named like a store that is not SQLite is refused with a clear
error when imported as this kind. The store is opened read-only and never written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from governance_app.domain.pipeline_snapshot import PipelineSnapshot
from governance_app.errors import InputError
from governance_app.importers.kubeflow_lineage import store_graph
from governance_app.importers.kubeflow_registry import (
    EVIDENCE_FACET,
    VERSION_TAG,
    registry_records,
)
from governance_app.importers.mlmd_read import MLMD_TABLES, is_sqlite, read_export, read_sqlite
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import read_json, sha256_of_path

KIND = "kubeflow-mlmd"
_HEAD_BYTES = 64 * 1024


def _sqlite_is_mlmd(path: Path) -> bool:
    if not is_sqlite(path):
        return False
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return MLMD_TABLES <= names


def _json_is_export(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return ('"executions"' in head or '"artifacts"' in head) and (
        '"lastKnownState"' in head or '"customProperties"' in head or '"artifactTypes"' in head)


STORE_NAME = "metadata.sqlite"
"""ML Metadata's default file name: claimed even when it is not SQLite, so the reader can say
exactly that instead of "not a source governance-app can read"."""


def detect(path: Path) -> bool:
    """An MLMD SQLite store (or a file with its default name), or its JSON export."""
    return path.is_file() and (
        path.name == STORE_NAME or _sqlite_is_mlmd(path) or _json_is_export(path))


@importer(KIND, "Kubeflow Pipelines ML Metadata store (metadata.sqlite, read-only) or its "
          "JSON export", detect)
def read(path: Path, ctx: ImportContext) -> PipelineSnapshot:
    """Read runs, tasks, artifacts, registered model versions and their evidence.

    Raises:
        InputError: not SQLite / not an MLMD store, or a malformed export (names the field).
    """
    if ctx.options.settings:
        raise InputError(path, "ML Metadata imports take no settings", expected="none")
    if path.suffix.lower() == ".json" and not is_sqlite(path):
        store = read_export(path, read_json(path))
    else:
        store = read_sqlite(path)
    ctx.check_cancelled()
    graph = store_graph(store)
    experiments, runs, models, evidence = registry_records(store)
    placeholders: dict[tuple[str, str], str] = {}
    for model in models:
        for version in model.versions:
            label = version.tags[VERSION_TAG]
            node_id = f"model:{model.name}/{label}"
            placeholders[(model.name, label)] = node_id
            node = graph.nodes.get(node_id)
            if node is not None:
                node.status = "REGISTERED"
                if evidence.get(node_id):
                    node.facets[EVIDENCE_FACET] = evidence[node_id]
    ctx.report(1, 1, f"{len(store.executions)} executions, {len(store.artifacts)} artifacts read")
    return PipelineSnapshot(
        kind=KIND, source=str(path), source_sha256=sha256_of_path(path),
        experiments=experiments, runs=runs, models=models, lineage=graph,
        version_tag=VERSION_TAG, placeholder_ids=placeholders,
    )
