"""Board members, audit events and what verification found: plain values, standard library only.

The audit trail is a hash chain: each :class:`AuditEvent`'s ``hash`` is SHA-256 over the
previous hash and the event's RFC 8785 canonical JSON. Verification recomputes it and checks
the signatures that anchor it (checkpoints and review signatures); every problem is a
:class:`Finding` that names the event (``seq``) or record it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first event."""


@dataclass(frozen=True, slots=True)
class Member:
    """A board member with the public half of their key (the private half is never here)."""

    id: int
    name: str
    roles: tuple[str, ...]
    email: str
    fingerprint: str
    public_key_pem: str
    key_location: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str = ""

    @property
    def active(self) -> bool:
        """A revoked key still verifies old signatures but never makes new ones."""
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last event's sequence number and hash (``seq`` 0 and the genesis hash when empty)."""

    seq: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One link of the chain. ``model`` is the registered model it concerns, if any."""

    seq: int
    at: datetime
    actor: str
    kind: str
    subject: str
    model: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A member's signature over the chain head at ``seq``."""

    id: int
    seq: int
    head: str
    member: str
    fingerprint: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing verification found wrong.

    Args:
        where: ``"event"``, ``"checkpoint"`` or ``"signature"``.
        seq: the first audit event the problem implicates (``None`` if it implicates none).
        record: the checkpoint or signature id, for those.
        problem: what is wrong, in words.
    """

    where: str
    seq: int | None
    problem: str
    record: int | None = None

    def describe(self) -> str:
        subject = f"event #{self.seq}" if self.seq is not None else self.where
        if self.record is not None and self.where != "event":
            subject = f"{self.where} {self.record} ({subject})"
        return f"{subject}: {self.problem}"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of recomputing the chain and every checkpoint and signature."""

    events: int
    head: ChainHead
    checkpoints: int
    signatures: int
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    witness: str = ""
    """Whether the newest witness outside the workspace (this machine's latest receipt) is
    in the chain, in words; empty when there is none."""

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_broken(self) -> Finding | None:
        """The finding implicating the earliest event (the first broken link)."""
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: (f.seq is None, f.seq or 0))


ChainReport = VerificationReport
"""``verify_chain`` and ``verify_workspace`` report in the same shape."""
