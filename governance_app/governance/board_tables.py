"""The governance tables as a cache of replay: write them from the derived state, compare them.

Every row of ``members``, ``policies``, ``reviews``, ``signatures``, ``checkpoints`` and
``gate_grants`` is a function of the chain (:class:`BoardState`), ids included. After each act
the signing service calls :func:`sync` in the same transaction; ``verify`` calls
:func:`mismatches`, which names the table, the row and the field of every difference (an edit,
a deletion, an inserted row). Nothing here is trusted for a decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from governance_app.governance import risk_tables
from governance_app.governance.board_state import BoardState, Mismatch
from governance_app.governance.canonical import canonical_bytes, iso_utc
from governance_app.store.schema import SqlModelVersion, SqlRegisteredModel
from governance_app.store.schema_governance import (
    SqlCheckpoint,
    SqlGateGrant,
    SqlMember,
    SqlPolicy,
    SqlReview,
    SqlSignature,
)

Rows = dict[int, dict[str, Any]]


def _members(state: BoardState, _: dict[tuple[str, int], int]) -> Iterator[dict[str, Any]]:
    for m in state.members.values():
        yield {"id": m.id, "name": m.name, "roles": list(m.roles), "email": m.email,
               "fingerprint": m.fingerprint, "public_key_pem": m.public_key,
               "key_location": "", "created_at": m.created_at, "revoked_at": m.revoked_at,
               "revoked_reason": m.revoked_reason}


def _policies(state: BoardState, _: dict[tuple[str, int], int]) -> Iterator[dict[str, Any]]:
    for p in state.policies:
        yield {"id": p.id, "name": p.name, "version": p.version, "digest": p.digest,
               "gate": p.gate, "yaml_text": p.yaml_text, "parsed": p.parsed,
               "created_at": p.created_at}


def _reviews(state: BoardState, versions: dict[tuple[str, int], int]
             ) -> Iterator[dict[str, Any]]:
    for r in state.reviews:
        yield {"id": r.id, "model_version_id": versions.get((r.model, r.version)),
               "policy_id": r.policy_id, "state": r.state, "evidence": r.evidence,
               "evidence_sha256": r.evidence_sha256, "approval_statement": r.approval_statement,
               "opened_by": r.opened_by, "opened_at": r.opened_at, "closed_at": r.closed_at,
               "decision": r.decision, "reason": r.reason, "opening_hash": r.hash}


def _signatures(state: BoardState, _: dict[tuple[str, int], int]) -> Iterator[dict[str, Any]]:
    for s in state.signatures:
        yield {"id": s.id, "review_id": s.review_id, "member_id": s.member_id,
               "decision": s.decision, "meaning": s.meaning, "comment": s.comment,
               "signed_at": s.signed_at, "signed_bytes": s.signed_bytes,
               "signature": s.signature, "statement_signature": s.statement_signature,
               "chain_head_seq": s.chain_head_seq, "chain_head_hash": s.chain_head_hash}


def _checkpoints(state: BoardState, _: dict[tuple[str, int], int]) -> Iterator[dict[str, Any]]:
    for c in state.checkpoints:
        yield {"id": c.id, "seq": c.seq, "head": c.head, "member_id": c.member_id,
               "signed_bytes": c.signed_bytes, "signature": c.signature, "at": c.at}


def _grants(state: BoardState, _: dict[tuple[str, int], int]) -> Iterator[dict[str, Any]]:
    for g in state.grants:
        yield {"id": g.id, "model": g.model, "version": g.version, "gate": g.gate,
               "review_id": g.review_id, "review_hash": g.review_hash, "seq": g.seq,
               "granted_at": g.granted_at}


TABLES: tuple[tuple[Table, Callable[..., Iterator[dict[str, Any]]]], ...] = (
    (SqlMember.__table__, _members),  # type: ignore[has-type]
    (SqlPolicy.__table__, _policies),  # type: ignore[has-type]
    (SqlReview.__table__, _reviews),  # type: ignore[has-type]
    (SqlSignature.__table__, _signatures),  # type: ignore[has-type]
    (SqlCheckpoint.__table__, _checkpoints),  # type: ignore[has-type]
    (SqlGateGrant.__table__, _grants),  # type: ignore[has-type]
    *risk_tables.RISK_TABLES,
)
"""In foreign-key order (parents first)."""


def version_ids(session: Session) -> dict[tuple[str, int], int]:
    """(model name, version number) → the registry's row id."""
    rows = session.execute(
        select(SqlRegisteredModel.name, SqlModelVersion.version, SqlModelVersion.id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)).all()
    return {(name, version): pk for name, version, pk in rows}


