"""MLflow REST JSON importer: saved answers of ``mlflow server``'s search endpoints.

One file, or a folder of files, each the JSON body of ``registered-models/search``,
``model-versions/search``, ``experiments/search`` or ``runs/search`` (several pages of one
endpoint are several files; ``next_page_token`` is ignored). The mlflow-export-import tool's
``model.json`` (a ``registered_model`` with its ``versions`` under ``mlflow``) is read as well,
since it wraps the same REST shapes.

REST runs carry only the latest value of each metric, so runs get ``latest_metrics`` and no
history. Nothing is fetched: artifact and source URIs are recorded as text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    ModelVersion,
    RegisteredModel,
    RegistrySnapshot,
    Run,
    utc_from_millis,
)
from governance_app.errors import InputError
from governance_app.importers import safe_io
from governance_app.importers.folder_listing import json_files
from governance_app.importers.json_paths import Places
from governance_app.importers.registry import ImportContext, importer

KIND = "mlflow-rest"
ENDPOINTS = {
    "registered_models": "registered-models/search",
    "model_versions": "model-versions/search",
    "experiments": "experiments/search",
    "runs": "runs/search",
}
"""Top-level key of each search answer, and the endpoint that answers with it."""

PROTO_JSON_FLOATS = ("NaN", "Infinity", "-Infinity")
"""How the MLflow server (protobuf's JSON mapping) writes a NaN or infinite metric value."""

EXPORT_TOOL = "mlflow-export-import model.json"
DETECT_LIMIT = 16 * 1024 * 1024
"""Files larger than this are judged by their first bytes only when detecting."""

_DATASET_FIELDS = ("name", "digest", "source_type", "source", "schema", "profile")


def _shape(data: Any) -> str | None:
    """The answer's top-level key, ``EXPORT_TOOL`` for export-import, else ``None``."""
    if not isinstance(data, dict):
        return None
    keys = set(data) - {"next_page_token"}
    if len(keys) == 1 and (key := keys.pop()) in ENDPOINTS and isinstance(data[key], list):
        return key
    mlflow = data.get("mlflow")
    if isinstance(mlflow, dict) and isinstance(mlflow.get("registered_model"), dict):
        return EXPORT_TOOL
    return None


def _json_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        Path(e.path)
        for e in os.scandir(path)
        if e.name.endswith(".json") and not e.name.startswith(".") and e.is_file()
    )


def _detected_files(path: Path) -> list[str]:
    """The files :func:`_json_files` would give, from the listing detection shares, as text
    (the first other file settles a folder of 10,000: a Path for each was most of the time);
    none if ``path`` is a file that is not ``.json``."""
    if not path.is_dir():
        return [str(path)] if path.suffix.lower() == ".json" else []
    return [f.path for f in json_files(path)
            if "/" not in f.rel and not f.rel.startswith(".") and f.is_file]


def detect(path: Path) -> bool:
    """A JSON file (or a folder of only such files) whose top level is a search answer."""
    try:
        names = _detected_files(path)
        if not names:
            return False
        for file in map(Path, names):
            if file.stat().st_size > DETECT_LIMIT:
                with file.open("rb") as fh:
                    head = fh.read(4096).lstrip().decode("utf-8", "replace")
                if not any(head[1:].lstrip().startswith(f'"{key}"') for key in ENDPOINTS):
                    return False
            elif _shape(safe_io.read_json(file)) is None:
                return False
        return True
    except (OSError, InputError):
        return False


# -- field helpers ---------------------------------------------------------------------------


