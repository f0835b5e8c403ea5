"""What replay derives of the model-risk cycle: risk policies, tiers, findings, approval terms.

Plain values beside :class:`~governance_app.governance.board_state.BoardState` (its ``risk``
field). Like every derived record they carry the ids the tables use, themselves derived (the
n-th finding opened is finding n), so ``verify`` can compare each table row with the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from governance_app.domain.risk import (
    ApprovalTerms,
    Condition,
    Finding,
    FindingComment,
    FindingStatus,
    FindingType,
    RiskPolicy,
    Severity,
)


@dataclass(slots=True)
class DerivedRiskPolicy:
    id: int
    name: str
    digest: str
    yaml_text: str
    parsed: dict[str, Any]
    adopted_by: str
    adopted_at: datetime
    seq: int
    policy: RiskPolicy


@dataclass(slots=True)
class DerivedTier:
    id: int
    model: str
    tier: int
    method: str
    """``scorecard`` (assessed from signed answers) or ``set`` (a member's judgement)."""
    rationale: str
    policy: str
    policy_digest: str
    answers: dict[str, str]
    score: float | None
    owner: str
    use: str
    member: str
    at: datetime
    seq: int


@dataclass(slots=True)
class DerivedComment:
    id: int
    finding_id: int
    member: str
    text: str
    at: datetime
    seq: int


@dataclass(slots=True)
class DerivedFinding:
    id: int
    hash: str
    """The digest of the act that opened it: its name in the chain."""
    model: str
    version: int | None
    type: str
    severity: str
    title: str
    description: str
    owner: str
    due: date | None
    evidence: list[str]
    opened_by: str
    opened_at: datetime
    seq: int
    status: str = FindingStatus.OPEN.value
    resolution: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    exception_until: date | None = None
    changed_seq: int = 0
    comments: list[DerivedComment] = field(default_factory=list)

    def as_finding(self) -> Finding:
        """The domain value. Called once per finding per inventory (50,000 on a large board),
        so enums come from lookup tables and arguments are positional (the field order of
        :class:`~governance_app.domain.risk.Finding`)."""
        comments = self.comments
        return Finding(
            self.id, self.model, self.version, _TYPES[self.type], _SEVERITIES[self.severity],
            self.title, self.description, self.owner, self.opened_by, self.opened_at,
            _STATUSES[self.status], self.due, tuple(self.evidence) if self.evidence else (),
            tuple(FindingComment(c.member, c.text, c.at) for c in comments) if comments else (),
            self.resolution, self.decided_by, self.decided_at, self.exception_until)

    def is_open_on(self, day: date) -> bool:
        """:meth:`Finding.is_open_on` without building the finding (the inventory's filter)."""
        if self.status in _OPEN_STATUSES:
            return True
        return (self.status == FindingStatus.ACCEPTED.value
                and self.exception_until is not None and day > self.exception_until)


class FindingFacts:
    """What the inventory reads of a finding (counts, due dates, revalidation triggers,
    conditions), taken from the replayed record without building the domain
    :class:`~governance_app.domain.risk.Finding`: its 18 frozen fields made building 50,000 of
    them a sixth of ``inventory --json``. Read-only by convention; its rules are the
    ``Finding`` methods themselves, so the two cannot judge a finding differently."""

    __slots__ = ("id", "model", "severity", "title", "opened_at", "status", "due",
                 "decided_at", "exception_until")

    def __init__(self, finding: DerivedFinding) -> None:
        self.id = finding.id
        self.model = finding.model
        self.severity = _SEVERITIES[finding.severity]
        self.title = finding.title
        self.opened_at = finding.opened_at
        self.status = _STATUSES[finding.status]
        self.due = finding.due
        self.decided_at = finding.decided_at
        self.exception_until = finding.exception_until

    is_open_on = Finding.is_open_on
    is_overdue_on = Finding.is_overdue_on


_TYPES = {t.value: t for t in FindingType}
_SEVERITIES = {s.value: s for s in Severity}
_STATUSES = {s.value: s for s in FindingStatus}
_OPEN_STATUSES = frozenset(s.value for s in FindingStatus if s.is_open)
VALUES = (_TYPES, _SEVERITIES, _STATUSES)
"""The type, severity and status texts a finding may hold (checked when a cache is read)."""


@dataclass(slots=True)
class DerivedTerms:
    """The conditions and expiry one approval signature was given with."""

    id: int
    review_id: int
    review_hash: str
    member: str
    conditions: list[tuple[int, date]]
    """(finding id, the day it must be closed by)."""
    expires: date | None
    seq: int


@dataclass(slots=True)
class RiskState:
    policies: list[DerivedRiskPolicy] = field(default_factory=list)
    tiers: list[DerivedTier] = field(default_factory=list)
    findings: list[DerivedFinding] = field(default_factory=list)
    finding_by_hash: dict[str, DerivedFinding] = field(default_factory=dict)
    comments: list[DerivedComment] = field(default_factory=list)
    terms: list[DerivedTerms] = field(default_factory=list)
    domain: dict[tuple[int, int, str, int], Finding] = field(
        default_factory=dict, repr=False, compare=False)
    """(finding id, the seq that last changed it, status, comments) → its domain value, built
    once per process (shared by clones: an entry describes one version of a finding)."""

    def clone(self) -> RiskState:
        """A copy replay may extend. Shallow: a finding is copied only when an act changes it
        (:meth:`own`), so a board with 50,000 findings clones in microseconds."""
        return RiskState(list(self.policies), list(self.tiers), list(self.findings),
                         dict(self.finding_by_hash), list(self.comments), list(self.terms),
                         self.domain)

    def as_finding(self, finding: DerivedFinding) -> Finding:
        """``finding.as_finding()``, remembered (the inventory asks for every finding on
        every refresh)."""
        key = (finding.id, finding.changed_seq, finding.status, len(finding.comments))
        value = self.domain.get(key)
        if value is None:
            value = self.domain[key] = finding.as_finding()
        return value

    def own(self, finding: DerivedFinding) -> DerivedFinding:
        """A private copy of ``finding`` put in its place, for an act to change (the state this
        one was cloned from keeps the original)."""
        copy = replace(finding, comments=list(finding.comments), evidence=list(finding.evidence))
        self.findings[finding.id - 1] = copy
        self.finding_by_hash[finding.hash] = copy
        return copy

    def policy(self, name: str | None = None) -> DerivedRiskPolicy | None:
        """The newest adoption of ``name``, or the board's newest risk policy of any name."""
        chosen = [p for p in self.policies if name is None or p.name == name]
        return chosen[-1] if chosen else None

    def tier_of(self, model: str) -> DerivedTier | None:
        found = [t for t in self.tiers if t.model == model]
        return found[-1] if found else None

    def finding(self, ref: int | str) -> DerivedFinding | None:
        """By id (as people write it) or by the hash of its opening act."""
        if isinstance(ref, int):
            return self.findings[ref - 1] if 0 < ref <= len(self.findings) else None
        return self.finding_by_hash.get(ref)

    def terms_of(self, review_id: int) -> ApprovalTerms:
        """Every approver's conditions together, and the earliest expiry any approver set."""
        rows = [t for t in self.terms if t.review_id == review_id]
        conditions = {fid: by for t in rows for fid, by in t.conditions}
        expiries = [t.expires for t in rows if t.expires is not None]
        return ApprovalTerms(
            conditions=tuple(Condition(fid, by) for fid, by in sorted(conditions.items())),
            expires=min(expiries) if expiries else None)
