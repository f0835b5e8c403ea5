"""What the inventory reads of the registry and the drift store, for every model at once.

One query per kind of record, never one per model: the inventory of a large board (thousands
of models) answers in well under a second only if it does not walk the models one by one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_app.store.schema import SqlModelVersion, SqlRegisteredModel
from governance_app.store.schema_drift import SqlDriftResult


def version_dates(session: Session) -> dict[str, list[tuple[int, datetime]]]:
    """Model name → (version, created_at) of every version that records when it was made."""
    rows = session.execute(
        select(SqlRegisteredModel.name, SqlModelVersion.version, SqlModelVersion.created_at)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .where(SqlModelVersion.created_at.is_not(None))).all()
    out: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for name, version, created in rows:
        out[name].append((version, created))
    return dict(out)


def drift_points(session: Session) -> dict[str, list[tuple[int, datetime, float]]]:
    """Model name → (version, when, share of drifted columns) of every dated drift result
    (the window's end, else the result's timestamp)."""
    when = func.coalesce(SqlDriftResult.window_end, SqlDriftResult.timestamp)
    rows = session.execute(
        select(SqlRegisteredModel.name, SqlModelVersion.version, when,
               SqlDriftResult.share_drifted)
        .join(SqlModelVersion, SqlModelVersion.id == SqlDriftResult.version_id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .where(when.is_not(None))).all()
    out: dict[str, list[tuple[int, datetime, float]]] = defaultdict(list)
    for name, version, moment, share in rows:
        out[name].append((version, moment, float(share)))
    return dict(out)
