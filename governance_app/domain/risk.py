"""Model risk management beyond one gate: tiers, findings, conditions and revalidation.

Plain values, standard library only. A promotion gate is one moment; model-risk practice
(SR 26-2's materiality-based tiering and effective challenge, the EU AI Act's risk management
and post-market monitoring) runs a cycle around it: every model has an owner, a use and a risk
tier; validators raise findings that developers answer; approvals may carry conditions or expire;
and each tier sets how often the model must be validated again. These records are what the
inventory, the Reviews agenda and the reports show; the rules that move them live in
``governance_app.governance`` (``risk_policy``, ``scorecard``, ``revalidation``, ``findings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; ordered ``low < medium < high``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity | str) -> bool:
        theirs = _SEVERITY_RANK.get(other)  # a member or its text (a StrEnum hashes as it)
        return _SEVERITY_RANK[self] >= (Severity(other).rank if theirs is None else theirs)


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class FindingStatus(StrEnum):
    """Where a finding stands. ``closed`` and ``accepted`` are decided by a validator."""

    OPEN = "open"
    REMEDIATION_PROPOSED = "remediation proposed"
    CLOSED = "closed"
    ACCEPTED = "accepted"
    """Accepted as a policy exception until a date; it counts as open again after it."""

    @property
    def is_open(self) -> bool:
        return self in _OPEN_STATUSES


_OPEN_STATUSES = frozenset((FindingStatus.OPEN, FindingStatus.REMEDIATION_PROPOSED))


class FindingType(StrEnum):
    VALIDATION_ISSUE = "validation-issue"
    POLICY_EXCEPTION = "policy-exception"
    LIMITATION = "limitation"


@dataclass(frozen=True, slots=True)
class Answer:
    """One allowed answer to a scorecard question and the points it scores."""

    value: str
    points: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """A materiality question: its answers score points, multiplied by the weight."""

    id: str
    text: str
    weight: float
    answers: tuple[Answer, ...]

    def answer(self, value: str) -> Answer | None:
        return next((a for a in self.answers if a.value == value), None)

    @property
    def max_points(self) -> float:
        return self.weight * max(a.points for a in self.answers)


@dataclass(frozen=True, slots=True)
class TierRule:
    """Scores at or above ``min_score`` fall in ``tier`` (1 is the most material)."""

    tier: int
    min_score: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class Scorecard:
    questions: tuple[Question, ...]
    tiers: tuple[TierRule, ...]
    """Highest ``min_score`` first: the first rule a score reaches gives the tier."""


@dataclass(frozen=True, slots=True)
class RevalidationRule:
    """How often each tier is validated again, and what triggers an earlier revalidation."""

    cadence_months: dict[int, int]
    drift_share_above: float | None = None
    """A drift result whose share of drifted columns exceeds this triggers revalidation."""
    on_new_version: bool = False
    finding_severity: Severity | None = None
    """An open finding of this severity or above triggers revalidation."""


@dataclass(frozen=True, slots=True)
class FindingRules:
    """Who may decide findings, and which open findings block a gate."""

    closers: tuple[str, ...] = ("validator",)
    """Roles that may close a finding or accept it as an exception (never its owner)."""
    blocking_severity: Severity | None = None
    """Open findings of this severity or above are blocking checks of every review."""
    max_exception_days: int | None = None


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """A model-risk policy file: tiering scorecard, revalidation cadence, finding rules."""

    name: str
    description: str
    scorecard: Scorecard | None
    revalidation: RevalidationRule | None
    findings: FindingRules
    checklist: tuple[dict[str, Any], ...] = ()
    """Documentation items (e.g. EU AI Act Annex IV) and where the app holds each."""
    digest: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Canonical form (what ``digest`` covers and what a signed act names)."""
        out: dict[str, Any] = {"risk_policy": self.name, "description": self.description}
        if self.scorecard is not None:
            out["scorecard"] = {
                "questions": [
                    {"id": q.id, "text": q.text, "weight": q.weight,
                     "answers": [{"value": a.value, "points": a.points, "text": a.text}
                                 for a in q.answers]}
                    for q in self.scorecard.questions],
                "tiers": [{"tier": t.tier, "min_score": t.min_score, "label": t.label}
                          for t in self.scorecard.tiers],
            }
        if self.revalidation is not None:
            rule = self.revalidation
            out["revalidation"] = {
                "cadence_months": {str(k): v for k, v in sorted(rule.cadence_months.items())},
                "triggers": {
                    "drift_share_above": rule.drift_share_above,
                    "new_version": rule.on_new_version,
                    "finding_severity": rule.finding_severity.value
                    if rule.finding_severity else None,
                },
            }
        out["findings"] = {
            "closers": list(self.findings.closers),
            "blocking_severity": self.findings.blocking_severity.value
            if self.findings.blocking_severity else None,
            "max_exception_days": self.findings.max_exception_days,
        }
        if self.checklist:
            out["checklist"] = [dict(item) for item in self.checklist]
        return out


