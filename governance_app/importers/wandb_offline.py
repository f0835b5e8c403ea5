"""Weights & Biases offline run folders: ``wandb/offline-run-*/run-<id>.wandb``.

Everything a run logged offline is in its binary transaction log (:mod:`wandb_records`): the run
record (name, project, group, job type, tags, notes, start time), config and summary updates,
every history row, logged artifacts with their manifests, and the exit record. The log is
decoded here without wandb; ``files/config.yaml`` and ``wandb-summary.json`` (written by older
wandb versions) only fill what a log lacks. Nothing is fetched and no server is contacted.

What becomes what:

* each run → a run of the experiment named by its project; config → params (nested keys
  joined with dots), the full history of every numeric key → metric histories, summary →
  latest values, tags / group / job type / notes → ``wandb.*`` run tags;
* each logged artifact → a lineage dataset node, output of its run;
* artifacts of type ``model`` → versions of a model named by the artifact collection, in the
  order they were logged (W&B's ``v0``, ``v1``… become versions 1, 2…; the W&B name is kept);
  an alias claimed by several versions stays with the newest, as W&B moves it;
* offline mode refuses ``use_artifact``, so inputs are known only as digests written into the
  config or artifact metadata: each is joined to the artifact with that digest when the import
  holds one, and reported as unmatched otherwise (a run tag ``wandb.unmatched_inputs``).

A damaged log (:class:`~governance_app.importers.wandb_records.CorruptLog`) is refused naming the
byte offset, unless the import setting ``partial`` is true: then the records before the damage
are imported and the count ``partial_logs`` says how many logs were cut.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
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
    MetricSeries,
    ModelVersion,
    RegisteredModel,
    RegistrySnapshot,
    Run,
)
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers import wandb_records as wr
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.wandb_history import HistoryReader
from governance_app.importers.wandb_records import F

KIND = "wandb-offline"
MAX_LOG_BYTES = 4 * 1024 * 1024 * 1024
NAMESPACE = "wandb://"
MANIFEST_SHOWN = 1000
"""Manifest entries kept on an artifact's lineage node (the count is always kept)."""


def _run_logs(path: Path) -> list[Path]:
    """The ``.wandb`` logs under ``path``: a log, a run folder, ``wandb/`` or its parent."""
    if path.is_file():
        return [path] if path.suffix == ".wandb" else []
    candidates = [path]
    if (path / "wandb").is_dir():
        candidates.append(path / "wandb")
    logs: list[Path] = []
    for folder in candidates:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_symlink():  # wandb's latest-run link: the run is listed anyway
                    continue
                if entry.is_file() and entry.name.endswith(".wandb"):
                    logs.append(Path(entry.path))
                elif entry.is_dir() and (entry.name.startswith(("offline-run-", "run-"))):
                    logs += sorted(Path(entry.path).glob("*.wandb"))
    return logs


def detect(path: Path) -> bool:
    """A ``.wandb`` file starting with the W&B header, or a folder laid out as wandb lays out
    offline runs (``offline-run-*/run-*.wandb``): a damaged log there is then refused with what
    is wrong with it, not as an unknown source."""
    try:
        if path.is_file():
            with path.open("rb") as fh:
                return path.suffix == ".wandb" and fh.read(4) == wr.MAGIC
        return bool(_run_logs(path))
    except OSError:
        return False


@dataclass
class _Artifact:
    name: str
    type: str
    digest: str
    aliases: list[str]
    description: str
    metadata: dict[str, Any]
    entries: list[dict[str, Any]]
    digest_algorithm: str
    run_id: str
    project: str
    logged_at: datetime | None = None
    version: int = 0  # W&B's v0, v1… within the collection, in logging order

    @property
    def uri(self) -> str:
        """``wandb://<project>/<name>:v<N>``, as W&B names an artifact version."""
        return f"{NAMESPACE}{self.project}/{self.name}:v{self.version}"


@dataclass
class _RunLog:
    file: Path
    run_id: str = ""
    project: str = ""
    entity: str = ""
    name: str = ""
    group: str = ""
    job_type: str = ""
    notes: str = ""
    host: str = ""
    user: str = ""
    tags: list[str] = field(default_factory=list)
    start: datetime | None = None
    exit_code: int | None = None
    runtime: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    series: dict[str, MetricSeries] = field(default_factory=dict)
    artifacts: list[_Artifact] = field(default_factory=list)
    used: list[dict[str, str]] = field(default_factory=list)
    cut_at: int | None = None
    git: dict[str, str] = field(default_factory=dict)
    history: HistoryReader | None = None

    def __post_init__(self) -> None:
        self.history = HistoryReader(lambda key: self.series.setdefault(key, MetricSeries(key)))


def _item_path(item: dict[int, list[int | bytes]]) -> list[str]:
    nested = wr.texts(item, F.ITEM_NESTED_KEY)
    return nested or [wr.text(item, F.ITEM_KEY)]


