"""The model-risk records a report prints, gathered from the replayed board state.

Findings, approval terms and lapses, and the signed risk acts behind them, as the plain values
``reports.risk_sections`` lays out. The acts are also returned as manifest records (signed
bytes, signature, public key), so a sealed report lets an outsider re-verify each tier
assignment, finding and decision offline, as they re-verify review signatures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from governance_app.domain.risk import Finding, FindingStatus
from governance_app.governance import risk_acts
from governance_app.governance.acts import ActFormatError, parse_act
from governance_app.governance.board_state import BoardState
from governance_app.governance.canonical import iso_utc
from governance_app.governance.finding_rules import as_it_stood, lapses
from governance_app.governance.risk_state import DerivedFinding, DerivedTier
from governance_app.reports.manifest import SignedRecord
from governance_app.reports.risk_sections import (
    ApprovalTermsLine,
    ConditionLine,
    RiskActLine,
)
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent


def version_findings(state: BoardState, model: str, version: int) -> list[Finding]:
    """Findings of ``model:version`` and of the model as a whole (they apply to every
    version), in the order they were opened."""
    return [f.as_finding() for f in state.risk.findings
            if f.model == model and f.version in (None, version)]


def approval_terms(state: BoardState, as_of: date, *, model: str | None = None,
                   version: int | None = None, before: datetime | None = None
                   ) -> list[ApprovalTermsLine]:
    """Every gate granted (to ``model``/``version`` when given) with its terms and lapses on
    ``as_of``; grants after ``as_of`` are not seen. ``before`` (a period's end) judges each
    condition by its finding as it stood then: a finding closed afterwards was still open."""
    by_id = {f.id: (as_it_stood(f.as_finding(), before) if before is not None
                    else f.as_finding()) for f in state.risk.findings}
    out = []
    for grant in state.grants:
        if (model is not None and grant.model != model) or (
                version is not None and grant.version != version):
            continue
        if grant.granted_at.date() > as_of:
            continue
        terms = state.risk.terms_of(grant.review_id)
        out.append(ApprovalTermsLine(
            review_id=grant.review_id, ref=f"{grant.model}:{grant.version}", gate=grant.gate,
            granted_on=grant.granted_at.date(),
            conditions=tuple(ConditionLine(c.finding_id, c.by,
                                           _condition_state(by_id.get(c.finding_id), c.by,
                                                            as_of))
                             for c in terms.conditions),
            expires=terms.expires, lapses=tuple(lapses(terms, by_id, as_of)), as_of=as_of))
    return out


def _condition_state(finding: Finding | None, by: date, as_of: date) -> str:
    """Where a condition stands on ``as_of``: met, unmet (its day passed with the finding
    open, or closed too late), or the finding's status while its day is still to come."""
    if finding is None:
        return "unknown finding"
    if finding.status is FindingStatus.CLOSED and finding.decided_at is not None:
        closed = finding.decided_at.date()
        return f"closed {closed.isoformat()} ({'met' if closed <= by else 'too late: unmet'})"
    return finding.status.value + (" (unmet)" if as_of > by else "")


def act_seqs(state: BoardState, findings: Iterable[DerivedFinding],
             tier: DerivedTier | None) -> list[int]:
    """The chain positions of the acts behind ``findings`` (opening, thread, decision) and
    the model's ``tier`` assignment, in chain order."""
    seqs = {tier.seq} if tier is not None else set()
    for f in findings:
        seqs.add(f.seq)
        seqs.update(c.seq for c in f.comments)
        if f.decided_at is not None and f.changed_seq:
            seqs.add(f.changed_seq)
    return sorted(seqs)


def risk_acts_of(ws: Workspace, state: BoardState, seqs: list[int]
                 ) -> tuple[list[RiskActLine], list[SignedRecord]]:
    """The signed acts at ``seqs``: their manifestations, and their manifest records (an act
    whose signer's key the board no longer holds is printed, but has no record)."""
    if not seqs:
        return [], []
    with ws.session() as session:
        rows = session.execute(select(SqlAuditEvent.seq, SqlAuditEvent.payload)
                               .where(SqlAuditEvent.seq.in_(seqs))
                               .order_by(SqlAuditEvent.seq)).all()
    by_fingerprint = {m.fingerprint: m for m in state.members.values()}
    lines: list[RiskActLine] = []
    records: list[SignedRecord] = []
    for seq, payload in rows:
        try:
            act = parse_act(payload)
        except ActFormatError:
            continue
        member = by_fingerprint.get(act.signer)
        name = member.name if member else act.signer[:16]
        lines.append(RiskActLine(name, member.roles if member else (), act.signed_at,
                                 meaning_of(state, act.kind, act.body, seq), act.signer))
        if member is not None:
            records.append(SignedRecord(
                "risk-act", seq, member.name, member.fingerprint, act.signed_bytes,
                act.signature, member.public_key,
                {"act": act.kind, "digest": act.digest, "signed_at": iso_utc(act.signed_at)}))
    return lines, records


def meaning_of(state: BoardState, kind: str, body: dict[str, object], seq: int) -> str:
    """What signing the act (recorded at ``seq``) meant, in the words a manifestation
    prints."""
    finding = state.risk.finding(str(body.get("finding", "")))
    number = f"#{finding.id}" if finding is not None else "?"
    if kind == risk_acts.TIER_ASSIGN:
        how = "from the scorecard" if body.get("method") == "scorecard" else "by judgement"
        return f"assigned {body.get('model')} tier {body.get('tier')} {how}"
    if kind == risk_acts.FINDING_OPEN:
        opened = next((f for f in state.risk.findings if f.seq == seq), None)
        label = f"finding #{opened.id}" if opened is not None else "a finding"
        return f"opened {label} ({body.get('severity')}): {body.get('title')}"
    if kind == risk_acts.FINDING_COMMENT:
        return f"question or response on finding {number}"
    if kind == risk_acts.FINDING_CLOSE:
        return f"closed finding {number}"
    if kind == risk_acts.FINDING_ACCEPT:
        return f"accepted finding {number} as an exception until {body.get('until')}"
    return kind
