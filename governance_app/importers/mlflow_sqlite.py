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
from governance_app.importers.mlflow_sqlite_schema import (
    MissingColumn,
    check_readable,
    columns,
    select,
    writer,
)
from governance_app.importers.registry import ImportContext, importer
from governance_app.importers.safe_io import sha256_of_path

SQLITE_MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = {"experiments", "runs", "params", "metrics", "tags"}
"""The tables every MLflow store has had since 1.0 (``latest_metrics`` came with 1.9)."""
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


def _sqlite_tables(path: Path) -> set[str] | None:
    """The tables of an SQLite file, or ``None`` when ``path`` is not one."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_MAGIC:
                return None
        connection = _connect(path)
        try:
            return _tables(connection)
        finally:
            connection.close()
    except (OSError, sqlite3.Error, InputError):
        return None


def _is_mlflow_db(path: Path) -> bool:
    tables = _sqlite_tables(path)
    return tables is not None and REQUIRED_TABLES <= tables


def near_miss(path: Path) -> str | None:
    """An SQLite file with part of MLflow's schema: which MLflow tables it has and lacks."""
    tables = _sqlite_tables(path)
    if not tables:
        return None
    mlflow_tables = REQUIRED_TABLES | REGISTRY_TABLES | {"alembic_version", "experiment_tags"}
    found = sorted(tables & mlflow_tables)
    if len(found) < 2 or REQUIRED_TABLES <= tables:
        return None
    return (f"an SQLite database with part of MLflow's schema (has {', '.join(found)}; "
            f"lacks {', '.join(sorted(REQUIRED_TABLES - tables))})")


@importer("mlflow-sqlite", "an MLflow SQLite store such as mlflow.db", _is_mlflow_db,
          near_miss=near_miss)
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
        rev = check_readable(path, connection, tables)
        snapshot = RegistrySnapshot("mlflow-sqlite", str(path), digest)
        try:
            experiments = _experiments(connection)
            ctx.report(1, 6, "experiments read")
            snapshot.experiments = list(experiments.values())
            snapshot.runs = _runs(connection, experiments, tables, ctx)
            if REGISTRY_TABLES <= tables:
                snapshot.models = _models(connection, tables)
            ctx.report(6, 6, "model registry read")
        except MissingColumn as exc:
            raise InputError(
                path, f"table {exc.table} lacks column {exc.column} (written by {writer(rev)})",
                location=f"{exc.table}.{exc.column}",
                expected="the columns MLflow has written since it added that table",
            ) from exc
        except sqlite3.Error as exc:
            raise InputError(
                path,
                f"is not a readable MLflow store ({writer(rev)}): {exc}",
                expected="the tables and columns MLflow 1.0 to 3.x writes",
            ) from exc
        return snapshot
    finally:
        connection.close()


def _tags(connection: sqlite3.Connection, table: str, owner: str,
          key: str = "key") -> dict[str, dict[str, str]]:
    """Tags by owner; an empty mapping for a store older than ``table``."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if owner not in columns(connection, table):
        return out
    for owner_id, name, value in connection.execute(select(connection, table,
                                                           (owner, key, "value"))):
        out[str(owner_id)][name] = value if value is not None else ""
    return out


def _experiments(connection: sqlite3.Connection) -> dict[str, Experiment]:
    tags = _tags(connection, "experiment_tags", "experiment_id")
    out = {}
    for exp_id, name, location, stage, created, updated in connection.execute(select(
        connection, "experiments", ("experiment_id", "name", "artifact_location",
                                    "lifecycle_stage", "creation_time", "last_update_time"),
        "ORDER BY experiment_id",
    )):
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
        select(connection, "runs", ("run_uuid", "name", "user_id", "status", "start_time",
                                    "end_time", "artifact_uri", "lifecycle_stage",
                                    "experiment_id"), "ORDER BY start_time, run_uuid")
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
    for run in runs.values():
        # Before MLflow 1.29 the run name lived only in the mlflow.runName tag (runs.name was
        # empty) and, before 1.1, the user only in mlflow.user: read them where they were.
        run.name = run.name or run.tags.get("mlflow.runName", "")
        run.user = run.user or run.tags.get("mlflow.user", "")
    ctx.report(3, 6, "params and tags read")
    ctx.check_cancelled()
    for run_uuid, key, step, timestamp, value, is_nan in connection.execute(select(
        connection, "metrics", ("run_uuid", "key", "step", "timestamp", "value", "is_nan"),
        "ORDER BY run_uuid, key, step, timestamp",
    )):
        run = runs.get(run_uuid)
        if run is None:
            continue
        series = run.metrics.get(key)
        if series is None:
            series = run.metrics[key] = MetricSeries(key)
        # Before is_nan (MLflow 1.11) a NaN was stored as NULL value.
        missing = is_nan or value is None
        series.append(int(step or 0), int(timestamp or 0), float("nan") if missing else value)
    ctx.report(4, 6, "metric histories read")
    ctx.check_cancelled()
    if {"inputs", "datasets"} <= tables:
        _inputs(connection, runs, tables)
    ctx.report(5, 6, "dataset inputs read")
    return list(runs.values())


def _inputs(connection: sqlite3.Connection, runs: dict[str, Run], tables: set[str]) -> None:
    input_tags = _tags(connection, "input_tags", "input_uuid", key="name")
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
    model_tags = _tags(connection, "registered_model_tags", "name")
    version_tags: dict[tuple[str, int], dict[str, str]] = defaultdict(dict)
    if "model_version_tags" in tables:  # since MLflow 1.8 or so (27a6a02d2cf1)
        for name, version, key, value in connection.execute(
            "SELECT name, version, key, value FROM model_version_tags"
        ):
            version_tags[(name, int(version))][key] = value or ""
    models: dict[str, RegisteredModel] = {}
    for name, created, updated, description in connection.execute(select(
        connection, "registered_models", ("name", "creation_time", "last_updated_time",
                                          "description"), "ORDER BY name",
    )):
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
    for row in connection.execute(select(
        connection, "model_versions", ("name", "version", "creation_time", "last_updated_time",
                                       "description", "user_id", "current_stage", "source",
                                       "run_id", "status", "run_link"),
        "ORDER BY name, version",
    )):
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