def _apply(target: dict[str, Any], update: dict[int, list[int | bytes]]) -> None:
    """Apply a ConfigRecord/SummaryRecord: updates set nested keys, removes delete them."""
    for item in wr.messages(update, F.UPDATE):
        path = _item_path(item)
        node = target
        for key in path[:-1]:
            child = node.get(key)
            node = node.setdefault(key, {}) if not isinstance(child, dict) else child
            if not isinstance(node, dict):
                break
        node[path[-1]] = json.loads(wr.text(item, F.ITEM_VALUE_JSON) or "null")
    for item in wr.messages(update, F.REMOVE):
        path = _item_path(item)
        node = target
        for key in path[:-1]:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(path[-1], None)


def _artifact(run: _RunLog, payload: bytes) -> _Artifact:
    msg = wr.fields(payload)
    manifest = wr.message(msg, F.ART_MANIFEST)
    entries = [
        {"path": wr.text(e, F.ENTRY_PATH), "digest": wr.text(e, F.ENTRY_DIGEST),
         "size": wr.integer(e, F.ENTRY_SIZE), **({"ref": wr.text(e, F.ENTRY_REF)}
                                                   if wr.text(e, F.ENTRY_REF) else {})}
        for e in wr.messages(manifest, F.MANIFEST_CONTENTS)
    ]
    metadata_text = wr.text(msg, F.ART_METADATA)
    metadata = json.loads(metadata_text) if metadata_text else {}
    return _Artifact(
        name=wr.text(msg, F.ART_NAME), type=wr.text(msg, F.ART_TYPE),
        digest=wr.text(msg, F.ART_DIGEST), aliases=sorted(wr.texts(msg, F.ART_ALIASES)),
        description=wr.text(msg, F.ART_DESCRIPTION),
        metadata=metadata if isinstance(metadata, dict) else {"value": metadata},
        entries=entries, digest_algorithm=wr.text(msg, F.ART_DIGEST_ALGORITHM),
        run_id=wr.text(msg, F.ART_RUN_ID) or run.run_id,
        project=wr.text(msg, F.ART_PROJECT) or run.project, logged_at=run.start,
    )


