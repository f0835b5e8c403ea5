"""Read origins, external decisions and platform evaluations back as domain objects."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.cloud import (
    DecisionEvent,
    EvaluationSlice,
    ExternalEvaluation,
    VersionOrigin,
)
from governance_app.store.schema import SqlModelVersion, SqlRegisteredModel
from governance_app.store.schema_cloud import SqlExternalEvaluation, SqlVersionOrigin


def origins(
    session: Session, model_name: str | None = None
) -> dict[tuple[str, int], VersionOrigin]:
    """Every recorded origin by (model name, version); one model's when ``model_name`` is given.

    Versions imported before origins were kept (or by an importer that records none) are
    simply absent: the caller shows them as of unknown origin.
    """
    query = (
        select(SqlVersionOrigin, SqlRegisteredModel.name, SqlModelVersion.version)
        .join(SqlModelVersion, SqlModelVersion.id == SqlVersionOrigin.version_id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
    )
    if model_name is not None:
        query = query.where(SqlRegisteredModel.name == model_name)
    out: dict[tuple[str, int], VersionOrigin] = {}
    for row, name, version in session.execute(query):
        out[(name, version)] = VersionOrigin(
            model_name=name,
            version=version,
            origin=row.origin,
            source_id=row.source_id,
            model_source_id=row.model_source_id,
            external_decision=row.external_decision,
            decision_note=row.decision_note,
            decision_history=[DecisionEvent(**e) for e in row.decision_history.get("events", [])],
            details=row.details,
        )
    return out


def evaluations(session: Session, model_name: str, version: int) -> list[ExternalEvaluation]:
    """The platform evaluations of one version, oldest first (by the platform's time)."""
    query = (
        select(SqlExternalEvaluation)
        .join(SqlModelVersion, SqlModelVersion.id == SqlExternalEvaluation.version_id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .where(SqlRegisteredModel.name == model_name, SqlModelVersion.version == version)
        .order_by(SqlExternalEvaluation.created_at, SqlExternalEvaluation.id)
    )
    return [
        ExternalEvaluation(
            model_name=model_name,
            version=version,
            source=row.source,
            name=row.name,
            display_name=row.display_name,
            metrics=row.metrics,
            slices=[EvaluationSlice(**s) for s in row.slices.get("slices", [])],
            details=row.details,
            created_at=row.created_at,
        )
        for row in session.scalars(query)
    ]