@dataclass(frozen=True, slots=True)
class Assessment:
    """A scorecard applied to one model's answers: the score, the tier and why."""

    policy: str
    policy_digest: str
    answers: dict[str, str]
    points: dict[str, float]
    """Question id → weighted points scored."""
    score: float
    max_score: float
    tier: int
    tier_label: str

    def rationale(self) -> str:
        """The assessment in words, as a signed tier assignment records it."""
        parts = ", ".join(f"{q}={self.answers[q]} ({p:g})" for q, p in self.points.items())
        return (f"scorecard {self.policy}: score {self.score:g} of {self.max_score:g} → tier "
                f"{self.tier}{f' ({self.tier_label})' if self.tier_label else ''}; {parts}")


@dataclass(frozen=True, slots=True)
class TierAssignment:
    """A model's tier as decided by a member (from a scorecard or set with a rationale)."""

    model: str
    tier: int
    rationale: str
    member: str
    at: datetime
    assessment: Assessment | None = None


@dataclass(frozen=True, slots=True)
class FindingComment:
    """One message of a finding's thread (a validator's question, a developer's response)."""

    member: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """A validation issue, policy exception or limitation of a model (or one version)."""

    id: int
    model: str
    version: int | None
    type: FindingType
    severity: Severity
    title: str
    description: str
    owner: str
    opened_by: str
    opened_at: datetime
    status: FindingStatus = FindingStatus.OPEN
    due: date | None = None
    evidence: tuple[str, ...] = ()
    """Links into the evidence views, e.g. ``fairness:credit_default:4``."""
    thread: tuple[FindingComment, ...] = ()
    resolution: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    exception_until: date | None = None

    @property
    def ref(self) -> str:
        return self.model if self.version is None else f"{self.model}:{self.version}"

    def is_open_on(self, day: date) -> bool:
        """Open on ``day``: open or proposed, or accepted with an exception that has expired."""
        if self.status.is_open:
            return True
        if self.status is FindingStatus.ACCEPTED:
            return self.exception_until is not None and day > self.exception_until
        return False

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open_on(day) and self.due is not None and day > self.due


@dataclass(frozen=True, slots=True)
class Condition:
    """What an approval is conditional on: a finding closed by a date."""

    finding_id: int
    by: date


@dataclass(frozen=True, slots=True)
class ApprovalTerms:
    """The conditions and expiry an approval was given with (empty: unconditional)."""

    conditions: tuple[Condition, ...] = ()
    expires: date | None = None

    @property
    def unconditional(self) -> bool:
        return not self.conditions and self.expires is None

    def words(self) -> list[str]:
        """Each condition, then the expiry, in the words the views and the record use."""
        out = [f"finding #{c.finding_id} to be closed by {c.by.isoformat()}"
               for c in self.conditions]
        if self.expires is not None:
            out.append(f"the approval expires on {self.expires.isoformat()}")
        return out


@dataclass(frozen=True, slots=True)
class Lapse:
    """Why a granted approval no longer stands on a given day (never silently removed)."""

    reason: str
    since: date


@dataclass(frozen=True, slots=True)
class RevalidationDue:
    """A model's next validation: when it is due and why (cadence or a trigger)."""

    model: str
    due: date | None
    reason: str
    triggered: bool = False

    def overdue_on(self, day: date) -> bool:
        """A cadence date is overdue the day after it; a trigger (or a model never validated)
        makes the revalidation due at once, so it is overdue from its own day."""
        if self.due is None:
            return False
        return day > self.due or (self.triggered and day >= self.due)


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One model in the inventory, as of a date."""

    model: str
    owner: str
    use: str
    tier: int | None
    tier_rationale: str
    approved_version: int | None
    approved_gate: str | None
    last_validated: date | None
    next_due: date | None
    due_reason: str
    open_findings: dict[str, int] = field(default_factory=dict)
    """Severity → count of findings open on the as-of date."""
    active_conditions: int = 0
    terms: tuple[str, ...] = ()
    """The latest approval's conditions still to meet and its expiry, in words."""
    lapses: tuple[str, ...] = ()
    drift_alerts: int = 0
    """Drift results above the trigger threshold since the last validation."""
    overdue: bool = False
    expiring: bool = False
    """Something falls due within the warning window (revalidation, condition, expiry)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "owner": self.owner, "use": self.use, "tier": self.tier,
            "tier_rationale": self.tier_rationale, "approved_version": self.approved_version,
            "approved_gate": self.approved_gate,
            "last_validated": self.last_validated.isoformat() if self.last_validated else None,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "due_reason": self.due_reason,
            "open_findings": {s.value: self.open_findings.get(s.value, 0) for s in Severity},
            "active_conditions": self.active_conditions, "terms": list(self.terms),
            "lapses": list(self.lapses),
            "drift_alerts": self.drift_alerts, "overdue": self.overdue,
            "expiring": self.expiring,
        }
