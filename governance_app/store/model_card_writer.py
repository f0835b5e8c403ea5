"""Store model cards under their version; the same card file twice for a version is stored once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from governance_app.domain.model_card import FORMAT_WRITTEN, ModelCardSnapshot
from governance_app.store.drift_writer import split_model_ref
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema import SqlChange
from governance_app.store.schema_model_cards import SqlModelCard

Tick = Callable[[int, int, str], None]


def save_card(session: Session, snapshot: ModelCardSnapshot, import_id: int | None,
              recorded_by: str, tick: Tick | None = None) -> dict[str, int]:
    """Store ``snapshot`` under its version unless that version already holds the same file.

    Returns ``{"model_cards_added": 0 or 1, "model_cards_unchanged": 1 or 0}``.

    Raises:
        InputError: ``snapshot.model`` does not name a version.
        NotFoundError: the workspace has no such version (import its registry first).
    """
    name, version = split_model_ref(snapshot.model)
    pk = version_pk(session, name, version)
    known = session.scalar(select(SqlModelCard.id).where(
        SqlModelCard.version_id == pk, SqlModelCard.source_sha256 == snapshot.source_sha256,
        SqlModelCard.format == snapshot.format))
    if tick:
        tick(1, 2, "storing the model card")
    if known is not None:
        return {"model_cards_added": 0, "model_cards_unchanged": 1}
    session.execute(insert(SqlModelCard).values(
        version_id=pk, import_id=import_id, format=snapshot.format,
        source_name=snapshot.source_name, source_sha256=snapshot.source_sha256,
        title=snapshot.title, sections=dict(snapshot.sections), details=dict(snapshot.details),
        body=snapshot.body, metrics={"metrics": [m.as_dict() for m in snapshot.metrics]},
        recorded_at=datetime.now(UTC), recorded_by=recorded_by))
    if import_id is not None:
        session.execute(insert(SqlChange).values(
            import_id=import_id, entity="model_card", key=f"{name}:{version}/{snapshot.format}",
            change="added"))
    if tick:
        tick(2, 2, "model card stored")
    return {"model_cards_added": 1, "model_cards_unchanged": 0}


def write_section(session: Session, name: str, version: int, section: str, text: str,
                  author: str) -> int:
    """Store one section written in the app as a row of its own; returns the row id.

    Raises:
        NotFoundError: the workspace has no such version.
    """
    pk = version_pk(session, name, version)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return session.execute(insert(SqlModelCard).values(
        version_id=pk, import_id=None, format=FORMAT_WRITTEN, source_name=f"written:{section}",
        source_sha256=digest, title="", sections={section: text}, details={}, body="",
        metrics={"metrics": []}, recorded_at=datetime.now(UTC), recorded_by=author,
    ).returning(SqlModelCard.id)).scalar_one()
