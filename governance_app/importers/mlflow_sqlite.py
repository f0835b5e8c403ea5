"""MLflow's SQLite store (``mlflow.db``, MLflow's default backend since 3.x), read-only.

The file is opened with SQLite's ``mode=ro`` URI, so neither the database nor its journal is
ever written: the user's registry is evidence and stays byte-for-byte as it was. Only the
tables MLflow has had since 2.x are read; newer ones (traces, logged models) are ignored.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from governance_app.domain.registry import (
    DatasetInput,
    Experiment,
    MetricSeries,
    ModelVersion,
    RegisteredModel,
    RegistrySnapshot,
    Run,
    utc_from_millis,
)
from governance_app.errors import InputError
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import sha256_of_path

SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = {"experiments", "runs", "params", "metrics", "latest_metrics", "tags"}
REGISTRY_TABLES = {"registered_models", "model_versions"}


def _connect(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.execute("PRAGMA query_only=ON")
        return connection
    except sqlite3.Error as exc:
        raise InputError(path, f"cannot be opened read-only: {exc}") from exc


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }


def _is_mlflow_db(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_MAGIC:
                return False
        connection = _connect(path)
        try:
            return REQUIRED_TABLES <= _tables(connection)
        finally:
            connection.close()
    except (OSError, sqlite3.Error, InputError):
        return False


@importer("mlflow-sqlite", "an MLflow SQLite store such as mlflow.db", _is_mlflow_db)
def read_mlflow_sqlite(path: Path, ctx: ImportContext) -> RegistrySnapshot:
    """Read experiments, runs (params, tags, full metric histories, dataset inputs) and the
    model registry (models, versions, tags, aliases, stages) from an MLflow SQLite store.

    Raises:
        InputError: not an MLflow store, or a table lacks a column MLflow always writes.
    """
    digest = sha256_of_path(path)
    connection = _connect(path)
    try:
        tables = _tables(connection)
        missing = REQUIRED_TABLES - tables
        if missing:
            raise InputError(
                path,
                f"lacks MLflow tables {', '.join(sorted(missing))}",
                expected="an MLflow tracking store",
            )
        snapshot = RegistrySnapshot("mlflow-sqlite", str(path), digest)
        try:
            experiments = _experiments(connection)
            ctx.report(1, 6, "experiments read")
            snapshot.experiments = list(experiments.values())
            snapshot.runs = _runs(connection, experiments, tables, ctx)
            if REGISTRY_TABLES <= tables:
                snapshot.models = _models(connection, tables)
            ctx.report(6, 6, "model registry read")
        except sqlite3.Error as exc:
            raise InputError(
                path,
                f"is not a readable MLflow store: {exc}",
                expected="the tables and columns MLflow 2.x/3.x writes",
            ) from exc
        return snapshot
    finally:
        connection.close()


def _tags(connection: sqlite3.Connection, sql: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for owner, key, value in connection.execute(sql):
        out[str(owner)][key] = value if value is not None else ""
    return out


def _experiments(connection: sqlite3.Connection) -> dict[str, Experiment]:
    tags = _tags(connection, "SELECT experiment_id, key, value FROM experiment_tags")
    out = {}
    for exp_id, name, location, stage, created, updated in connection.execute(
        "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, "
        "last_update_time FROM experiments ORDER BY experiment_id"
    ):
        out[str(exp_id)] = Experiment(
            name=name,
            source_id=str(exp_id),
            artifact_location=location or "",
            lifecycle_stage=stage or "active",
            created_at=utc_from_millis(created),
            updated_at=utc_from_millis(updated),
            tags=tags.get(str(exp_id), {}),
        )
    return out


def _runs(
    connection: sqlite3.Connection,
    experiments: dict[str, Experiment],
    tables: set[str],
    ctx: ImportContext,
) -> list[Run]:
    runs: dict[str, Run] = {}
    for run_uuid, name, user, status, start, end, uri, stage, exp_id in connection.execute(
        "SELECT run_uuid, name, user_id, status, start_time, end_time, artifact_uri, "
        "lifecycle_stage, experiment_id FROM runs ORDER BY start_time, run_uuid"
    ):
        experiment = experiments.get(str(exp_id))
        runs[run_uuid] = Run(
            run_id=run_uuid,
            experiment_name=experiment.name if experiment else f"experiment {exp_id}",
            name=name or "",
            user=user or "",
            status=status or "",
            start_time=utc_from_millis(start),
            end_time=utc_from_millis(end),
            artifact_uri=uri or "",
            lifecycle_stage=stage or "active",
        )
    ctx.report(2, 6, f"{len(runs)} runs read")
    ctx.check_cancelled()
    for run_uuid, key, value in connection.execute("SELECT run_uuid, key, value FROM params"):
        if run_uuid in runs:
            runs[run_uuid].params[key] = value if value is not None else ""
    for run_uuid, key, value in connection.execute("SELECT run_uuid, key, value FROM tags"):
        if run_uuid in runs:
            runs[run_uuid].tags[key] = value if value is not None else ""
    ctx.report(3, 6, "params and tags read")
    ctx.check_cancelled()
    for run_uuid, key, step, timestamp, value, is_nan in connection.execute(
        "SELECT run_uuid, key, step, timestamp, value, is_nan FROM metrics "
        "ORDER BY run_uuid, key, step, timestamp"
    ):
        run = runs.get(run_uuid)
        if run is None:
            continue
        series = run.metrics.get(key)
        if series is None:
            series = run.metrics[key] = MetricSeries(key)
        series.append(int(step or 0), int(timestamp or 0), float("nan") if is_nan else value)
    ctx.report(4, 6, "metric histories read")
    ctx.check_cancelled()
    if {"inputs", "datasets"} <= tables:
        _inputs(connection, runs, tables)
    ctx.report(5, 6, "dataset inputs read")
    return list(runs.values())


def _inputs(connection: sqlite3.Connection, runs: dict[str, Run], tables: set[str]) -> None:
    input_tags = (
        _tags(connection, "SELECT input_uuid, name, value FROM input_tags")
        if "input_tags" in tables
        else {}
    )
    for input_uuid, run_uuid, name, digest, stype, source, schema, profile in connection.execute(
        "SELECT i.input_uuid, i.destination_id, d.name, d.digest, d.dataset_source_type, "
        "d.dataset_source, d.dataset_schema, d.dataset_profile FROM inputs i "
        "JOIN datasets d ON d.dataset_uuid = i.source_id "
        "WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' ORDER BY d.name"
    ):
        if run_uuid not in runs:
            continue
        tags = input_tags.get(input_uuid, {})
        runs[run_uuid].inputs.append(
            DatasetInput(
                name=name,
                digest=digest,
                source_type=stype or "",
                source=source or "",
                schema=schema or "",
                profile=profile or "",
                context=tags.get("mlflow.data.context", ""),
                tags=tags,
            )
        )


def _models(connection: sqlite3.Connection, tables: set[str]) -> list[RegisteredModel]:
    model_tags = _tags(connection, "SELECT name, key, value FROM registered_model_tags")
    version_tags: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    for name, version, key, value in connection.execute(
        "SELECT name, version, key, value FROM model_version_tags"
    ):
        version_tags[(name, int(version))][key] = value or ""
    models: dict[str, RegisteredModel] = {}
    for name, created, updated, description in connection.execute(
        "SELECT name, creation_time, last_updated_time, description FROM registered_models "
        "ORDER BY name"
    ):
        models[name] = RegisteredModel(
            name=name,
            description=description or "",
            created_at=utc_from_millis(created),
            updated_at=utc_from_millis(updated),
            tags=model_tags.get(name, {}),
        )
    if "registered_model_aliases" in tables:
        for name, alias, version in connection.execute(
            "SELECT name, alias, version FROM registered_model_aliases"
        ):
            if name in models:
                models[name].aliases[alias] = int(version)
    for row in connection.execute(
        "SELECT name, version, creation_time, last_updated_time, description, user_id, "
        "current_stage, source, run_id, status, run_link FROM model_versions "
        "ORDER BY name, version"
    ):
        name, version, created, updated, description, user, stage, source, run_id, status, link = (
            row
        )
        model = models.get(name)
        if model is None:
            continue
        number = int(version)
        model.versions.append(
            ModelVersion(
                model_name=name,
                version=number,
                stage=stage or "None",
                description=description or "",
                source=source or "",
                run_id=run_id or "",
                run_link=link or "",
                status=status or "",
                user=user or "",
                created_at=utc_from_millis(created),
                updated_at=utc_from_millis(updated),
                tags=version_tags.get((name, number), {}),
                aliases=sorted(a for a, v in model.aliases.items() if v == number),
            )
        )
    return list(models.values())
