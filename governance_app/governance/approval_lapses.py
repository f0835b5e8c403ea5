"""Which granted approvals have lapsed on a day, from the replayed state alone.

An approval given with terms (conditions, an expiry) still stands in the chain after it lapses:
the grant is history and is never removed. What changes is whether it still holds, and
``verify`` lists every one that no longer does, with the reason, beside the chain's checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from governance_app.governance.board_state import BoardState
from governance_app.governance.finding_rules import lapses


@dataclass(frozen=True, slots=True)
class ApprovalLapse:
    model: str
    version: int
    gate: str
    review_id: int
    reason: str
    since: date
    current: bool
    """Whether this grant is still the latest for its model and gate (not superseded)."""

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "version": self.version, "gate": self.gate,
                "review": self.review_id, "why": self.reason, "since": self.since.isoformat(),
                "current": self.current}

    def describe(self) -> str:
        return (f"{self.model} v{self.version} → {self.gate} (review #{self.review_id}): "
                f"{self.reason}" + ("" if self.current else " [superseded by a later grant]"))


def approval_lapses(state: BoardState, day: date) -> list[ApprovalLapse]:
    """Every gate grant whose approval's terms no longer hold on ``day``, in chain order."""
    risk = state.risk
    if not risk.terms:
        return []
    latest = {key: grant.id for key, grant in state.current_grants().items()}
    by_id = {f.id: risk.as_finding(f) for f in risk.findings}
    out = []
    for grant in state.grants:
        terms = risk.terms_of(grant.review_id)
        if terms.unconditional:
            continue
        for lapse in lapses(terms, by_id, day):
            out.append(ApprovalLapse(grant.model, grant.version, grant.gate, grant.review_id,
                                     lapse.reason, lapse.since,
                                     latest.get((grant.model, grant.gate)) == grant.id))
    return out
