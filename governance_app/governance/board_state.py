"""What replaying the chain derives: roster, policies, reviews, signatures, checkpoints, grants.

Plain values (no database, no Qt). Every derived record carries the id the tables use, and
those ids are themselves derived (the n-th admitted member is member n, the n-th review opened
is review n), so a table row can be compared field by field with what the chain says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from governance_app.governance.acts import SignedAct
from governance_app.governance.risk_state import RiskState
from governance_app.governance.root import Root


@dataclass(frozen=True, slots=True)
class Break:
    """An event that breaks a rule or a signature; it changed nothing in the derived state."""

    seq: int
    kind: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "problem": self.problem}


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A table row that differs from the derived state (the database is only a cache)."""

    table: str
    row: str
    field: str
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "row": self.row, "field": self.field,
                "problem": self.problem}


@dataclass(slots=True)
class DerivedMember:
    id: int
    name: str
    roles: tuple[str, ...]
    email: str
    fingerprint: str
    public_key: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str = ""


@dataclass(slots=True)
class DerivedPolicy:
    id: int
    name: str
    version: int
    digest: str
    gate: str
    yaml_text: str
    parsed: dict[str, Any]
    created_at: datetime


@dataclass(slots=True)
class DerivedSignature:
    id: int
    review_id: int
    member: str
    member_id: int
    roles: tuple[str, ...]
    fingerprint: str
    decision: str
    meaning: str
    comment: str
    signed_at: datetime
    signed_bytes: bytes
    signature: bytes
    statement_signature: bytes | None
    chain_head_seq: int
    chain_head_hash: str
    seq: int
    act: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class DerivedReview:
    id: int
    hash: str
    """The digest of the opening act: the review's name."""
    model: str
    version: int
    gate: str
    policy_id: int
    policy: dict[str, Any]
    """The parsed policy document the review runs under."""
    creator: str
    evidence: dict[str, Any]
    evidence_sha256: str
    approval_statement: bytes
    opened_by: str
    opened_at: datetime
    seq: int
    state: str = "open"
    changed_seq: int = 0
    """The last event that changed this review (opening, signature, closing)."""
    closed_at: datetime | None = None
    decision: str | None = None
    reason: str = ""
    signatures: list[DerivedSignature] = field(default_factory=list)


@dataclass(slots=True)
class DerivedCheckpoint:
    id: int
    seq: int
    head: str
    member: str
    member_id: int
    fingerprint: str
    signed_bytes: bytes
    signature: bytes
    at: datetime
    event_seq: int


@dataclass(slots=True)
class GateGrant:
    """A gate granted to a version by a review's quorum (governance's, not a registry alias)."""

    id: int
    model: str
    version: int
    gate: str
    review_id: int
    review_hash: str
    seq: int
    granted_at: datetime


@dataclass(slots=True)
class BoardState:
    """Everything replay derives up to ``head_seq``."""

    board: str | None = None
    roots: list[Root] = field(default_factory=list)
    root_acts: list[SignedAct] = field(default_factory=list)
    root_seqs: list[int] = field(default_factory=list)
    founded_at_seq: int = 0
    adopted: bool = False
    """The board took over an existing history (``board adopt``): events before
    ``founded_at_seq`` are legacy, judged by no root."""
    requests: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    members: dict[str, DerivedMember] = field(default_factory=dict)
    policies: list[DerivedPolicy] = field(default_factory=list)
    reviews: list[DerivedReview] = field(default_factory=list)
    review_by_hash: dict[str, DerivedReview] = field(default_factory=dict)
    signatures: list[DerivedSignature] = field(default_factory=list)
    checkpoints: list[DerivedCheckpoint] = field(default_factory=list)
    grants: list[GateGrant] = field(default_factory=list)
    seal_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Member fingerprint → their latest signed seal-key statement (the act payload)."""
    last_signed_at: datetime | None = None
    last_import: dict[str, Any] | None = None
    registry_gaps: list[tuple[int, int]] = field(default_factory=list)
    """(seq, seq) of two imports between which the registry changed (an edit outside them)."""
    head_seq: int = 0
    head_hash: str = ""
    hashes: dict[int, str] = field(default_factory=dict)
    breaks: list[Break] = field(default_factory=list)
    legacy: int = 0
    """Governance events before the board was founded (not judged by these rules)."""
    risk: RiskState = field(default_factory=RiskState)
    """The model-risk cycle: risk policies, tiers, findings, approval terms."""
    replayed_from: int = 0
    """This replay fed the events after this seq (0: from genesis); a cached state before it."""
    cache_note: str = ""
    """Why the saved replay cache was not used (empty: it was, or there was none)."""

    @property
    def root(self) -> Root | None:
        return self.roots[-1] if self.roots else None

    def clone(self) -> BoardState:
        """A copy that replay may extend without touching this one. Only the records replay
        mutates later (members, reviews) are copied; acts, roots, evidence and signatures are
        never changed once derived, so they are shared. So is ``hashes`` (100,000s of entries):
        a clone fed an event that is then rolled back leaves a hash past the committed head,
        which :meth:`hash_at` never reads and the next append at that seq overwrites."""
        reviews = [replace(r, signatures=list(r.signatures)) for r in self.reviews]
        return replace(
            self, roots=list(self.roots), root_acts=list(self.root_acts),
            root_seqs=list(self.root_seqs), requests=dict(self.requests),
            members={k: replace(v) for k, v in self.members.items()},
            policies=list(self.policies), reviews=reviews,
            review_by_hash={r.hash: r for r in reviews}, signatures=list(self.signatures),
            checkpoints=list(self.checkpoints), grants=list(self.grants),
            seal_keys=dict(self.seal_keys), hashes=self.hashes, breaks=list(self.breaks),
            registry_gaps=list(self.registry_gaps),
            risk=self.risk.clone())

    def hash_at(self, seq: int) -> str | None:
        """The chain's hash at ``seq`` as replayed (None past the head)."""
        return self.hashes.get(seq) if seq <= self.head_seq else None

    def member_by_fingerprint(self, fingerprint: str) -> DerivedMember | None:
        return next((m for m in self.members.values() if m.fingerprint == fingerprint), None)

    def active_policy(self, name: str) -> DerivedPolicy | None:
        root = self.root
        entry = root.policies.get(name) if root else None
        if entry is None:
            return None
        return next((p for p in self.policies
                     if p.name == name and p.version == entry["version"]), None)

    def open_review_for(self, model: str, version: int, gate: str) -> DerivedReview | None:
        return next((r for r in self.reviews if r.state == "open" and r.model == model
                     and r.version == version and r.gate == gate), None)

    def current_grants(self) -> dict[tuple[str, str], GateGrant]:
        """(model, gate) → the latest grant."""
        out: dict[tuple[str, str], GateGrant] = {}
        for grant in self.grants:
            out[(grant.model, grant.gate)] = grant
        return out
