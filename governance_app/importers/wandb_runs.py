"""Decoded W&B run logs into the app's records: runs, model versions, origins, lineage.

* each run → a run of the experiment named by its project; config → params (nested keys
  joined with dots), the history of every numeric key → metric histories, summary → latest
  values, tags / group / job type / notes → ``wandb.*`` run tags;
* each logged artifact → a lineage dataset node ``wandb://<project>/<name>:v<N>``, output of
  its run, with W&B's version numbers given in logging order;
* artifacts of type ``model`` → versions of a model named by the collection (``v0``, ``v1``…
  become versions 1, 2…); an alias claimed by several versions stays with the newest;
* inputs, known offline only as digests in config or metadata, joined by digest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from governance_app.domain.cloud import CloudSnapshot, VersionOrigin
from governance_app.domain.lineage import (
    EdgeKind,
    LineageEdge,
    LineageGraph,
    LineageNode,
    NodeKind,
    model_version_id,
)
from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    ModelVersion,
    RegisteredModel,
    RegistrySnapshot,
    Run,
)
from governance_app.importers.wandb_log import NAMESPACE, LoggedArtifact, RunLog

KIND = "wandb-offline"
MANIFEST_SHOWN = 1000
"""Manifest entries kept on an artifact's lineage node (the count is always kept)."""


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested config/summary → ``{"optimizer.name": "adam"}``; lists stay whole."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, child in value.items():
            out.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value} if prefix else {}