class _Fields:
    """Typed access to one JSON object, every error naming the file, field path and line."""

    def __init__(self, places: Places, parts: tuple[str | int, ...], data: Any) -> None:
        if not isinstance(data, dict):
            raise places.error(parts, f"is {type(data).__name__}", expected="a JSON object")
        self.places, self.parts, self.data = places, parts, data

    @classmethod
    def top(cls, file: Path, root: Path, data: Any) -> _Fields:
        """The top level of ``file``; lines are looked up (in ``file`` within ``root``) on error."""
        return cls(Places(file, root="$", within=root), (), data)

    def _fail(self, key: str, expected: str) -> InputError:
        value = self.data.get(key)
        return self.places.error((*self.parts, key), f"{key} is {value!r}", expected=expected)

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self._fail(key, "text")
        if required and value == "":
            raise self._fail(key, "non-empty text")
        return str(value)

    def millis(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.isdigit():  # protobuf JSON writes int64 as text
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "milliseconds since the epoch")
        return value

    def number(self, key: str) -> float:
        value = self.data.get(key)
        if value in PROTO_JSON_FLOATS:  # protobuf's JSON spells these as strings
            return float(str(value))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "a number")
        return float(value)

    def version(self, key: str = "version") -> int:
        value = self.data.get(key)
        if isinstance(value, str) and value.isdigit():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self._fail(key, "a version number")

    def items(self, key: str) -> list[_Fields]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        places, parts = self.places, self.parts
        return [_Fields(places, (*parts, key, i), v) for i, v in enumerate(value)]

    def child(self, key: str) -> _Fields:
        return _Fields(self.places, (*self.parts, key), self.data.get(key) or {})

    def tags(self, key: str = "tags") -> dict[str, str]:
        """``[{key, value}]`` as REST writes it, or the ``{key: value}`` of export-import."""
        value = self.data.get(key)
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return {t.text("key", required=True): t.text("value") for t in self.items(key)}


# -- records ---------------------------------------------------------------------------------


def _version(f: _Fields) -> ModelVersion:
    return ModelVersion(
        model_name=f.text("name", required=True),
        version=f.version(),
        stage=f.text("current_stage") or "None",
        description=f.text("description"),
        source=f.text("source"),
        run_id=f.text("run_id"),
        run_link=f.text("run_link"),
        status=f.text("status") or "READY",
        user=f.text("user_id"),
        created_at=utc_from_millis(f.millis("creation_timestamp")),
        updated_at=utc_from_millis(f.millis("last_updated_timestamp")),
        tags=f.tags(),
        aliases=sorted(a for a in f.data.get("aliases") or [] if isinstance(a, str)),
    )


def _model(f: _Fields) -> RegisteredModel:
    aliases = {a.text("alias", required=True): a.version() for a in f.items("aliases")}
    return RegisteredModel(
        name=f.text("name", required=True),
        description=f.text("description"),
        created_at=utc_from_millis(f.millis("creation_timestamp")),
        updated_at=utc_from_millis(f.millis("last_updated_timestamp")),
        tags=f.tags(),
        aliases=aliases,
    )


def _experiment(f: _Fields) -> Experiment:
    return Experiment(
        name=f.text("name", required=True),
        source_id=f.text("experiment_id", required=True),
        artifact_location=f.text("artifact_location"),
        lifecycle_stage=f.text("lifecycle_stage") or "active",
        created_at=utc_from_millis(f.millis("creation_time")),
        updated_at=utc_from_millis(f.millis("last_update_time")),
        tags=f.tags(),
    )


def _run(f: _Fields, experiment_names: dict[str, str]) -> Run:
    info, data = f.child("info"), f.child("data")
    run_id = info.text("run_id") or info.text("run_uuid", required=True)
    experiment_id = info.text("experiment_id", required=True)
    tags = data.tags()
    inputs = []
    for item in f.child("inputs").items("dataset_inputs"):
        dataset = item.child("dataset")
        input_tags = item.tags()
        inputs.append(DatasetInput(
            **{k: dataset.text(k, required=k in ("name", "digest")) for k in _DATASET_FIELDS},
            context=input_tags.get("mlflow.data.context", ""),
            tags=input_tags,
        ))
    return Run(
        run_id=run_id,
        # A runs-only export has no experiment names; the id is the best name we have.
        experiment_name=experiment_names.get(experiment_id, experiment_id),
        name=info.text("run_name") or tags.get("mlflow.runName", ""),
        user=info.text("user_id"),
        status=info.text("status"),
        start_time=utc_from_millis(info.millis("start_time")),
        end_time=utc_from_millis(info.millis("end_time")),
        artifact_uri=info.text("artifact_uri"),
        lifecycle_stage=info.text("lifecycle_stage") or "active",
        params={p.text("key", required=True): p.text("value") for p in data.items("params")},
        tags=tags,
        latest_metrics={
            m.text("key", required=True): m.number("value") for m in data.items("metrics")
        },
        inputs=inputs,
    )


