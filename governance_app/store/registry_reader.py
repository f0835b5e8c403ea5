"""Read registry records back as domain objects; ORM rows never leave this module."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_app.domain.registry import (
    DatasetInput,
    ImportRecord,
    ModelVersion,
    RegisteredModel,
    Run,
)
from governance_app.domain.views import ModelSummary
from governance_app.errors import NotFoundError
from governance_app.store import codec
from governance_app.store.schema import (
    SqlDataset,
    SqlExperiment,
    SqlImport,
    SqlMetricSeries,
    SqlModelAlias,
    SqlModelVersion,
    SqlRegisteredModel,
    SqlRun,
    SqlRunInput,
)


def model_summaries(session: Session) -> list[ModelSummary]:
    """Every registered model with its latest version, aliases, stage and owner, by name.

    Three flat queries rather than ORM relationships, so a registry of thousands of versions
    opens in a blink.
    """
    latest: dict[int, tuple[int, str, str]] = {}
    counts: dict[int, int] = defaultdict(int)
    for model_pk, version, stage, user in session.execute(
        select(
            SqlModelVersion.model_id,
            SqlModelVersion.version,
            SqlModelVersion.stage,
            SqlModelVersion.user,
        )
    ):
        counts[model_pk] += 1
        if model_pk not in latest or version > latest[model_pk][0]:
            latest[model_pk] = (version, stage, user)
    aliases: dict[int, dict[str, int]] = defaultdict(dict)
    for model_pk, alias, version in session.execute(
        select(SqlModelAlias.model_id, SqlModelAlias.alias, SqlModelAlias.version)
    ):
        aliases[model_pk][alias] = version
    out = []
    for row in session.execute(select(SqlRegisteredModel).order_by(SqlRegisteredModel.name)):
        m = row[0]
        version, stage, user = latest.get(m.id, (None, "None", ""))
        out.append(
            ModelSummary(
                name=m.name,
                latest_version=version,
                version_count=counts[m.id],
                aliases=dict(sorted(aliases[m.id].items())),
                stage=stage,
                owner=m.tags.get("owner") or user,
                updated_at=m.updated_at,
                description=m.description,
            )
        )
    return out


def _model_row(session: Session, name: str) -> SqlRegisteredModel:
    row = session.scalar(select(SqlRegisteredModel).where(SqlRegisteredModel.name == name))
    if row is None:
        raise NotFoundError(f"no registered model named {name!r} in this workspace")
    return row


def get_model(session: Session, name: str) -> RegisteredModel:
    """A registered model with all its versions (oldest first) and aliases."""
    m = _model_row(session, name)
    aliases: dict[str, int] = dict(
        session.execute(
            select(SqlModelAlias.alias, SqlModelAlias.version)
            .where(SqlModelAlias.model_id == m.id)
            .order_by(SqlModelAlias.alias)
        ).all()
    )
    by_version: dict[int, list[str]] = defaultdict(list)
    for alias, version in aliases.items():
        by_version[version].append(alias)
    versions = [
        ModelVersion(
            model_name=m.name,
            version=v.version,
            stage=v.stage,
            description=v.description,
            source=v.source,
            run_id=v.run_id,
            run_link=v.run_link,
            status=v.status,
            user=v.user,
            created_at=v.created_at,
            updated_at=v.updated_at,
            tags=v.tags,
            aliases=sorted(by_version[v.version]),
        )
        for v in session.scalars(
            select(SqlModelVersion)
            .where(SqlModelVersion.model_id == m.id)
            .order_by(SqlModelVersion.version)
        )
    ]
    return RegisteredModel(
        name=m.name,
        description=m.description,
        created_at=m.created_at,
        updated_at=m.updated_at,
        tags=m.tags,
        aliases=aliases,
        versions=versions,
    )


def get_run(session: Session, run_id: str) -> tuple[Run, str]:
    """A run with its full metric histories and dataset inputs, and its experiment's name."""
    row = session.execute(
        select(SqlRun, SqlExperiment.name)
        .join(SqlExperiment, SqlExperiment.id == SqlRun.experiment_id)
        .where(SqlRun.run_id == run_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no run {run_id!r} in this workspace")
    r, experiment_name = row
    run = Run(
        run_id=r.run_id,
        experiment_name=experiment_name,
        name=r.name,
        user=r.user,
        status=r.status,
        start_time=r.start_time,
        end_time=r.end_time,
        artifact_uri=r.artifact_uri,
        lifecycle_stage=r.lifecycle_stage,
        params=dict(r.params),
        tags=dict(r.tags),
        latest_metrics={k: float(v) for k, v in r.latest_metrics.items()},
    )
    for key, steps, stamps, values in session.execute(
        select(
            SqlMetricSeries.key,
            SqlMetricSeries.steps,
            SqlMetricSeries.timestamps,
            SqlMetricSeries.values,
        )
        .where(SqlMetricSeries.run_id == r.id)
        .order_by(SqlMetricSeries.key)
    ):
        run.metrics[key] = codec.series_from_row(key, steps, stamps, values)
    for ds, context, tags in session.execute(
        select(SqlDataset, SqlRunInput.context, SqlRunInput.tags)
        .join(SqlRunInput, SqlRunInput.dataset_id == SqlDataset.id)
        .where(SqlRunInput.run_id == r.id)
        .order_by(SqlDataset.name)
    ):
        run.inputs.append(
            DatasetInput(
                name=ds.name,
                digest=ds.digest,
                source_type=ds.source_type,
                source=ds.source,
                schema=ds.schema,
                profile=ds.profile,
                context=context,
                tags=dict(tags),
            )
        )
    return run, experiment_name


def has_run(session: Session, run_id: str) -> bool:
    return session.scalar(select(func.count()).where(SqlRun.run_id == run_id)) == 1


def list_imports(session: Session) -> list[ImportRecord]:
    return [
        ImportRecord(
            id=i.id,
            kind=i.kind,
            source=i.source,
            source_sha256=i.source_sha256,
            imported_at=i.imported_at,
            counts=dict(i.counts),
            changes=dict(i.changes),
        )
        for i in session.scalars(select(SqlImport).order_by(SqlImport.id))
    ]


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of the registry tables, for `status` output and idempotence tests."""
    tables = {
        "experiments": SqlExperiment,
        "runs": SqlRun,
        "metric_series": SqlMetricSeries,
        "datasets": SqlDataset,
        "run_inputs": SqlRunInput,
        "models": SqlRegisteredModel,
        "versions": SqlModelVersion,
        "aliases": SqlModelAlias,
        "imports": SqlImport,
    }
    return {
        name: session.scalar(select(func.count()).select_from(t)) or 0 for name, t in tables.items()
    }


def version_pk(session: Session, name: str, version: int) -> int:
    """The row id of a model version, for evidence attached to it.

    Raises:
        NotFoundError: the workspace has no such version (import the registry first).
    """
    pk = session.scalar(
        select(SqlModelVersion.id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .where(SqlRegisteredModel.name == name, SqlModelVersion.version == version)
    )
    if pk is None:
        raise NotFoundError(
            f"no model version {name}:{version} in this workspace; import its registry first"
        )
    return pk
