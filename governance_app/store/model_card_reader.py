"""Read stored model cards back as domain objects; ORM rows never leave this module."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.model_card import CardMetric, ModelCard
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema_model_cards import SqlModelCard


def _card(row: SqlModelCard, name: str, version: int) -> ModelCard:
    return ModelCard(
        id=row.id, model=name, version=version, format=row.format,
        source_name=row.source_name, source_sha256=row.source_sha256, title=row.title,
        sections=dict(row.sections), details=dict(row.details), body=row.body,
        metrics=tuple(CardMetric.from_dict(m) for m in row.metrics.get("metrics", [])),
        recorded_at=row.recorded_at, recorded_by=row.recorded_by)


def cards_of_version(session: Session, name: str, version: int) -> list[ModelCard]:
    """Every card and written section of ``name:version``, oldest first.

    Raises:
        NotFoundError: the workspace has no such version.
    """
    pk = version_pk(session, name, version)
    rows = session.scalars(select(SqlModelCard).where(SqlModelCard.version_id == pk)
                           .order_by(SqlModelCard.id)).all()
    return [_card(r, name, version) for r in rows]
