"""Governance tables: members, policies, reviews, signatures, audit events, checkpoints, grants.

Since the board root (0007) every table but ``audit_events`` is a cache derived from the chain
by replay (``governance.replay``); ``verify`` names every row that differs from it.

Signed material is kept as the exact bytes that were signed (``LargeBinary``), never
re-serialised, so a verifier years later checks the very bytes the signer saw.
``audit_events`` is append-only: the migration adds triggers refusing UPDATE and DELETE
(the "migrations == ORM" comparison cannot see triggers; ``tests/governance`` checks them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlMember(Base):
    """A board member and the public half of their Ed25519 key."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    roles: Mapped[list[str]] = mapped_column(JSON)
    email: Mapped[str] = mapped_column(String(320), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    key_location: Mapped[str] = mapped_column(Text)
    """Unused since the board root (0007): where a member's key lives on a machine is per-user
    configuration (``services.key_locations``), never the database. Written empty."""
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")


class SqlPolicy(Base):
    """One version of a gate policy: the YAML as written and what it parsed to."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    """SHA-256 of the canonical JSON of ``parsed``."""
    gate: Mapped[str] = mapped_column(String(256))
    yaml_text: Mapped[str] = mapped_column(Text)
    parsed: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class SqlReview(Base):
    """A review session of one model version under one policy, with its frozen evidence."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    """``open`` | ``approved`` | ``rejected`` | ``withdrawn``."""
    evidence: Mapped[dict[str, Any]]
    """Canonical-normalised evidence document (``canonical.normalised``)."""
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    approval_statement: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The exact canonical bytes of the in-toto Statement every approver signs."""
    opened_by: Mapped[str] = mapped_column(String(256), default="")
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    opening_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The digest of the signed act that opened the review: its name in the chain (0007)."""


class SqlSignature(Base):
    """One member's signed decision on a review; ``signed_bytes`` is exactly what was signed."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("review_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    meaning: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime]
    signed_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    statement_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    """Signature over the review's ``approval_statement`` (approvals only), for DSSE."""
    chain_head_seq: Mapped[int] = mapped_column(Integer)
    chain_head_hash: Mapped[str] = mapped_column(String(64))


class SqlAuditEvent(Base):
    """One link of the hash chain. Append-only (database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(512), index=True)
    """The registered model the event concerns, if any (for ``audit --model``)."""
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SqlCheckpoint(Base):
    """A member's signature over the chain head at ``seq`` (anchors the chain outside the DB)."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    signed_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime]


class SqlGateGrant(Base):
    """A gate granted to a model version by a review's quorum (derived from the chain).

    Kept apart from ``model_aliases``, which hold what registries reported: an import can
    never grant a gate, and a grant never looks like an imported alias. One row per grant, in
    chain order; the newest per (model, gate) is the current one.
    """

    __tablename__ = "gate_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(512), index=True)
    version: Mapped[int] = mapped_column(Integer)
    gate: Mapped[str] = mapped_column(String(256))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    review_hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    """The audit event of the signature that met the quorum."""
    granted_at: Mapped[datetime]
