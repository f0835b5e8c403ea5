"""Review sessions in the store: the rules of who may sign, and the one decision transaction.

Everything here runs inside a session the services layer opened. :func:`decide` is the heart:
with the review row locked (PostgreSQL ``SELECT … FOR UPDATE``; on SQLite the caller's
``BEGIN IMMEDIATE`` already holds the write lock) it checks every refusal rule, stores the
signature with the exact signed bytes, appends the audit events and, when the quorum is met,
closes the review and grants the gate's alias, all in one transaction. Two members signing at
the same moment are thus serialised: the decision is taken exactly once.

Role rule ("lacks a required role"): a member holding none of the roles the quorum names may
approve toward the total count only while an approval slot remains that no role needs; once
every remaining approval must come from a role (quorum 2 with ``chair: 1`` after one non-chair
approval, say) such a member is refused, because their approval could not count.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.audit import Member
from governance_app.domain.governance import (
    Decision,
    GatePolicy,
    Review,
    ReviewState,
    Signature,
)
from governance_app.errors import GovernanceError, NotFoundError
from governance_app.governance.attestation import PAYLOAD_TYPE, pae
from governance_app.governance.audit import append_event, chain_head
from governance_app.governance.canonical import canonical_bytes, iso_utc
from governance_app.governance.policy import policy_from_dict
from governance_app.store.schema import SqlModelAlias, SqlModelVersion, SqlRegisteredModel
from governance_app.store.schema_governance import (
    SqlMember,
    SqlPolicy,
    SqlReview,
    SqlSignature,
)

SIGNATURE_KIND = "review-signature"
"""The ``kind`` of a review signature's signed document (what ``anchors`` verifies)."""