def derived_rows(session: Session, state: BoardState) -> dict[str, Rows]:
    versions = version_ids(session)
    return {table.name: {row["id"]: row for row in make(state, versions)}
            for table, make in TABLES}


def stored_rows(session: Session, ids: dict[str, list[int]] | None = None
                ) -> dict[str, Rows]:
    """Every row of the governance tables (or only the rows with ``ids`` per table)."""
    out: dict[str, Rows] = {}
    for table, _ in TABLES:
        query = select(table).order_by(table.c.id)
        if ids is not None:
            query = query.where(table.c.id.in_(ids.get(table.name, [])))
        rows = session.connection().execute(query).mappings()
        out[table.name] = {row["id"]: dict(row) for row in rows}
    return out


def _only_changed(derived: dict[str, Rows], state: BoardState, after: int) -> None:
    """Keep the derived rows the events after ``after`` may have changed."""
    reviews = {r.id for r in state.reviews if r.changed_seq > after}
    keep = {
        "reviews": reviews,
        "signatures": {s.id for s in state.signatures if s.seq > after},
        "checkpoints": {c.id for c in state.checkpoints if c.event_seq > after},
        "gate_grants": {g.id for g in state.grants if g.seq > after},
        **risk_tables.changed_ids(state, after),
    }
    for name, ids in keep.items():
        derived[name] = {k: v for k, v in derived[name].items() if k in ids}


def comparable(value: Any) -> Any:
    """One form for a value read back from SQLite, PostgreSQL or derived in memory."""
    if isinstance(value, datetime):
        return iso_utc(value if value.tzinfo else value.replace(tzinfo=UTC))
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return canonical_bytes(value)
    return value


def mismatches(session: Session, state: BoardState) -> list[Mismatch]:
    """Every stored row that differs from the derived one, every row missing or extra."""
    found: list[Mismatch] = []
    stored = stored_rows(session)
    for name, derived in derived_rows(session, state).items():
        have = stored[name]
        for key, row in derived.items():
            if key not in have:
                found.append(Mismatch(name, str(key), "*", "the row is missing (deleted)"))
                continue
            for field, value in row.items():
                if comparable(value) != comparable(have[key].get(field)):
                    found.append(Mismatch(name, str(key), field,
                                          f"stored {_short(have[key].get(field))}, the chain "
                                          f"says {_short(value)}"))
        for key in have.keys() - derived.keys():
            found.append(Mismatch(name, str(key), "*", "the row is not in the chain (inserted)"))
    return found


def _short(value: Any) -> str:
    text = repr(comparable(value))
    return text if len(text) <= 60 else text[:57] + "…"


def sync(session: Session, state: BoardState, *, changed_after: int | None = None) -> None:
    """Make the tables equal to the derived state (inside the act's transaction).

    Args:
        changed_after: write only the records the events after this seq changed (members
            and policies are small and always compared); None rewrites everything, deleting
            rows the chain does not hold.
    """
    derived = derived_rows(session, state)
    if changed_after is not None:
        _only_changed(derived, state, changed_after)
    stored = stored_rows(session, {t: list(rows) for t, rows in derived.items()}
                         if changed_after is not None else None)
    connection = session.connection()
    if changed_after is None:
        for table, _ in reversed(TABLES):  # children first: deletions
            extra = stored[table.name].keys() - derived[table.name].keys()
            if extra:
                connection.execute(delete(table).where(table.c.id.in_(sorted(extra))))
    for table, _ in TABLES:
        have = stored[table.name]
        for key, row in derived[table.name].items():
            if key not in have:
                connection.execute(insert(table).values(**row))
            elif any(comparable(v) != comparable(have[key].get(f)) for f, v in row.items()):
                connection.execute(update(table).where(table.c.id == key).values(**row))
    session.expire_all()
