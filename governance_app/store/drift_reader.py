"""Read drift results back as domain objects; ORM rows never leave this module."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.drift_records import DriftResult
from governance_app.store.drift_codec import result_from_row
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema_drift import SqlDriftResult


def results_for_version(session: Session, name: str, version: int) -> list[tuple[str, DriftResult]]:
    """Every stored result of a version as ``(digest, result)``, oldest first.

    Results without a time (Evidently's compact form) come last, in label order.

    Raises:
        NotFoundError: no such model version.
    """
    pk = version_pk(session, name, version)
    rows = session.scalars(select(SqlDriftResult).where(SqlDriftResult.version_id == pk)
                           .order_by(SqlDriftResult.id)).all()
    pairs = [(row.digest, result_from_row(row)) for row in rows]
    pairs.sort(key=lambda p: (p[1].moment is None, p[1].moment.isoformat() if p[1].moment
                              else "", p[1].label))
    return pairs
