"""Policies, review sessions, signing and attestations: what the CLI and the GUI call.

Each function opens its own transactions on the workspace, so a worker thread or another
process can call it with a workspace URL. Signing is split in two: the slow part (unlocking the
key with the passphrase, re-evaluating the evidence) runs before the decision transaction, so
the review row is locked only for the short decide-and-record step.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from governance_app.domain.audit import Member
from governance_app.domain.governance import Decision, GatePolicy, Review, ReviewState, Signature
from governance_app.errors import InputError, NotFoundError
from governance_app.governance import attestation, keystore
from governance_app.governance import reviews as store_reviews
from governance_app.governance.audit import append_event
from governance_app.governance.canonical import canonical_bytes
from governance_app.governance.evidence import freeze
from governance_app.governance.keys import WrongPassphrase
from governance_app.governance.members import get_member
from governance_app.governance.policy import parse_policy, policy_from_dict
from governance_app.importers.safe_io import MAX_YAML_BYTES, read_text
from governance_app.services.evidence_sources import WorkspaceEvidence
from governance_app.services.models import parse_version_ref
from governance_app.services.workspace import Workspace
from governance_app.store.registry_reader import version_pk
from governance_app.store.schema_governance import SqlMember, SqlPolicy, SqlReview

SignerHook = Callable[[bytes], bytes]


def default_actor() -> str:
    """Who runs the command, for audit events that no member signs (OS user name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def add_policy(ws: Workspace, path: Path, actor: str | None = None) -> tuple[GatePolicy, int]:
    """Store a policy file as the next version of its name (unchanged text: no new version).

    Returns:
        The policy and its stored version number.

    Raises:
        InputError: the file is malformed (line and field named).
    """
    text = read_text(path, limit=MAX_YAML_BYTES)
    policy = parse_policy(path, text)
    with ws.session(immediate=True) as session:
        latest = session.scalar(select(SqlPolicy).where(SqlPolicy.name == policy.name)
                                .order_by(SqlPolicy.version.desc()).limit(1))
        if latest is not None and latest.digest == policy.digest:
            return policy, latest.version
        version = (latest.version + 1) if latest else 1
        session.add(SqlPolicy(name=policy.name, version=version, digest=policy.digest,
                              gate=policy.gate, yaml_text=text, parsed=policy.as_dict(),
                              created_at=datetime.now(UTC)))
        session.flush()
        append_event(session, "policy.add", actor or default_actor(), f"policy:{policy.name}",
                     {"policy": policy.name, "version": version, "digest": policy.digest,
                      "gate": policy.gate})
    return policy, version


def list_policies(ws: Workspace) -> list[tuple[GatePolicy, int]]:
    """The latest version of every policy, by name."""
    with ws.session() as session:
        newest = (select(SqlPolicy.name, func.max(SqlPolicy.version).label("v"))
                  .group_by(SqlPolicy.name).subquery())
        rows = session.scalars(select(SqlPolicy).join(
            newest, (newest.c.name == SqlPolicy.name) & (newest.c.v == SqlPolicy.version))
            .order_by(SqlPolicy.name)).all()
        return [(policy_from_dict(r.parsed), r.version) for r in rows]


def open_review(ws: Workspace, ref: str, policy_name: str, actor: str | None = None) -> Review:
    """Evaluate every check of the policy now, freeze the evidence, and open a review.

    Raises:
        InputError: ``ref`` is not ``MODEL:VERSION``.
        NotFoundError: no such version or policy.
    """
    name, version = parse_version_ref(ref)
    if version is None:
        raise InputError(ref, "a review is of one version", expected="MODEL:VERSION")
    source = WorkspaceEvidence(ws, name, version)
    with ws.session() as session:
        policy_row = _latest_policy(session, policy_name)
    policy = policy_from_dict(policy_row.parsed)
    evidence, digest = freeze(policy, source)
    with ws.session(immediate=True) as session:
        row = SqlReview(model_version_id=version_pk(session, name, version),
                        policy_id=policy_row.id, state=ReviewState.OPEN.value, evidence=evidence,
                        evidence_sha256=digest, opened_by=actor or default_actor(),
                        opened_at=datetime.now(UTC))
        session.add(row)
        session.flush()
        subject = evidence["subject"]
        statement = attestation.approval_statement(
            model=name, version=version, subject_digest=subject["digest"],
            artifact_uri=subject["artifact_uri"], gate=policy.gate, policy_name=policy.name,
            policy_digest=policy.digest, checks=evidence["checks"], evidence_digest=digest,
            review_id=row.id)
        row.approval_statement = canonical_bytes(statement)
        append_event(session, "review.open", row.opened_by, f"review:{row.id}", {
            "review_id": row.id, "model": name, "version": version, "policy": policy.name,
            "policy_digest": policy.digest, "evidence_sha256": digest,
            "blocking_failures": evidence["blocking_failures"],
        }, model=name)
        session.flush()
        return store_reviews.to_review(session, row)


def _latest_policy(session: Any, name: str) -> SqlPolicy:
    row = session.scalar(select(SqlPolicy).where(SqlPolicy.name == name)
                         .order_by(SqlPolicy.version.desc()).limit(1))
    if row is None:
        raise NotFoundError(f"no policy named {name!r}; add it with `governance-app policy add`")
    return row


def get_review(ws: Workspace, review_id: int) -> Review:
    with ws.session() as session:
        return store_reviews.to_review(session, store_reviews.review_row(session, review_id))


def list_reviews(ws: Workspace, state: str | None = None) -> list[Review]:
    """Reviews newest first, optionally only those in ``state``."""
    if state is not None:
        try:
            ReviewState(state)
        except ValueError as exc:
            raise InputError("--state", f"unknown state {state!r}",
                             expected="open, approved, rejected or withdrawn") from exc
    with ws.session() as session:
        query = select(SqlReview).order_by(SqlReview.id.desc())
        if state is not None:
            query = query.where(SqlReview.state == state)
        return [store_reviews.to_review(session, row) for row in session.scalars(query)]


def withdraw_review(ws: Workspace, review_id: int, reason: str, actor: str | None = None
                    ) -> Review:
    if not reason.strip():
        raise InputError("--reason", "a withdrawal needs a reason", expected="some words")
    with ws.session(immediate=True) as session:
        return store_reviews.withdraw(session, review_id, actor or default_actor(), reason)


def member_by_name(ws: Workspace, name: str) -> Member:
    """Raises NotFoundError when no member has that name."""
    with ws.session() as session:
        return get_member(session, name)


def sign_review(
    ws: Workspace,
    review_id: int,
    member_name: str,
    decision: Decision | str,
    passphrase: str,
    comment: str = "",
    key_file: Path | None = None,
) -> tuple[Review, Signature]:
    """Sign a review as ``member_name``; the decision is taken if this signature settles it.

    Raises:
        SignatureRefused: with its reason code (wrong passphrase, revoked, missing role, already
            signed, separation of duties, closed, blocking check failed, evidence changed).
        NotFoundError: no such review or member.
    """
    decision = Decision(decision)
    member = member_by_name(ws, member_name)
    if not member.active:  # never unlock a revoked key
        raise store_reviews.SignatureRefused(
            "revoked", f"{member.name}'s key was revoked; it can verify but never sign")
    try:
        signer = keystore.unlock(member.fingerprint, member.key_location, passphrase, key_file)
    except WrongPassphrase as exc:
        raise store_reviews.SignatureRefused("wrong_passphrase", str(exc)) from exc
    review = get_review(ws, review_id)
    digest = review.evidence_digest
    if review.state is ReviewState.OPEN:  # re-evaluate: has the evidence moved?
        _, digest = freeze(review.policy, WorkspaceEvidence(ws, review.model, review.version))
    prep = store_reviews.Prepared(member, decision, comment, digest)
    with ws.session(immediate=True) as session:
        return store_reviews.decide(session, review_id, prep, signer.sign)


def attestation_envelope(ws: Workspace, review_id: int) -> dict[str, Any]:
    """The DSSE envelope of an approved review's statement, with every approval signature.

    Raises:
        InputError: the review is not approved (it attests nothing yet).
    """
    with ws.session() as session:
        row = store_reviews.review_row(session, review_id)
        review = store_reviews.to_review(session, row)
        statement = row.approval_statement
    if review.state is not ReviewState.APPROVED or not statement:
        raise InputError(f"review #{review_id}", f"the review is {review.state.value}",
                         expected="an approved review")
    sigs = [(s.fingerprint, s.statement_signature) for s in review.signatures
            if s.decision is Decision.APPROVE and s.statement_signature]
    return attestation.envelope(statement, sigs)


def approver_keys(ws: Workspace, review_id: int) -> tuple[dict[str, str], int]:
    """Fingerprint → public key PEM of the review's approvers, and the policy's quorum."""
    review = get_review(ws, review_id)
    with ws.session() as session:
        rows = session.execute(
            select(SqlMember.fingerprint, SqlMember.public_key_pem).where(
                SqlMember.name.in_([s.member for s in review.signatures if
                                    s.decision is Decision.APPROVE]))).all()
        pems = {fingerprint: pem for fingerprint, pem in rows}
    return pems, review.policy.quorum.approvals


def workspace_public_keys(ws: Workspace) -> dict[str, str]:
    """Every member's public key (revoked ones too: they still verify old signatures)."""
    with ws.session() as session:
        rows = session.execute(select(SqlMember.fingerprint, SqlMember.public_key_pem)).all()
        return {fingerprint: pem for fingerprint, pem in rows}
