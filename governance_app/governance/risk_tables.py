"""The model-risk tables as rows derived from replay (registered with ``board_tables``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Table

from governance_app.governance.board_state import BoardState
from governance_app.store.schema_risk import (
    SqlApprovalTerms,
    SqlFinding,
    SqlFindingComment,
    SqlRiskPolicy,
    SqlTierAssignment,
)

Versions = dict[tuple[str, int], int]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _policies(state: BoardState, _: Versions) -> Iterator[dict[str, Any]]:
    for p in state.risk.policies:
        yield {"id": p.id, "name": p.name, "digest": p.digest, "yaml_text": p.yaml_text,
               "parsed": p.parsed, "adopted_by": p.adopted_by, "adopted_at": p.adopted_at,
               "seq": p.seq}


def _tiers(state: BoardState, _: Versions) -> Iterator[dict[str, Any]]:
    for t in state.risk.tiers:
        yield {"id": t.id, "model": t.model, "tier": t.tier, "method": t.method,
               "rationale": t.rationale, "policy": t.policy, "policy_digest": t.policy_digest,
               "answers": t.answers, "score": t.score, "owner": t.owner, "use": t.use,
               "member": t.member, "assigned_at": t.at, "seq": t.seq}


def _findings(state: BoardState, _: Versions) -> Iterator[dict[str, Any]]:
    for f in state.risk.findings:
        yield {"id": f.id, "opening_hash": f.hash, "model": f.model, "version": f.version,
               "type": f.type, "severity": f.severity, "title": f.title,
               "description": f.description, "owner": f.owner, "due": _day(f.due),
               "evidence": f.evidence, "opened_by": f.opened_by, "opened_at": f.opened_at,
               "seq": f.seq, "status": f.status, "resolution": f.resolution,
               "decided_by": f.decided_by, "decided_at": f.decided_at,
               "exception_until": _day(f.exception_until)}


def _comments(state: BoardState, _: Versions) -> Iterator[dict[str, Any]]:
    for c in state.risk.comments:
        yield {"id": c.id, "finding_id": c.finding_id, "member": c.member, "text": c.text,
               "at": c.at, "seq": c.seq}


def _terms(state: BoardState, _: Versions) -> Iterator[dict[str, Any]]:
    for t in state.risk.terms:
        yield {"id": t.id, "review_id": t.review_id, "review_hash": t.review_hash,
               "member": t.member, "conditions": [[fid, by.isoformat()]
                                                  for fid, by in t.conditions],
               "expires": _day(t.expires), "seq": t.seq}


RISK_TABLES: tuple[tuple[Table, Callable[..., Iterator[dict[str, Any]]]], ...] = (
    (SqlRiskPolicy.__table__, _policies),  # type: ignore[has-type]
    (SqlTierAssignment.__table__, _tiers),  # type: ignore[has-type]
    (SqlFinding.__table__, _findings),  # type: ignore[has-type]
    (SqlFindingComment.__table__, _comments),  # type: ignore[has-type]
    (SqlApprovalTerms.__table__, _terms),  # type: ignore[has-type]
)
"""In foreign-key order (parents first); after the review tables they refer to."""


def changed_ids(state: BoardState, after: int) -> dict[str, set[int]]:
    """The rows the events after ``after`` may have changed (for the incremental sync)."""
    risk = state.risk
    return {
        "risk_policies": {p.id for p in risk.policies if p.seq > after},
        "tier_assignments": {t.id for t in risk.tiers if t.seq > after},
        "findings": {f.id for f in risk.findings if f.changed_seq > after},
        "finding_comments": {c.id for c in risk.comments if c.seq > after},
        "approval_terms": {t.id for t in risk.terms if t.seq > after},
    }
