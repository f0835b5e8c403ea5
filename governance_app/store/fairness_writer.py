"""Store a fairness analysis against a model version, once per (file, settings)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from governance_app.domain.fairness_evidence import FairnessAnalysis
from governance_app.store.fairness_codec import encode_results
from governance_app.store.schema_fairness import SqlFairnessResult


def settings_digest(settings: dict[str, Any]) -> str:
    """SHA-256 of the settings as sorted, compact JSON: equal settings, equal digest.

    Settings hold only strings, integers, floats and lists of them, for which sorted-key JSON
    is stable; that is all idempotence needs (signatures use RFC 8785 elsewhere).
    """
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def has_result(session: Session, version_pk: int, source_sha256: str, digest: str) -> bool:
    """Whether this version already holds results for this file under these settings."""
    return session.scalar(
        select(SqlFairnessResult.id).where(
            SqlFairnessResult.model_version_id == version_pk,
            SqlFairnessResult.source_sha256 == source_sha256,
            SqlFairnessResult.settings_digest == digest,
        )
    ) is not None


def save_analysis(
    session: Session, version_pk: int, analysis: FairnessAnalysis, import_id: int | None
) -> dict[str, int]:
    """Insert the analysis unless the same file and settings are stored for the version already.

    Returns:
        The changes: ``{"fairness_results": 1}`` when added, ``{}`` when it was there already.
    """
    digest = settings_digest(analysis.settings)
    if has_result(session, version_pk, analysis.source_sha256, digest):
        return {}
    session.execute(insert(SqlFairnessResult).values(
        model_version_id=version_pk, import_id=import_id, source=analysis.source,
        source_sha256=analysis.source_sha256, schema=dict(analysis.schema),
        row_count=analysis.row_count, settings=dict(analysis.settings), settings_digest=digest,
        report=encode_results(analysis), created_at=datetime.now(UTC),
    ))
    return {"fairness_results": 1}
