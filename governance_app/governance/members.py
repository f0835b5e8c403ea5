"""Board members in the workspace: create, look up, revoke (rows stay in the store layer).

Each change appends its audit event in the same transaction, so the trail records exactly
the member changes that happened. Keys are generated and stored by the caller
(:mod:`governance_app.governance.keys`, :mod:`~governance_app.governance.keystore`): this
module only ever sees public keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from governance_app.domain.audit import Member
from governance_app.errors import GovernanceError, InputError, NotFoundError
from governance_app.governance import keys
from governance_app.governance.audit import append_event
from governance_app.store.schema_governance import SqlMember

MAX_NAME = 256


def create_member(
    session: Session,
    name: str,
    roles: Sequence[str],
    email: str,
    new_key: keys.NewKey,
    key_location: str,
    actor: str,
) -> Member:
    """Record a member with their public key; appends a ``member.add`` event.

    Raises:
        InputError: the name is empty or too long, or no role is given.
        GovernanceError: a member of that name (or that key) already exists.
    """
    name = name.strip()
    clean_roles = sorted({r.strip() for r in roles if r.strip()})
    if not name or len(name) > MAX_NAME:
        raise InputError("member name", f"{name!r} is not a usable name",
                         expected=f"1–{MAX_NAME} characters")
    if not clean_roles:
        raise InputError("member roles", "no role given", expected="--role ROLE (e.g. chair)")
    if session.scalar(select(SqlMember.id).where(SqlMember.name == name)) is not None:
        raise GovernanceError(f"a member named {name!r} already exists")
    row = SqlMember(name=name, roles=clean_roles, email=email.strip(),
                    fingerprint=new_key.fingerprint, public_key_pem=new_key.public_pem,
                    key_location=key_location, created_at=datetime.now(UTC), revoked_reason="")
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise GovernanceError(f"member {name!r} or key {new_key.fingerprint} exists") from exc
    append_event(session, "member.add", actor, f"member {name}",
                 {"member": name, "roles": clean_roles, "email": row.email,
                  "fingerprint": new_key.fingerprint, "public_key": new_key.public_pem,
                  "key_location": "file" if key_location.startswith("file:") else key_location})
    return to_member(row)


def get_member(session: Session, name: str) -> Member:
    """The member called ``name``.

    Raises:
        NotFoundError: no such member (the message lists who exists).
    """
    row = session.scalar(select(SqlMember).where(SqlMember.name == name))
    if row is None:
        known = ", ".join(session.scalars(select(SqlMember.name).order_by(SqlMember.name)))
        raise NotFoundError(f"no member named {name!r} (members: {known or 'none yet'})")
    return to_member(row)


def list_members(session: Session, *, include_revoked: bool = True) -> list[Member]:
    query = select(SqlMember).order_by(SqlMember.name)
    if not include_revoked:
        query = query.where(SqlMember.revoked_at.is_(None))
    return [to_member(row) for row in session.scalars(query)]


def revoke_member(session: Session, name: str, reason: str, actor: str) -> Member:
    """Revoke a member's key: it still verifies old signatures but never signs again.

    Raises:
        InputError: no reason given (an auditor will ask why).
        NotFoundError: no such member.
        GovernanceError: already revoked.
    """
    if not reason.strip():
        raise InputError("revocation", "no reason given", expected="--reason TEXT")
    row = session.scalar(select(SqlMember).where(SqlMember.name == name).with_for_update())
    if row is None:
        get_member(session, name)  # raises NotFoundError with the list of members
        raise AssertionError("unreachable")
    if row.revoked_at is not None:
        raise GovernanceError(f"{name}'s key was already revoked on {row.revoked_at:%Y-%m-%d}")
    now = datetime.now(UTC)
    row.revoked_at, row.revoked_reason = now, reason.strip()
    session.flush()
    append_event(session, "member.revoke", actor, f"member {name}",
                 {"member": name, "fingerprint": row.fingerprint, "reason": row.revoked_reason},
                 at=now)
    return to_member(row)


def members_by_id(session: Session) -> dict[int, Member]:
    return {row.id: to_member(row) for row in session.scalars(select(SqlMember))}


def to_member(row: SqlMember) -> Member:
    return Member(row.id, row.name, tuple(row.roles), row.email, row.fingerprint,
                  row.public_key_pem, row.key_location, row.created_at, row.revoked_at,
                  row.revoked_reason)
