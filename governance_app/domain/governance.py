"""Gate policies, reviews and their signatures: plain values, standard library only.

A review board decides on a model version against a :class:`GatePolicy`. The checks are
evaluated once when the review opens and frozen as evidence (:class:`CheckResult`); members
then sign (:class:`Signature`) until the quorum is met or a required role rejects. These values
carry no database identity beyond the review id, so the CLI, the GUI and the PDF reports show
the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CheckKind(StrEnum):
    METRIC = "metric"
    FAIRNESS = "fairness"
    DRIFT = "drift"
    EVIDENCE = "evidence"


class Outcome(StrEnum):
    """Result of one check. ``warning`` is a non-blocking check that failed; ``error`` means
    the check could not be evaluated (missing metric, no stored result): never a pass."""

    PASS = "pass"
    FAIL = "fail"
    WARNING = "warning"
    ERROR = "error"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ReviewState(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of a gate: ``{metric: val_auc, min: 0.77}`` and its kin.

    ``name`` is the metric (or the evidence kind, e.g. ``lineage``); ``sensitive`` names the
    attribute of a fairness check. A check with ``blocking=False`` only warns.
    """

    kind: CheckKind
    name: str
    min: float | None = None
    max: float | None = None
    blocking: bool = True
    sensitive: str | None = None
    source: str | None = None
    """``computed`` (by the app) or ``declared`` (by the model team); ``None``: the kind's
    default (docs/policies.md, "Where a number comes from")."""
    tolerance: float | None = None
    """How far computed and declared may differ before a contradiction is flagged."""

    @property
    def label(self) -> str:
        """The check as people read it: ``val_auc ≥ 0.77``, ``equalized_odds_difference
        (sex) ≤ 0.1``, ``lineage evidence``."""
        if self.kind is CheckKind.EVIDENCE:
            return f"{self.name} evidence"
        name = f"{self.name} ({self.sensitive})" if self.sensitive else self.name
        bounds = []
        if self.min is not None:
            bounds.append(f"≥ {self.min:g}")
        if self.max is not None:
            bounds.append(f"≤ {self.max:g}")
        return f"{name} {' and '.join(bounds)}".strip()

    def as_dict(self) -> dict[str, Any]:
        """The check as written in the policy (and frozen into evidence)."""
        out: dict[str, Any] = {"kind": self.kind.value, "name": self.name}
        if self.sensitive is not None:
            out["sensitive"] = self.sensitive
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        out["blocking"] = self.blocking
        # Written only when set, so the digests of policies that predate them are unchanged.
        if self.source is not None:
            out["source"] = self.source
        if self.tolerance is not None:
            out["tolerance"] = self.tolerance
        return out


@dataclass(frozen=True, slots=True)
class Quorum:
    """``approvals`` approvals in total, of which ``roles[r]`` by members holding role ``r``."""

    approvals: int
    roles: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """A promotion gate: the checks a version must pass and who must approve it.

    ``digest`` is the SHA-256 of the policy's canonical JSON, so a statement or an evidence
    document names exactly the rules it was judged by.
    """

    name: str
    gate: str
    checks: tuple[Check, ...]
    quorum: Quorum
    separation_of_duties: bool = True
    digest: str = ""
    description: str = ""
    drift: dict[str, Any] | None = None
    """The policy file's ``drift:`` section (methods, thresholds, drift share, per-feature
    overrides), ``None`` when it has none: Evidently's defaults then apply."""

    def meaning(self, decision: Decision | str) -> str:
        """What a signature means, in words the signer sees verbatim before signing."""
        if Decision(decision) is Decision.APPROVE:
            return f"Approved for promotion to {self.gate}"
        return f"Rejected for promotion to {self.gate}"

    def as_dict(self) -> dict[str, Any]:
        """The canonical form of the policy (what ``digest`` is computed over)."""
        return {
            "policy": self.name,
            "gate": self.gate,
            "description": self.description,
            "checks": [c.as_dict() for c in self.checks],
            "quorum": {"approvals": self.quorum.approvals, "roles": dict(self.quorum.roles)},
            "separation_of_duties": self.separation_of_duties,
        } | ({"drift": self.drift} if self.drift is not None else {})  # old digests unchanged


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check evaluated at review time, with what it read.

    ``sources`` maps each record read to the SHA-256 of its content, so a later reader can tell
    whether the evidence still describes the workspace.
    """

    check: Check
    outcome: Outcome
    value: float | bool | None
    detail: str
    inputs: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def blocks_approval(self) -> bool:
        """A blocking check that failed or could not be evaluated forbids approval."""
        return self.check.blocking and self.outcome in (Outcome.FAIL, Outcome.ERROR)

    def as_dict(self) -> dict[str, Any]:
        threshold = {k: v for k, v in (("min", self.check.min), ("max", self.check.max))
                     if v is not None}
        return {
            "check": self.check.as_dict(),
            "label": self.check.label,
            "inputs": dict(self.inputs),
            "value": self.value,
            "threshold": threshold,
            "result": self.outcome.value,
            "detail": self.detail,
            "sources": dict(sorted(self.sources.items())),
        }


@dataclass(frozen=True, slots=True)
class Signature:
    """One member's signed decision on a review, as stored and as shown (its manifestation).

    ``payload`` is the exact RFC 8785 bytes that ``signature`` covers; ``statement_signature``
    is the same key's signature over the approval statement's DSSE PAE (approvals only).
    """

    review_id: int
    member: str
    roles: tuple[str, ...]
    fingerprint: str
    decision: Decision
    meaning: str
    comment: str
    signed_at: datetime
    chain_head: str
    payload: bytes
    signature: bytes
    statement_signature: bytes | None = None

    def manifestation(self) -> str:
        """Printed name, role, date and time with zone, meaning (21 CFR 11.50 style)."""
        local = self.signed_at.astimezone()
        roles = ", ".join(self.roles) or "member"
        return (f"{self.member} ({roles}) — {local:%Y-%m-%d %H:%M:%S} {local.tzname()} — "
                f"{self.meaning}")


@dataclass(frozen=True, slots=True)
class QuorumProgress:
    """How far a review is from its quorum: approvals so far against what the policy asks."""

    approvals: int
    required: int
    roles: dict[str, tuple[int, int]]

    @property
    def met(self) -> bool:
        return self.approvals >= self.required and all(
            have >= need for have, need in self.roles.values()
        )

    def describe(self) -> str:
        parts = [f"{self.approvals}/{self.required} approvals"]
        parts += [f"{role} {have}/{need}" for role, (have, need) in sorted(self.roles.items())]
        return ", ".join(parts) + (" — met" if self.met else "")


@dataclass(frozen=True, slots=True)
class Review:
    """A review session of one model version against one policy."""

    id: int
    model: str
    version: int
    policy: GatePolicy
    state: ReviewState
    opened_by: str
    opened_at: datetime
    evidence: dict[str, Any]
    evidence_digest: str
    statement: dict[str, Any]
    signatures: tuple[Signature, ...] = ()
    closed_at: datetime | None = None
    close_reason: str = ""

    @property
    def ref(self) -> str:
        return f"{self.model}:{self.version}"

    @property
    def checks(self) -> list[dict[str, Any]]:
        return list(self.evidence.get("checks", []))

    def progress(self) -> QuorumProgress:
        """Quorum progress from the approvals signed so far."""
        approvals = [s for s in self.signatures if s.decision is Decision.APPROVE]
        roles = {
            role: (sum(1 for s in approvals if role in s.roles), need)
            for role, need in self.policy.quorum.roles.items()
        }
        return QuorumProgress(len(approvals), self.policy.quorum.approvals, roles)
