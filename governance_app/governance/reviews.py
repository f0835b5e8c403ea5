"""The refusal rules of a review signature: who may sign what, and why not.

Pure functions over domain values, applied by the signing service before it signs and by
replay (:mod:`~governance_app.governance.review_rules`) to every signature in the chain, so a
signature that a rule forbids is refused when made and is a break if it is found in the chain.

Role rule ("lacks a required role"): a member holding none of the roles the quorum names may
approve toward the total count only while an approval slot remains that no role needs; once
every remaining approval must come from a role (quorum 2 with ``chair: 1`` after one non-chair
approval, say) such a member is refused, because their approval could not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance_app.domain.audit import Member
from governance_app.domain.governance import Decision, Review, ReviewState
from governance_app.errors import GovernanceError
from governance_app.governance.canonical import iso_utc

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