@importer(KIND, "MLflow REST JSON answers (registered-models, model-versions, runs)", detect)
def read(path: Path, ctx: ImportContext) -> RegistrySnapshot:
    """Read saved REST answers into one snapshot, without touching any database.

    Raises:
        InputError: a file is not strict JSON or not a search answer, or a field has the wrong
            type; the message names the file, the line or field path, and what was expected.
        ImportCancelled: the context reported a cancel request.
    """
    root = path if path.is_dir() else path.parent
    files = _json_files(path)
    if not files:
        raise InputError(path, "holds no .json files", expected="saved MLflow REST answers")
    pages: dict[str, list[tuple[Path, Any]]] = {key: [] for key in (*ENDPOINTS, EXPORT_TOOL)}
    for done, file in enumerate(files):
        ctx.check_cancelled()
        ctx.report(done, len(files), f"reading {file.name}")
        data = safe_io.read_json(file, root=root)
        shape = _shape(data)
        if shape is None:
            found = ", ".join(sorted(data)) if isinstance(data, dict) else type(data).__name__
            raise InputError(file, f"top level holds {found or 'nothing'}", location="top level",
                             expected="one of " + ", ".join(f"{k!r} ({v})"
                                                            for k, v in ENDPOINTS.items()))
        pages[shape].append((file, data))
    ctx.check_cancelled()

    snapshot = RegistrySnapshot(kind=KIND, source=str(path), source_sha256="")
    for file, data in pages["experiments"]:
        for item in _Fields.top(file, root, data).items("experiments"):
            snapshot.experiments.append(_experiment(item))
    names = {e.source_id: e.name for e in snapshot.experiments}
    for file, data in pages["runs"]:
        for item in _Fields.top(file, root, data).items("runs"):
            snapshot.runs.append(_run(item, names))

    models: dict[str, RegisteredModel] = {}
    listed: dict[tuple[str, int], ModelVersion] = {}
    latest: dict[tuple[str, int], ModelVersion] = {}
    for file, data in pages["registered_models"]:
        for item in _Fields.top(file, root, data).items("registered_models"):
            models[item.text("name", required=True)] = _model(item)
            for v in item.items("latest_versions"):
                latest[(v.text("name", required=True), v.version())] = _version(v)
    for file, data in pages[EXPORT_TOOL]:
        item = _Fields.top(file, root, data).child("mlflow").child("registered_model")
        models[item.text("name", required=True)] = _model(item)
        for key in ("latest_versions", "versions"):
            for v in item.items(key):
                listed[(v.text("name", required=True), v.version())] = _version(v)
    for file, data in pages["model_versions"]:
        for v in _Fields.top(file, root, data).items("model_versions"):
            listed[(v.text("name", required=True), v.version())] = _version(v)
    # model-versions/search lists every version; latest_versions only the newest per stage.
    versions = listed if pages["model_versions"] else {**latest, **listed}
    for (name, _), version in sorted(versions.items()):
        model = models.setdefault(name, RegisteredModel(name=name))
        version.aliases = sorted(
            {*version.aliases, *(a for a, n in model.aliases.items() if n == version.version)}
        )
        model.versions.append(version)
    snapshot.models = [models[name] for name in sorted(models)]
    ctx.report(len(files), len(files), "read MLflow REST answers")
    snapshot.source_sha256 = safe_io.sha256_of_path(path)
    return snapshot
