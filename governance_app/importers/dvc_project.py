"""Registers the DVC project reader (kind ``dvc``) and turns a project into lineage.

A stage is a ``stage:dvc://<project>/<name>`` node (its command, params, flags, metrics and
lock state as the ``dvc`` facet); every dependency and output is a dataset
``dataset:dvc://<project>/<path>`` carrying its md5, size and file count; ``input`` edges go
from each dependency to the stage and ``output`` edges from the stage to each output. A
dependency that lies inside (or contains) another stage's output is linked from that output,
exactly as ``dvc dag`` links the two stages (:mod:`dvc_dag`). A ``.dvc`` file is a stage
without a command whose outputs are where data enters the project.

Settings: ``project`` names the project in node ids (default: the folder's name).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from governance_app.domain.dvc import DvcProject, DvcStage
from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
)
from governance_app.domain.lineage_snapshot import LineageSnapshot
from governance_app.errors import InputError
from governance_app.importers.dvc_dag import OutputIndex
from governance_app.importers.dvc_paths import is_url
from governance_app.importers.dvc_read import is_dvc_project, read_project
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import sha256_of_path

KIND = "dvc"
DVC_FACET = "dvc"
_SETTINGS = ("project",)


def namespace_of(project: str) -> str:
    """The lineage namespace of a DVC project's stages and files."""
    return f"dvc://{project}"


def stage_node_id(project: str, stage: str) -> str:
    return f"{NodeKind.STAGE.value}:{namespace_of(project)}/{stage}"


def file_node_id(project: str, path: str) -> str:
    """A project file's dataset id; an external URL dependency keeps OpenLineage's naming."""
    if is_url(path):
        scheme, _, rest = path.partition("://")
        authority, _, key = rest.partition("/")
        return f"{NodeKind.DATASET.value}:{scheme}://{authority}/{key}"
    return f"{NodeKind.DATASET.value}:{namespace_of(project)}/{path}"


def project_graph(project: DvcProject) -> LineageGraph:
    """The lineage of a whole project: stages, their files, and the links between them."""
    graph = LineageGraph()
    namespace = namespace_of(project.name)
    index = OutputIndex(project.stages)
    for stage in project.stages:
        stage_id = stage_node_id(project.name, stage.name)
        facet = _stage_facet(stage)
        if stage.locked and not stage.is_data_source and project.lock_writer:
            facet["lock_written_by"] = project.lock_writer  # whose md5 the hashes are
        graph.add_node(LineageNode(stage_id, NodeKind.STAGE, stage.name, namespace,
                                   stage.status, {DVC_FACET: facet}))
        for out in stage.outs:
            node = _file_node(project.name, out.path)
            node.facets[DVC_FACET] = {**out.facet(), "stage": stage.name}
            graph.add_node(node)
            graph.add_edge(LineageEdge(stage_id, node.id, EdgeKind.OUTPUT.value))
    for stage in project.stages:
        stage_id = stage_node_id(project.name, stage.name)
        for dep in stage.deps:
            produced = [p for p in index.overlapping(dep.path)
                        if index.producer[p] is not stage]
            if not produced:
                node = _file_node(project.name, dep.path)
                node.facets[DVC_FACET] = dep.facet()
                graph.add_node(node)
                produced_ids = [node.id]
            else:
                produced_ids = [file_node_id(project.name, p) for p in produced]
            for source in produced_ids:
                graph.add_edge(LineageEdge(source, stage_id, EdgeKind.INPUT.value))
    for path, facts in project.declared.items():
        node = graph.nodes.get(file_node_id(project.name, path))
        if node is None:  # a declared file no stage writes or reads: still a file of the project
            node = graph.add_node(_file_node(project.name, path))
            node.facets[DVC_FACET] = {"path": path}
        node.facets[DVC_FACET]["declared"] = facts
    return graph


def _file_node(project: str, path: str) -> LineageNode:
    node_id = file_node_id(project, path)
    if is_url(path):
        scheme, _, rest = path.partition("://")
        authority, _, name = rest.partition("/")
        namespace = f"{scheme}://{authority}"
    else:
        namespace, name = namespace_of(project), path
    return LineageNode(node_id, NodeKind.DATASET, name, namespace)


def _stage_facet(stage: DvcStage) -> dict[str, object]:
    facet: dict[str, object] = {
        "dvcfile": stage.dvcfile, "wdir": stage.wdir, "cmd": stage.cmd,
        "frozen": stage.frozen, "always_changed": stage.always_changed,
        "locked": stage.locked,
        "deps": [d.facet() for d in stage.deps], "outs": [o.facet() for o in stage.outs],
    }
    if stage.params:
        facet["params"] = stage.params
    if stage.metrics:
        facet["metrics"] = stage.metrics
    if stage.lock_cmd:
        facet["lock_cmd"] = stage.lock_cmd
    return facet


def _name(ctx: ImportContext, path: Path) -> str | None:
    settings = dict(ctx.options.settings)
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise InputError(path, f"DVC imports take no setting {', '.join(map(repr, unknown))}",
                         expected=f"only {', '.join(_SETTINGS)}")
    name = settings.get("project")
    return str(name) if name else None


@importer(KIND, "DVC project folder (dvc.yaml, dvc.lock, params.yaml, *.dvc files)",
          is_dvc_project)
def read(path: Path, ctx: ImportContext) -> LineageSnapshot:
    """Read a DVC project folder into a lineage snapshot, touching no database.

    Raises:
        InputError: a file is malformed, a path leaves the folder, or the lock contradicts
            ``dvc.yaml`` or comes from DVC 1.x (names file and field).
        ImportCancelled: the context reported a cancel request.
    """
    project = read_project(path, ctx, _name(ctx, path))
    graph = project_graph(project)
    ctx.report(1, 1, f"{len(project.stages)} DVC stages read")
    return LineageSnapshot(
        kind=KIND, source=str(path), source_sha256=_digest(path, project),
        graph=graph, runs=0, files=len({s.dvcfile for s in project.stages}),
        notes=tuple(project.notes),
    )


def _digest(path: Path, project: DvcProject) -> str:
    """SHA-256 over the pipeline files read: dvc.yaml, locks, .dvc, params and metrics files
    (not the data: a project may hold gigabytes)."""
    h = hashlib.sha256()
    files = sorted({s.dvcfile for s in project.stages} | {
        (Path(s.dvcfile).parent / "dvc.lock").as_posix() for s in project.stages
        if not s.is_data_source} | {p for s in project.stages for p in s.params} | set(
        project.declared) | {m for s in project.stages for m in s.metrics})
    for rel in files:
        file = path / rel
        if file.is_file():
            h.update(rel.encode() + b"\0" + sha256_of_path(file).encode() + b"\n")
    return h.hexdigest()
