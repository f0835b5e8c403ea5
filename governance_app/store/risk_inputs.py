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


def model_owners(session: Session) -> list[tuple[str, str]]:
    """Every registered model's name and owner, by name: the ``owner`` tag, else whoever
    registered its latest version (as ``registry_reader.model_summaries`` says, without
    building a summary per model)."""
    latest: dict[int, tuple[int, str]] = {}
    for model_pk, version, user in session.execute(
            select(SqlModelVersion.model_id, SqlModelVersion.version, SqlModelVersion.user)):
        if model_pk not in latest or version > latest[model_pk][0]:
            latest[model_pk] = (version, user)
    rows = session.execute(select(SqlRegisteredModel.id, SqlRegisteredModel.name,
                                  SqlRegisteredModel.tags).order_by(SqlRegisteredModel.name))
    return [(name, (tags or {}).get("owner") or latest.get(pk, (None, ""))[1] or "")
            for pk, name, tags in rows]


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
