"""Model-risk tables: risk policies, tier assignments, findings, their threads, approval terms.

Like the other governance tables, every row is a cache of replay (``governance.risk_acts``):
written from the derived state after each signed act and compared by ``verify``. Days (due
dates, expiries) are ISO ``YYYY-MM-DD`` text: a day has no time zone to get wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance_app.store.schema import Base


class SqlRiskPolicy(Base):
    """A risk policy as a chair adopted it: the YAML and what it parsed to."""

    __tablename__ = "risk_policies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    yaml_text: Mapped[str] = mapped_column(Text)
    parsed: Mapped[dict[str, Any]]
    adopted_by: Mapped[str] = mapped_column(String(256))
    adopted_at: Mapped[datetime]
    seq: Mapped[int] = mapped_column(Integer)


class SqlTierAssignment(Base):
    """A model's risk tier (with its owner and use), assessed or set by a member."""

    __tablename__ = "tier_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(512), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text)
    policy: Mapped[str] = mapped_column(String(256), default="")
    policy_digest: Mapped[str] = mapped_column(String(64), default="")
    answers: Mapped[dict[str, Any]]
    score: Mapped[float | None] = mapped_column(Float)
    owner: Mapped[str] = mapped_column(String(256), default="")
    use: Mapped[str] = mapped_column(Text, default="")
    member: Mapped[str] = mapped_column(String(256))
    assigned_at: Mapped[datetime]
    seq: Mapped[int] = mapped_column(Integer)


class SqlFinding(Base):
    """A validation issue, policy exception or limitation of a model or one of its versions."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_hash: Mapped[str] = mapped_column(String(64), unique=True)
    model: Mapped[str] = mapped_column(String(512), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(256), default="")
    due: Mapped[str | None] = mapped_column(String(10))
    evidence: Mapped[list[str]] = mapped_column(JSON)
    opened_by: Mapped[str] = mapped_column(String(256))
    opened_at: Mapped[datetime]
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(256), default="")
    decided_at: Mapped[datetime | None]
    exception_until: Mapped[str | None] = mapped_column(String(10))


class SqlFindingComment(Base):
    """One message of a finding's thread (the effective-challenge record)."""

    __tablename__ = "finding_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    member: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    seq: Mapped[int] = mapped_column(Integer)


class SqlApprovalTerms(Base):
    """The conditions and expiry one approval signature was given with."""

    __tablename__ = "approval_terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    review_hash: Mapped[str] = mapped_column(String(64))
    member: Mapped[str] = mapped_column(String(256))
    conditions: Mapped[list[Any]] = mapped_column(JSON)
    """``[[finding id, "YYYY-MM-DD"], …]``."""
    expires: Mapped[str | None] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(Integer)
