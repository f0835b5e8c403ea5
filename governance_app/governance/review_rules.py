"""The review acts' rules, applied the same way when signing and when replaying.

Opening a review, signing it and withdrawing it are signed acts; whether one is accepted
depends only on the board state derived before it (:class:`BoardState`) and the act itself.
The signing service calls these functions on the state it just replayed (so it refuses what
replay would call a break); replay calls them on every act. The refusal rules themselves
(separation of duties, closed reviews, blocking checks, roles) are
:func:`governance_app.governance.reviews.refusal`, fed with roles from the root, never from
the signed bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from governance_app.domain.audit import Member
from governance_app.domain.governance import (
    Decision,
    GatePolicy,
    Review,
    ReviewState,
    Signature,
)
from governance_app.governance import keys
from governance_app.governance.acts import SignedAct, unb64
from governance_app.governance.attestation import PAYLOAD_TYPE, pae
from governance_app.governance.board_state import (
    BoardState,
    DerivedMember,
    DerivedReview,
    DerivedSignature,
    GateGrant,
)
from governance_app.governance.canonical import sha256_hex
from governance_app.governance.policy import policy_from_dict
from governance_app.governance.reviews import Prepared, refusal
from governance_app.governance.root import Root


def policy_entry(parsed: dict[str, Any], version: int) -> dict[str, Any]:
    """A policy as the root lists it: name, version, digest, gate and quorum rules."""
    policy = policy_from_dict(parsed)
    return {"name": policy.name, "version": version, "digest": sha256_hex(parsed),
            "gate": policy.gate,
            "quorum": {"approvals": policy.quorum.approvals, "roles": dict(policy.quorum.roles)},
            "separation_of_duties": policy.separation_of_duties}


def check_policy_entry(entry: Any, document: Any) -> None:
    """A policy change's root entry must be exactly what its parsed document says.

    Raises:
        ValueError: (``Refused`` in replay) it is not.
    """
    from governance_app.governance.replay import Refused

    if not isinstance(entry, dict) or not isinstance(document, dict) \
            or not isinstance(document.get("parsed"), dict):
        raise Refused("a policy change carries no policy document")
    try:
        expected = policy_entry(document["parsed"], int(entry.get("version", 0)))
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused(f"the policy document is malformed ({exc})") from exc
    if expected != entry:
        raise Refused(f"policy {entry.get('name')}: the root entry does not match the policy "
                      "document it carries")


def as_member(member: DerivedMember, roles: tuple[str, ...] | None = None) -> Member:
    return Member(member.id, member.name, roles if roles is not None else member.roles,
                  member.email, member.fingerprint, member.public_key, "", member.created_at,
                  member.revoked_at, member.revoked_reason)


def as_signature(sig: DerivedSignature, policy: GatePolicy) -> Signature:
    return Signature(
        review_id=sig.review_id, member=sig.member, roles=sig.roles,
        fingerprint=sig.fingerprint, decision=Decision(sig.decision), meaning=sig.meaning,
        comment=sig.comment, signed_at=sig.signed_at, chain_head=sig.chain_head_hash,
        payload=sig.signed_bytes, signature=sig.signature,
        statement_signature=sig.statement_signature)


def as_review(review: DerivedReview) -> Review:
    """The domain :class:`Review` the front ends show, from derived state alone."""
    policy = policy_from_dict(review.policy)
    return Review(
        id=review.id, model=review.model, version=review.version, policy=policy,
        state=ReviewState(review.state), opened_by=review.opened_by,
        opened_at=review.opened_at, evidence=dict(review.evidence),
        evidence_digest=review.evidence_sha256,
        statement=json.loads(review.approval_statement) if review.approval_statement else {},
        signatures=tuple(as_signature(s, policy) for s in review.signatures),
        closed_at=review.closed_at, close_reason=review.reason)


def open_review(state: BoardState, seq: int, act: SignedAct, member: DerivedMember,
                root: Root, refused: type[Exception]) -> DerivedReview:
    """Apply a ``review.open`` act (raises ``refused`` naming the rule it breaks)."""
    body = act.body
    try:
        model, version = str(body["model"]), int(body["version"])
        named = dict(body["policy"])
        evidence, digest = dict(body["evidence"]), str(body["evidence_sha256"])
        statement = unb64(body["statement"], "statement")
        number = int(body["number"])
    except (KeyError, TypeError, ValueError) as exc:
        raise refused(f"a review opening without {exc}") from exc
    if number != len(state.reviews) + 1:
        raise refused(f"the opening calls itself review #{number}, but it is the "
                      f"{len(state.reviews) + 1}th")
    active = root.policies.get(str(named.get("name")))
    policy = state.active_policy(str(named.get("name")))
    if active is None or policy is None or active["digest"] != named.get("digest") \
            or active["version"] != named.get("version"):
        raise refused(f"policy {named.get('name')} v{named.get('version')} is not the active "
                      f"version in root v{root.version}")
    if body.get("gate") != active["gate"]:
        raise refused(f"gate {body.get('gate')!r} is not the policy's gate {active['gate']!r}")
    if sha256_hex(evidence) != digest:
        raise refused("the evidence does not match the digest the opening signed")
    _check_statement(statement, model, version, number, active, digest, state.board, refused)
    current = state.open_review_for(model, version, active["gate"])
    if current is not None:
        if body.get("supersedes") != current.hash or not str(body.get("reason", "")).strip():
            raise refused(f"review #{current.id} of {model}:{version} for gate "
                          f"{active['gate']} is still open")
        _close(current, "withdrawn", act.signed_at, None,
               f"superseded by review #{number}: {str(body['reason']).strip()}", seq)
    review = DerivedReview(
        id=number, hash=act.digest, model=model, version=version, gate=active["gate"],
        policy_id=policy.id, policy=policy.parsed,
        creator=str((evidence.get("subject") or {}).get("created_by") or ""),
        evidence=evidence, evidence_sha256=digest, approval_statement=statement,
        opened_by=member.name, opened_at=act.signed_at, seq=seq, changed_seq=seq)
    state.reviews.append(review)
    state.review_by_hash[review.hash] = review
    return review


def _check_statement(statement: bytes, model: str, version: int, number: int,
                     policy: dict[str, Any], digest: str, board: str | None,
                     refused: type[Exception]) -> None:
    try:
        doc = json.loads(statement)
        predicate = doc["predicate"]
        ok = (doc["subject"][0]["name"] == f"model:{model}/{version}"
              and predicate["review_id"] == number and predicate["gate"] == policy["gate"]
              and predicate["policy"]["digest"]["sha256"] == policy["digest"]
              and predicate["evidence"]["digest"]["sha256"] == digest
              and predicate.get("board") == board)
    except (ValueError, KeyError, TypeError, IndexError):
        ok = False
    if not ok:
        raise refused("the approval statement is not about this review, policy and evidence")


def sign_review(state: BoardState, seq: int, act: SignedAct, member: DerivedMember,
                root: Root, refused: type[Exception]) -> DerivedSignature:
    """Apply a ``review.sign`` act; settle the review and grant its gate when it decides."""
    body = act.body
    review = state.review_by_hash.get(str(body.get("review")))
    if review is None:
        raise refused(f"the signature names review {str(body.get('review'))[:12]}…, which "
                      "was never opened")
    try:
        decision = Decision(body.get("decision"))
    except ValueError as exc:
        raise refused(f"unknown decision {body.get('decision')!r}") from exc
    entry = root.by_fingerprint(member.fingerprint)
    roles = entry.roles if entry else ()
    domain = as_review(review)
    if any(s.fingerprint == member.fingerprint for s in review.signatures):
        raise refused(f"{member.name} has already signed review #{review.id}")
    prep = Prepared(as_member(member, roles), decision, str(body.get("comment", "")),
                    str(body.get("evidence_sha256", "")))
    problem = refusal(domain, review.creator, prep)
    if problem is not None:
        raise refused(str(problem))
    if body.get("meaning") != domain.policy.meaning(decision):
        raise refused("the meaning signed is not the policy's words for that decision")
    statement_sig = None
    if decision is Decision.APPROVE:
        statement_sig = unb64(body.get("statement_signature", ""), "statement_signature")
        if not keys.verify(member.public_key, statement_sig,
                           pae(PAYLOAD_TYPE, review.approval_statement)):
            raise refused(f"{member.name}'s approval-statement signature does not verify")
    sig = DerivedSignature(
        id=len(state.signatures) + 1, review_id=review.id, member=member.name,
        member_id=member.id, roles=roles, fingerprint=member.fingerprint,
        decision=decision.value, meaning=str(body["meaning"]), comment=prep.comment,
        signed_at=act.signed_at, signed_bytes=act.signed_bytes, signature=act.signature,
        statement_signature=statement_sig, chain_head_seq=act.prev_seq,
        chain_head_hash=act.prev_hash, seq=seq, act=act.as_payload())
    review.signatures.append(sig)
    review.changed_seq = seq
    state.signatures.append(sig)
    progress = as_review(review).progress()
    quorum_roles = set(domain.policy.quorum.roles)
    if decision is Decision.APPROVE and progress.met:
        _close(review, "approved", act.signed_at, "approve", f"quorum met: {progress.describe()}",
               seq)
        state.grants.append(GateGrant(len(state.grants) + 1, review.model, review.version,
                                      review.gate, review.id, review.hash, seq, act.signed_at))
    elif decision is Decision.REJECT and set(roles) & quorum_roles:
        _close(review, "rejected", act.signed_at, "reject",
               f"rejected by {member.name} ({', '.join(sorted(roles))})", seq)
    return sig


def withdraw_review(state: BoardState, seq: int, act: SignedAct, member: DerivedMember,
                    refused: type[Exception]) -> DerivedReview:
    body = act.body
    review = state.review_by_hash.get(str(body.get("review")))
    if review is None:
        raise refused("the withdrawal names a review that was never opened")
    if review.state != "open":
        raise refused(f"review #{review.id} is already {review.state}")
    reason = str(body.get("reason", "")).strip()
    if not reason:
        raise refused("a withdrawal needs a reason")
    _close(review, "withdrawn", act.signed_at, None, reason, seq)
    return review


def _close(review: DerivedReview, state: str, at: datetime, decision: str | None,
           reason: str, seq: int) -> None:
    review.state, review.closed_at, review.decision, review.reason = state, at, decision, reason
    review.changed_seq = seq