class SignatureRefused(GovernanceError):
    """A signature was not accepted; ``reason`` is a stable code, the message says why.

    Codes: ``wrong_passphrase``, ``revoked``, ``missing_role``, ``already_signed``,
    ``separation_of_duties``, ``closed``, ``blocking_check_failed``, ``evidence_changed``.
    """

    exit_code = 1

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(f"signature refused: {message}")


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the signer brings into the decision transaction (key already unlocked)."""

    member: Member
    decision: Decision
    comment: str
    evidence_sha256: str
    """The digest of the evidence re-evaluated just before signing."""


def review_row(session: Session, review_id: int, *, lock: bool = False) -> SqlReview:
    """The review row; ``lock`` takes ``FOR UPDATE`` (a no-op on SQLite, whose
    ``BEGIN IMMEDIATE`` already serialises writers)."""
    query = select(SqlReview).where(SqlReview.id == review_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFoundError(f"no review #{review_id} in this workspace")
    return row


def version_of(session: Session, row: SqlReview) -> tuple[str, int, str, int]:
    """Model name, version number, the version's creator and the model's row id."""
    name, version, user, model_id = session.execute(
        select(SqlRegisteredModel.name, SqlModelVersion.version, SqlModelVersion.user,
               SqlRegisteredModel.id)
        .join(SqlRegisteredModel, SqlRegisteredModel.id == SqlModelVersion.model_id)
        .where(SqlModelVersion.id == row.model_version_id)
    ).one()
    return name, version, user, model_id


def policy_of(session: Session, row: SqlReview) -> GatePolicy:
    return policy_from_dict(session.get_one(SqlPolicy, row.policy_id).parsed)


def signatures_of(session: Session, review_id: int) -> list[Signature]:
    """The review's signatures, oldest first, with the signer's roles as signed."""
    out = []
    for sig, member in session.execute(
        select(SqlSignature, SqlMember)
        .join(SqlMember, SqlMember.id == SqlSignature.member_id)
        .where(SqlSignature.review_id == review_id)
        .order_by(SqlSignature.signed_at, SqlSignature.id)
    ):
        signed = _signed_doc(sig.signed_bytes)
        out.append(Signature(
            review_id=review_id,
            member=member.name,
            roles=tuple(signed.get("roles", member.roles)),
            fingerprint=member.fingerprint,
            decision=Decision(sig.decision),
            meaning=sig.meaning,
            comment=sig.comment,
            signed_at=sig.signed_at,
            chain_head=sig.chain_head_hash,
            payload=sig.signed_bytes,
            signature=sig.signature,
            statement_signature=sig.statement_signature,
        ))
    return out


def _signed_doc(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


def to_review(session: Session, row: SqlReview) -> Review:
    name, version, _, _ = version_of(session, row)
    statement = json.loads(row.approval_statement) if row.approval_statement else {}
    return Review(
        id=row.id, model=name, version=version, policy=policy_of(session, row),
        state=ReviewState(row.state), opened_by=row.opened_by, opened_at=row.opened_at,
        evidence=dict(row.evidence), evidence_digest=row.evidence_sha256, statement=statement,
        signatures=tuple(signatures_of(session, row.id)), closed_at=row.closed_at,
        close_reason=row.reason,
    )


def _same_person_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _is_creator(member: Member, creator: str) -> bool:
    """Whether the version's recorded creator (a registry user name such as ``jonas.berg``) is
    this member: by name, email or email user, ignoring case, spaces and punctuation, so
    "Jonas Berg", ``jonas.berg`` and ``jonas_berg@bank.example`` are one person."""
    who = _same_person_key(creator)
    if not who:
        return False
    names = {member.name}
    if member.email:
        names |= {member.email, member.email.split("@")[0]}
    return who in {_same_person_key(n) for n in names}


def refusal(review: Review, creator: str, prep: Prepared) -> SignatureRefused | None:
    """The first rule the signature breaks, or None. Pure, so each rule is testable alone."""
    member, policy = prep.member, review.policy
    if review.state is not ReviewState.OPEN:
        return SignatureRefused("closed", f"review #{review.id} is closed ({review.state.value})")
    if not member.active:
        return SignatureRefused(
            "revoked", f"{member.name}'s key was revoked on {iso_utc(member.revoked_at)}"
            if member.revoked_at else f"{member.name}'s key was revoked")
    if any(s.member == member.name for s in review.signatures):
        return SignatureRefused("already_signed",
                                f"{member.name} has already signed review #{review.id}")
    if policy.separation_of_duties and _is_creator(member, creator):
        return SignatureRefused(
            "separation_of_duties",
            f"{member.name} created {review.ref}; the policy's separation of duties forbids "
            "them to sign its review")
    if prep.evidence_sha256 != review.evidence_digest:
        return SignatureRefused(
            "evidence_changed",
            f"the evidence changed since review #{review.id} opened (digest "
            f"{review.evidence_digest[:12]}… is now {prep.evidence_sha256[:12]}…); withdraw it "
            "and open a new review")
    if prep.decision is Decision.APPROVE:
        blocking = review.evidence.get("blocking_failures", [])
        if blocking:
            return SignatureRefused(
                "blocking_check_failed",
                "a blocking check did not pass, so the version cannot be approved: "
                + "; ".join(blocking))
        progress = review.progress()
        roles = policy.quorum.roles
        if roles and not set(member.roles) & set(roles):
            role_missing = sum(max(0, need - have) for have, need in progress.roles.values())
            if progress.required - progress.approvals <= role_missing:
                wanted = ", ".join(r for r, (h, n) in sorted(progress.roles.items()) if h < n)
                return SignatureRefused(
                    "missing_role",
                    f"{member.name} lacks a required role: the remaining approvals must come "
                    f"from {wanted}")
    return None


def signed_document(review: Review, prep: Prepared, at: datetime, head: Any) -> dict[str, Any]:
    """What a member signs (RFC 8785 bytes of it): the review, the evidence digest, the
    decision and its meaning in words, the comment, who and with which key, when, and the
    audit chain head at that moment (so each signature checkpoints the history before it)."""
    member = prep.member
    return {
        "kind": SIGNATURE_KIND,
        "review_id": review.id,
        "model": review.model,
        "version": review.version,
        "gate": review.policy.gate,
        "evidence_sha256": review.evidence_digest,
        "decision": prep.decision.value,
        "meaning": review.policy.meaning(prep.decision),
        "comment": prep.comment,
        "signer": member.name,
        "roles": sorted(member.roles),
        "fingerprint": member.fingerprint,
        "signed_at": iso_utc(at),
        "chain_head": {"seq": head.seq, "hash": head.hash},
    }


def decide(session: Session, review_id: int, prep: Prepared,
           sign: Callable[[bytes], bytes]) -> tuple[Review, Signature]:
    """Record one signature and, if it settles the review, the decision: one transaction.

    Args:
        sign: ``bytes -> bytes`` with the member's unlocked key.

    Raises:
        SignatureRefused: a rule forbids the signature (nothing is stored).
    """
    row = review_row(session, review_id, lock=True)
    review = to_review(session, row)
    name, version, creator, model_id = version_of(session, row)
    refused = refusal(review, creator, prep)
    if refused is not None:
        raise refused
    at = datetime.now(UTC)
    head = chain_head(session)
    doc = signed_document(review, prep, at, head)
    payload = canonical_bytes(doc)
    statement_sig = None
    if prep.decision is Decision.APPROVE and row.approval_statement:
        statement_sig = sign(pae(PAYLOAD_TYPE, row.approval_statement))
    signature = Signature(
        review_id=row.id, member=prep.member.name, roles=tuple(doc["roles"]),
        fingerprint=prep.member.fingerprint, decision=prep.decision, meaning=doc["meaning"],
        comment=prep.comment, signed_at=at, chain_head=head.hash, payload=payload,
        signature=sign(payload), statement_signature=statement_sig)
    sig_row = SqlSignature(
        review_id=row.id, member_id=prep.member.id, decision=prep.decision.value,
        meaning=doc["meaning"], comment=prep.comment, signed_at=at, signed_bytes=payload,
        signature=signature.signature, statement_signature=statement_sig,
        chain_head_seq=head.seq, chain_head_hash=head.hash,
    )
    session.add(sig_row)
    session.flush()
    _event(session, "review.sign", prep.member.name, row.id, name, {
        "review_id": row.id, "signature_id": sig_row.id, "decision": prep.decision.value,
        "meaning": doc["meaning"], "fingerprint": prep.member.fingerprint,
        "chain_head": doc["chain_head"],
    })
    review = replace(review, signatures=(*review.signatures, signature))
    roles = review.policy.quorum.roles
    if prep.decision is Decision.APPROVE and review.progress().met:
        _close(session, row, ReviewState.APPROVED, prep.member.name,
               f"quorum met: {review.progress().describe()}", name)
        _grant_alias(session, model_id, name, version, review.policy.gate, row.id,
                     prep.member.name)
    elif prep.decision is Decision.REJECT and set(prep.member.roles) & set(roles):
        _close(session, row, ReviewState.REJECTED, prep.member.name,
               f"rejected by {prep.member.name} ({', '.join(sorted(prep.member.roles))})", name)
    review = replace(review, state=ReviewState(row.state), closed_at=row.closed_at,
                     close_reason=row.reason)
    return review, signature


def _event(session: Session, kind: str, actor: str, review_id: int, model: str,
           payload: dict[str, Any]) -> None:
    append_event(session, kind, actor, f"review:{review_id}", payload, model=model)


def _close(session: Session, row: SqlReview, state: ReviewState, actor: str, reason: str,
           model: str) -> None:
    row.state = state.value
    row.closed_at = datetime.now(UTC)
    row.decision = {ReviewState.APPROVED: "approve", ReviewState.REJECTED: "reject"}.get(state)
    row.reason = reason
    session.flush()
    kind = "review.withdraw" if state is ReviewState.WITHDRAWN else "review.decide"
    _event(session, kind, actor, row.id, model,
           {"review_id": row.id, "state": state.value, "reason": reason})


def _grant_alias(session: Session, model_id: int, model: str, version: int, gate: str,
                 review_id: int, actor: str) -> None:
    alias = session.scalar(select(SqlModelAlias).where(
        SqlModelAlias.model_id == model_id, SqlModelAlias.alias == gate))
    previous = alias.version if alias else None
    if alias is None:
        session.add(SqlModelAlias(model_id=model_id, alias=gate, version=version))
    else:
        alias.version = version
    session.flush()
    append_event(session, "model.promote", actor, f"model:{model}/{version}", {
        "model": model, "version": version, "alias": gate, "previous_version": previous,
        "review_id": review_id,
    }, model=model)


def withdraw(session: Session, review_id: int, actor: str, reason: str) -> Review:
    """Close an open review without a decision.

    Raises:
        SignatureRefused: the review is already closed (code ``closed``).
    """
    row = review_row(session, review_id, lock=True)
    if row.state != ReviewState.OPEN.value:
        raise SignatureRefused("closed", f"review #{review_id} is already {row.state}")
    name, *_ = version_of(session, row)
    _close(session, row, ReviewState.WITHDRAWN, actor, reason, name)
    return to_review(session, row)