def _param(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _digest_refs(value: Any, where: str) -> list[tuple[str, str, str]]:
    """``(digest, name, field path)`` of every object with a ``digest`` in a config/metadata."""
    out: list[tuple[str, str, str]] = []
    if isinstance(value, dict):
        digest = value.get("digest")
        if isinstance(digest, str) and digest:
            name = value.get("name") or value.get("artifact") or ""
            out.append((digest, str(name), where))
        for key, child in value.items():
            if key != "digest":
                out += _digest_refs(child, f"{where}.{key}")
    return out


def _node_id(art: LoggedArtifact) -> str:
    """The dataset node of an artifact version: the id the registry's lineage derives from a
    run input whose source is :attr:`LoggedArtifact.uri`, so both join into one node."""
    return f"dataset:{art.uri}"


def _number_versions(artifacts: list[LoggedArtifact]) -> None:
    """W&B numbers the versions of a collection as they reach it; the same content (digest)
    logged again is the same version."""
    seen: dict[tuple[str, str], dict[str, int]] = {}
    for art in artifacts:
        versions = seen.setdefault((art.project, art.name), {})
        art.version = versions.setdefault(art.digest, len(versions))


def _status(run: RunLog) -> str:
    if run.cut_at is not None or run.exit_code is None:
        return "RUNNING" if run.cut_at is None else "KILLED"
    return "FINISHED" if run.exit_code == 0 else "FAILED"


def _to_run(run: RunLog, inputs: list[DatasetInput], unmatched: list[str]) -> Run:
    tags = {"wandb.run_id": run.run_id}
    for key, value in (("wandb.group", run.group), ("wandb.job_type", run.job_type),
                       ("wandb.notes", run.notes), ("wandb.host", run.host),
                       ("wandb.entity", run.entity),
                       ("wandb.git_commit", run.git.get("commit", "")),
                       ("wandb.git_remote", run.git.get("remote", ""))):
        if value:
            tags[key] = value
    if run.tags:
        tags["wandb.tags"] = ", ".join(run.tags)
    if unmatched:
        tags["wandb.unmatched_inputs"] = "; ".join(unmatched)
    if run.cut_at is not None:
        tags["wandb.log_cut_at_byte"] = str(run.cut_at)
    latest = {k: float(v) for k, v in flatten(run.summary).items()
              if isinstance(v, (int, float)) and not isinstance(v, bool) and not k.startswith("_")}
    return Run(
        run_id=run.run_id, experiment_name=run.project or "wandb", name=run.name,
        user=run.user, status=_status(run), start_time=run.start,
        end_time=run.start + timedelta(seconds=run.runtime) if run.start and run.runtime else None,
        artifact_uri="", params={k: _param(v) for k, v in flatten(run.config).items()},
        tags=tags, metrics=run.series, inputs=inputs, latest_metrics=latest,
    )


def build(runs: list[RunLog], path: Path, sha256: str) -> CloudSnapshot:
    """Runs, model versions, lineage and origins from decoded logs."""
    runs = sorted(runs, key=lambda r: (r.start or datetime.min.replace(tzinfo=UTC), r.run_id))
    artifacts = [a for r in runs for a in r.artifacts]
    _number_versions(artifacts)
    by_digest: dict[str, LoggedArtifact] = {}
    for art in artifacts:
        by_digest.setdefault(art.digest, art)
    graph = LineageGraph()
    notes: list[str] = []
    out_runs: list[Run] = []
    for run in runs:
        run_node = f"{NodeKind.RUN.value}:{run.run_id}"
        graph.add_node(LineageNode(run_node, NodeKind.RUN, run.run_id, NAMESPACE + run.project,
                                   _status(run), {"wandb": {"name": run.name,
                                                            "job_type": run.job_type}},
                                   run.start))
        for art in run.artifacts:
            graph.add_node(LineageNode(_node_id(art), NodeKind.DATASET,
                                       f"{art.name}:v{art.version}",
                                       NAMESPACE + art.project, "", {"wandb_artifact": {
                                           "type": art.type, "digest": art.digest,
                                           "aliases": art.aliases,
                                           "description": art.description,
                                           "metadata": art.metadata,
                                           "entries": len(art.entries),
                                           "manifest": art.entries[:MANIFEST_SHOWN]}}))
            graph.add_edge(LineageEdge(run_node, _node_id(art), EdgeKind.OUTPUT.value))
        inputs: list[DatasetInput] = []
        unmatched: list[str] = []
        refs = _digest_refs(run.config, "config")
        refs += [r for a in run.artifacts for r in _digest_refs(a.metadata, f"artifact {a.name}")]
        seen: set[str] = set()
        own = {a.digest for a in run.artifacts}
        for digest, _name, where in refs:
            if digest in seen or digest in own:
                continue
            seen.add(digest)
            source = by_digest.get(digest)
            if source is None:
                unmatched.append(f"{where} digest {digest} matches no artifact of this import")
                notes.append(f"run {run.run_id}: {unmatched[-1]}")
                continue
            inputs.append(DatasetInput(name=source.name, digest=digest,
                                       source_type="wandb-artifact",
                                       source=source.uri,
                                       context="input", tags={"joined_by": "digest",
                                                              "named_in": where}))
            graph.add_edge(LineageEdge(_node_id(source), run_node, EdgeKind.INPUT.value))
        out_runs.append(_to_run(run, inputs, unmatched))
    models, origins = _models(artifacts, graph)
    experiments = [Experiment(name=p, source_id=f"{NAMESPACE}{p}")
                   for p in sorted({r.experiment_name for r in out_runs})]
    registry = RegistrySnapshot(KIND, str(path), sha256, experiments, out_runs, models)
    return CloudSnapshot(KIND, str(path), sha256, registry, origins=origins, lineage=graph,
                         notes=notes)


def _models(artifacts: list[LoggedArtifact], graph: LineageGraph
            ) -> tuple[list[RegisteredModel], list[VersionOrigin]]:
    """Artifacts of type ``model`` → versions of their collection, in logging order."""
    models: dict[str, RegisteredModel] = {}
    origins: list[VersionOrigin] = []
    for art in artifacts:
        if art.type != "model":
            continue
        model = models.setdefault(art.name, RegisteredModel(name=art.name))
        number = art.version + 1
        if any(v.version == number for v in model.versions):
            continue  # the same content logged again is the same W&B version
        wandb_version = f"v{art.version}"
        model.versions.append(ModelVersion(
            model_name=art.name, version=number, description=art.description,
            source=art.uri, run_id=art.run_id,
            tags={"wandb.version": wandb_version, "wandb.digest": art.digest},
            created_at=art.logged_at,
            aliases=[], status="READY"))
        for alias in art.aliases:
            model.aliases[alias] = number  # the newest version claiming an alias keeps it
        origins.append(VersionOrigin(
            model_name=art.name, version=number, origin="wandb",
            source_id=f"{art.uri}@{art.digest}",
            model_source_id=f"{NAMESPACE}{art.project}/{art.name}",
            details={"wandb_version": wandb_version, "claimed_aliases": art.aliases,
                     "digest": art.digest, "digest_algorithm": art.digest_algorithm,
                     "metadata": art.metadata, "manifest": art.entries,
                     "producing_run": art.run_id}))
        version_node = model_version_id(art.name, number)
        graph.add_node(LineageNode(version_node, NodeKind.MODEL_VERSION, f"{art.name}/{number}"))
        graph.add_edge(LineageEdge(_node_id(art), version_node, EdgeKind.PRODUCED.value))
    for model in models.values():
        stamps = [v.created_at for v in model.versions if v.created_at]
        model.created_at, model.updated_at = min(stamps, default=None), max(stamps, default=None)
        for version in model.versions:
            version.aliases = sorted(a for a, v in model.aliases.items() if v == version.version)
    return list(models.values()), origins