def _run_record(run: _RunLog, payload: bytes) -> None:
    msg = wr.fields(payload)
    run.run_id = wr.text(msg, F.RUN_ID) or run.run_id
    run.entity = wr.text(msg, F.RUN_ENTITY)
    run.project = wr.text(msg, F.RUN_PROJECT) or run.project
    run.group, run.job_type = wr.text(msg, F.RUN_GROUP), wr.text(msg, F.RUN_JOB_TYPE)
    run.name, run.notes = wr.text(msg, F.RUN_DISPLAY_NAME), wr.text(msg, F.RUN_NOTES)
    run.tags, run.host = wr.texts(msg, F.RUN_TAGS), wr.text(msg, F.RUN_HOST)
    start = wr.message(msg, F.RUN_START_TIME)
    if start:
        run.start = datetime.fromtimestamp(wr.integer(start, F.TS_SECONDS), tz=UTC) + timedelta(
            microseconds=wr.integer(start, F.TS_NANOS) // 1000)
    if F.RUN_CONFIG in msg:
        _apply(run.config, wr.message(msg, F.RUN_CONFIG))
    git = wr.message(msg, F.RUN_GIT)
    if git:
        run.git = {"remote": wr.text(git, F.GIT_REMOTE), "commit": wr.text(git, F.GIT_COMMIT)}


def read_log(file: Path, *, partial: bool, root: Path | None = None) -> _RunLog:
    """Decode one run's log.

    Raises:
        CorruptLog: the log is damaged and ``partial`` is false (names the byte offset).
        InputError: a record decodes as a protocol buffer but not as what W&B writes.
    """
    data = safe_io.read_bytes(file, limit=MAX_LOG_BYTES, root=root)
    run = _RunLog(file)
    offset = 0
    try:
        for offset, payload in wr.read_records(file, data):
            try:
                found = wr.record_type(payload)
                if found is None:
                    continue
                number, body = found
                if number == F.REC_HISTORY:
                    run.history.add(body)  # type: ignore[union-attr]
                elif number == F.REC_RUN:
                    _run_record(run, body)
                elif number == F.REC_CONFIG:
                    _apply(run.config, wr.fields(body))
                elif number == F.REC_SUMMARY:
                    _apply(run.summary, wr.fields(body))
                elif number == F.REC_ARTIFACT:
                    run.artifacts.append(_artifact(run, body))
                elif number == F.REC_EXIT:
                    msg = wr.fields(body)
                    run.exit_code = wr.integer(msg, F.EXIT_CODE)
                    run.runtime = wr.integer(msg, F.EXIT_RUNTIME)
                elif number == F.REC_USE_ARTIFACT:
                    msg = wr.fields(body)
                    run.used.append({"id": wr.text(msg, F.USE_ID), "type": wr.text(msg, F.USE_TYPE),
                                     "name": wr.text(msg, F.USE_NAME)})
                elif number == F.REC_ENVIRONMENT:
                    msg = wr.fields(body)
                    run.user = wr.text(msg, F.ENV_USERNAME) or run.user
                    run.host = run.host or wr.text(msg, F.ENV_HOST)
            except (wr.WireError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                raise wr.CorruptLog(file, offset, f"a record does not decode: {exc}") from exc
    except wr.CorruptLog as exc:
        if not partial:
            raise
        run.cut_at = exc.offset
    if not run.run_id:
        stem = file.stem
        run.run_id = stem[4:] if stem.startswith("run-") else stem
    # A key whose values were never numbers (media, tables) leaves an empty series: not a metric.
    run.series = {key: series for key, series in run.series.items() if len(series)}
    _fill_from_files(run, file.parent, root)
    run.config.pop("_wandb", None)
    run.summary.pop("_wandb", None)
    return run


def _fill_from_files(run: _RunLog, folder: Path, root: Path | None) -> None:
    """Older wandb also wrote config, summary and metadata as files; they fill what the log
    lacks (wandb 0.16 keeps user, host and git in ``wandb-metadata.json``, not in the log)."""
    config_file, summary_file = folder / "files" / "config.yaml", folder / "files" / (
        "wandb-summary.json")
    metadata_file = folder / "files" / "wandb-metadata.json"
    if metadata_file.is_file():
        metadata = safe_io.read_json(metadata_file, root=root)
        if isinstance(metadata, dict):
            run.user = run.user or str(metadata.get("username") or "")
            run.host = run.host or str(metadata.get("host") or "")
            git = metadata.get("git")
            if isinstance(git, dict) and not run.git:
                run.git = {"remote": str(git.get("remote") or ""),
                           "commit": str(git.get("commit") or "")}
    if not run.config and config_file.is_file():
        data = safe_io.read_yaml(config_file, root=root)
        if isinstance(data, dict):
            run.config = {k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
                          for k, v in data.items() if k != "_wandb"}
    if not run.summary and summary_file.is_file():
        data = safe_io.read_json(summary_file, root=root)
        if isinstance(data, dict):
            run.summary = data


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


def _node_id(art: _Artifact) -> str:
    """The dataset node of an artifact version: the id the registry's lineage derives from a
    run input whose source is :attr:`_Artifact.uri`, so both join into one node."""
    return f"dataset:{art.uri}"


def _number_versions(artifacts: list[_Artifact]) -> None:
    """W&B numbers the versions of a collection as they reach it; the same content (digest)
    logged again is the same version."""
    seen: dict[tuple[str, str], dict[str, int]] = {}
    for art in artifacts:
        versions = seen.setdefault((art.project, art.name), {})
        art.version = versions.setdefault(art.digest, len(versions))


def _status(run: _RunLog) -> str:
    if run.cut_at is not None or run.exit_code is None:
        return "RUNNING" if run.cut_at is None else "KILLED"
    return "FINISHED" if run.exit_code == 0 else "FAILED"


def _to_run(run: _RunLog, inputs: list[DatasetInput], unmatched: list[str]) -> Run:
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


def build(runs: list[_RunLog], path: Path, sha256: str) -> CloudSnapshot:
    """Runs, model versions, lineage and origins from decoded logs."""
    runs = sorted(runs, key=lambda r: (r.start or datetime.min.replace(tzinfo=UTC), r.run_id))
    artifacts = [a for r in runs for a in r.artifacts]
    _number_versions(artifacts)
    by_digest: dict[str, _Artifact] = {}
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


def _models(artifacts: list[_Artifact], graph: LineageGraph
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


@importer(KIND, "Weights & Biases offline runs (wandb/offline-run-*/ with run-<id>.wandb "
          "logs; --partial keeps what precedes a damaged record)", detect)
def read_wandb_offline(path: Path, context: ImportContext) -> CloudSnapshot:
    """Decode every run log under ``path``.

    Raises:
        CorruptLog: a log is damaged and the ``partial`` setting is not given.
        InputError: no log under ``path``, or an unknown setting.
    """
    settings = dict(context.options.settings)
    unknown = set(settings) - {"partial"}
    if unknown:
        raise InputError(path, f"unknown option(s) {', '.join(sorted(unknown))} for W&B runs",
                         expected="--partial only")
    partial = bool(settings.get("partial"))
    logs = _run_logs(path)
    if not logs:
        raise InputError(path, "holds no W&B run log", expected="wandb/offline-run-*/run-*.wandb")
    root = path if path.is_dir() else None
    runs = []
    for i, log in enumerate(logs):
        context.check_cancelled()
        context.report(i, len(logs), f"decoding {log.name}")
        runs.append(read_log(log, partial=partial, root=root))
    context.report(len(logs), len(logs), "W&B logs decoded")
    snapshot = build(runs, path, safe_io.sha256_of_path(path))
    cut = sum(1 for r in runs if r.cut_at is not None)
    snapshot.partial_logs = cut
    return snapshot
