"""Read stored fairness results back as domain objects; ORM rows never leave this module."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.fairness_evidence import StoredFairnessResult
from governance_app.store.fairness_codec import decode_analysis
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema_fairness import SqlFairnessResult


def _to_domain(row: SqlFairnessResult, name: str, version: int) -> StoredFairnessResult:
    analysis = decode_analysis({
        "source": row.source, "source_sha256": row.source_sha256, "row_count": row.row_count,
        "schema": row.schema, "settings": row.settings, **row.report,
    })
    return StoredFairnessResult(row.id, name, version, row.import_id, row.created_at,
                                row.settings_digest, analysis)


def results_for_version(session: Session, name: str, version: int) -> list[StoredFairnessResult]:
    """Every fairness result of a model version, oldest first.

    Raises:
        NotFoundError: the workspace has no such version.
    """
    pk = version_pk(session, name, version)
    rows = session.scalars(
        select(SqlFairnessResult)
        .where(SqlFairnessResult.model_version_id == pk)
        .order_by(SqlFairnessResult.created_at, SqlFairnessResult.id)
    )
    return [_to_domain(row, name, version) for row in rows]


def count_results(session: Session) -> int:
    """Fairness results in the workspace (for status output and atomicity tests)."""
    return len(session.scalars(select(SqlFairnessResult.id)).all())
