"""Policies, review sessions, signing and attestations: what the CLI and the GUI call.

Every review act (opening, signature, withdrawal) is signed by the acting member and appended
through :func:`governance.ledger.append_act`, which replays the board and refuses what replay
would call a break. What the front ends show is derived by replay, never read from the
governance tables (they are a cache). Signing is split in two: the slow part (unlocking the key,
re-evaluating the evidence) runs before the append transaction.

Reviews are named in the chain by the digest of their opening act; the short number people
use (``review show 3``) is the opening's rank, derived from the chain too.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from governance_app.domain.audit import Member
from governance_app.domain.governance import Decision, GatePolicy, Review, ReviewState, Signature
from governance_app.errors import InputError, NotFoundError
from governance_app.governance import attestation, attestation_terms
from governance_app.governance import reviews as rules
from governance_app.governance.acts import REVIEW_OPEN, REVIEW_SIGN, REVIEW_WITHDRAW, b64
from governance_app.governance.board_state import BoardState, DerivedReview
from governance_app.governance.canonical import canonical_bytes
from governance_app.governance.evidence import freeze
from governance_app.governance.keys import WrongPassphrase
from governance_app.governance.ledger import ActRefused
from governance_app.governance.policy import policy_from_dict
from governance_app.governance.review_rules import as_review
from governance_app.services import board
from governance_app.services.board import ActResult
from governance_app.services.evidence_sources import WorkspaceEvidence
from governance_app.services.models import parse_version_ref
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace

SignatureRefused = rules.SignatureRefused


def default_actor() -> str:
    """Who runs the command, for events no member signs (OS user name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def add_policy(ws: Workspace, path: Path, member: str, passphrase: PassphraseSource | str,
               key_file: Path | None = None) -> tuple[GatePolicy, int]:
    """Make a policy file the active version of its name, signed by a chair."""
    policy, version, _ = board.add_policy(ws, path, member, passphrase, key_file)
    return policy, version


def list_policies(ws: Workspace) -> list[tuple[GatePolicy, int]]:
    """The active version of every policy, by name (from the root)."""
    state = board.state_of(ws)
    out = []
    for name in sorted(state.root.policies if state.root else {}):
        derived = state.active_policy(name)
        if derived is not None:
            out.append((policy_from_dict(derived.parsed), derived.version))
    return out


def _derived(state: BoardState, review_id: int) -> DerivedReview:
    if not 1 <= review_id <= len(state.reviews):
        raise NotFoundError(f"no review #{review_id} in this workspace")
    return state.reviews[review_id - 1]


def open_review(ws: Workspace, ref: str, policy_name: str, member: str,
                passphrase: PassphraseSource | str, key_file: Path | None = None, *,
                supersede: bool = False, reason: str = "") -> tuple[Review, ActResult]:
    """Evaluate every check now, freeze the evidence, and open a review (a signed act).

    One review per version and gate is open at a time: opening another is refused, naming the
    open one, unless ``supersede`` (with a ``reason``) withdraws it in the same act.

    Raises:
        InputError: ``ref`` is not ``MODEL:VERSION``; supersede without a reason.
        NotFoundError: no such version, policy or member.
        GovernanceError: a review is already open for that version and gate.
    """
    name, version = parse_version_ref(ref)
    if version is None:
        raise InputError(ref, "a review is of one version", expected="MODEL:VERSION")
    state = board.state_of(ws)
    derived = state.active_policy(policy_name)
    if derived is None:
        raise NotFoundError(f"no policy named {policy_name!r} on the board; a chair adds it "
                            "with `governance-app policy add FILE --member CHAIR`")
    policy = policy_from_dict(derived.parsed)
    current = state.open_review_for(name, version, policy.gate)
    if current is not None and not supersede:
        raise rules.SignatureRefused(
            "already_open", f"review #{current.id} of {name}:{version} for gate {policy.gate} "
            "is open; withdraw it, or open with --supersede --reason TEXT")
    if supersede and current is not None and not reason.strip():
        raise InputError("--reason", "superseding a review needs a reason",
                         expected="--supersede --reason TEXT")
    acting = board.member(ws, member, state)
    signer = _unlock(acting, passphrase, key_file)
    evidence, digest = freeze(policy, WorkspaceEvidence(ws, name, version))
    number = len(state.reviews) + 1
    subject = evidence["subject"]
    statement = attestation.approval_statement(
        model=name, version=version, subject_digest=subject["digest"],
        artifact_uri=subject["artifact_uri"], gate=policy.gate, policy_name=policy.name,
        policy_digest=derived.digest, checks=evidence["checks"], evidence_digest=digest,
        review_id=number)
    statement["predicate"]["board"] = state.board
    body = {"number": number, "model": name, "version": version, "gate": policy.gate,
            "policy": {"name": derived.name, "version": derived.version,
                       "digest": derived.digest},
            "evidence": evidence, "evidence_sha256": digest,
            "statement": b64(canonical_bytes(statement)),
            "artifact_sha256": subject.get("artifact_sha256"),
            "supersedes": current.hash if current is not None else None,
            "reason": reason.strip()}
    result = board.record(ws, REVIEW_OPEN, body, signer, actor=acting.name,
                          subject=f"review:{number}", model=name)
    return get_review(ws, number), result


def get_review(ws: Workspace, review_id: int) -> Review:
    return as_review(_derived(board.state_of(ws), review_id))


def review_hash(ws: Workspace, review_id: int) -> str:
    """The digest of the review's opening act (its name in the chain)."""
    return _derived(board.state_of(ws), review_id).hash


def list_reviews(ws: Workspace, state: str | None = None) -> list[Review]:
    """Reviews newest first, optionally only those in ``state``."""
    if state is not None:
        try:
            ReviewState(state)
        except ValueError as exc:
            raise InputError("--state", f"unknown state {state!r}",
                             expected="open, approved, rejected or withdrawn") from exc
    derived = board.state_of(ws).reviews
    return [as_review(r) for r in reversed(derived) if state is None or r.state == state]


def withdraw_review(ws: Workspace, review_id: int, reason: str, member: str,
                    passphrase: PassphraseSource | str, key_file: Path | None = None
                    ) -> tuple[Review, ActResult]:
    """Close an open review without a decision (a signed act with its reason)."""
    if not reason.strip():
        raise InputError("--reason", "a withdrawal needs a reason", expected="some words")
    state = board.state_of(ws)
    review = _derived(state, review_id)
    if review.state != "open":
        raise rules.SignatureRefused("closed", f"review #{review_id} is already {review.state}")
    acting = board.member(ws, member, state)
    signer = _unlock(acting, passphrase, key_file)
    result = board.record(ws, REVIEW_WITHDRAW, {"review": review.hash, "reason": reason.strip()},
                          signer, actor=acting.name, subject=f"review:{review_id}",
                          model=review.model)
    return get_review(ws, review_id), result


def member_by_name(ws: Workspace, name: str) -> Member:
    """Raises NotFoundError when no member has that name."""
    return board.member(ws, name)


def _unlock(member: Member, passphrase: PassphraseSource | str, key_file: Path | None) -> Any:
    if not member.active:  # never unlock a revoked key
        raise rules.SignatureRefused(
            "revoked", f"{member.name}'s key was revoked; it can verify but never sign")
    try:
        return board.unlock(member, passphrase, key_file)
    except WrongPassphrase as exc:
        raise rules.SignatureRefused("wrong_passphrase", str(exc)) from exc


def sign_review(
    ws: Workspace,
    review_id: int,
    member_name: str,
    decision: Decision | str,
    passphrase: PassphraseSource | str,
    comment: str = "",
    key_file: Path | None = None,
) -> tuple[Review, Signature]:
    """Sign a review as ``member_name``; the decision is taken if this signature settles it.

    Raises:
        SignatureRefused: with its reason code (wrong passphrase, revoked, missing role, already
            signed, separation of duties, closed, blocking check failed, evidence changed).
        NotFoundError: no such review or member.
    """
    review, signature, _ = sign_review_act(ws, review_id, member_name, decision, passphrase,
                                           comment, key_file)
    return review, signature


def sign_review_act(
    ws: Workspace, review_id: int, member_name: str, decision: Decision | str,
    passphrase: PassphraseSource | str, comment: str = "", key_file: Path | None = None,
    terms: dict[str, Any] | None = None,
) -> tuple[Review, Signature, ActResult]:
    """:func:`sign_review`, also returning the act (its head for the minutes).

    Args:
        terms: an approval's conditions and expiry (``services.risk.approval_terms``).
    """
    decision = Decision(decision)
    state = board.state_of(ws)
    derived = _derived(state, review_id)
    member = board.member(ws, member_name, state)
    signer = _unlock(member, passphrase, key_file)
    review = as_review(derived)
    digest = review.evidence_digest
    if review.state is ReviewState.OPEN:  # re-evaluate: has the evidence moved?
        _, digest = freeze(review.policy, WorkspaceEvidence(ws, review.model, review.version))
    roles = state.root.by_fingerprint(member.fingerprint).roles if state.root and \
        state.root.by_fingerprint(member.fingerprint) else member.roles
    prep = rules.Prepared(_with_roles(member, roles), decision, comment, digest)
    if any(s.fingerprint == member.fingerprint for s in review.signatures):
        raise rules.SignatureRefused("already_signed",
                                     f"{member.name} has already signed review #{review_id}")
    problem = rules.refusal(review, derived.creator, prep)
    if problem is not None:
        raise problem
    body: dict[str, Any] = {
        "review": derived.hash, "review_id": review_id, "model": review.model,
        "version": review.version, "gate": review.policy.gate,
        "decision": decision.value, "meaning": review.policy.meaning(decision),
        "comment": comment, "evidence_sha256": digest, "signer": member.name,
        "statement_signature": None}
    if terms:
        body["terms"] = terms
    if decision is Decision.APPROVE:
        body["statement_signature"] = b64(signer.sign(
            attestation.pae(attestation.PAYLOAD_TYPE, derived.approval_statement)))
    try:
        result = board.record(ws, REVIEW_SIGN, body, signer, actor=member.name,
                              subject=f"review:{review_id}", model=review.model)
    except ActRefused:
        # Another member's act came first (the review closed meanwhile): say which rule.
        now = as_review(_derived(board.state_of(ws), review_id))
        problem = rules.refusal(now, derived.creator, prep)
        if problem is not None:
            raise problem from None
        raise
    after = get_review(ws, review_id)
    signature = next(s for s in after.signatures if s.fingerprint == member.fingerprint)
    return after, signature, result


def sign_with_terms(
    ws: Workspace, review_id: int, member_name: str, decision: Decision | str,
    passphrase: PassphraseSource | str, comment: str = "", key_file: Path | None = None, *,
    conditions: Sequence[str] = (), expires: str | None = None,
) -> tuple[Review, Signature, ActResult, dict[str, Any] | None]:
    """The ``sign`` verb as the CLI and the Sign dialog both run it, so the same choices sign
    the same act: ``conditions`` as ``finding:ID[@DATE]`` (the date defaults to the finding's
    due date) and ``expires`` as ``YYYY-MM-DD`` become the approval's terms
    (:func:`services.risk.approval_terms`), which the act's rules then judge.

    Returns:
        the review after, the signature, the act, and the terms signed (None: none).
    """
    from governance_app.services import risk  # the risk state: only when terms are given

    terms = (risk.approval_terms(ws, list(conditions), expires)
             if conditions or expires else None)
    review, signature, act = sign_review_act(ws, review_id, member_name, decision, passphrase,
                                             comment, key_file, terms)
    return review, signature, act, terms


def _with_roles(member: Member, roles: tuple[str, ...]) -> Member:
    from dataclasses import replace

    return replace(member, roles=tuple(roles))


def attestation_envelope(ws: Workspace, review_id: int) -> dict[str, Any]:
    """The DSSE envelope of an approved review's statement, with every approval signature.

    Raises:
        InputError: the review is not approved (it attests nothing yet).
    """
    state = board.state_of(ws)
    derived = _derived(state, review_id)
    if derived.state != "approved":
        raise InputError(f"review #{review_id}", f"the review is {derived.state}",
                         expected="an approved review")
    approvals = [s for s in derived.signatures
                 if s.decision == "approve" and s.statement_signature]
    document = attestation.envelope(derived.approval_statement,
                                    [(s.fingerprint, s.statement_signature) for s in approvals])
    document[attestation_terms.KEY] = _terms_block(ws, state, derived.id,
                                                   [s.act for s in approvals])
    return document


def _terms_block(ws: Workspace, state: Any, review_id: int,
                 approvals: list[dict[str, Any]]) -> dict[str, Any]:
    """The approval's expiry and conditions, with the signed acts that prove them (see
    :mod:`governance_app.governance.attestation_terms`)."""
    from governance_app.governance.audit import audit_events

    terms = state.risk.terms_of(review_id)
    conditions = []
    for condition in terms.conditions:
        finding = state.risk.finding(condition.finding_id)
        closed = None
        if finding is not None and finding.status == "closed" and finding.decided_at \
                and finding.decided_at.date() <= condition.by:
            with ws.session() as session:
                for event in audit_events(session, kinds=["finding.close"]):
                    act = event.payload.get("act", {})
                    if act.get("body", {}).get("finding") == finding.hash:
                        closed = dict(event.payload)
        conditions.append((condition.finding_id, finding.hash if finding else "",
                           condition.by, closed))
    return attestation_terms.block(review_id, approvals, terms.expires, conditions)


def approver_keys(ws: Workspace, review_id: int) -> tuple[dict[str, str], int]:
    """Fingerprint → public key PEM of the review's approvers, and the policy's quorum."""
    review = get_review(ws, review_id)
    pems = {s.fingerprint: board.state_of(ws).members[s.member].public_key
            for s in review.signatures if s.decision is Decision.APPROVE}
    return pems, review.policy.quorum.approvals


def workspace_public_keys(ws: Workspace) -> dict[str, str]:
    """Every member's current public key (revoked ones too: they still verify old acts)."""
    return {m.fingerprint: m.public_key for m in board.state_of(ws).members.values()}


def gate_grants(ws: Workspace) -> list[dict[str, Any]]:
    """The gates reviews granted (current per model and gate), derived from the chain."""
    return [{"model": g.model, "version": g.version, "gate": g.gate, "review_id": g.review_id,
             "review": g.review_hash, "seq": g.seq, "granted_at": g.granted_at}
            for g in board.state_of(ws).current_grants().values()]
