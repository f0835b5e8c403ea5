"""Building blocks for audit tests: members with fast keys, reviews and signatures by hand.

The review and signature rows are constructed directly (as PART 2's signing service would
write them), so these tests exercise verification without depending on that service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_app.domain.audit import Member
from governance_app.governance import keys, keystore
from governance_app.governance.attestation import PAYLOAD_TYPE, pae
from governance_app.governance.audit import append_event, chain_head
from governance_app.governance.canonical import canonical_bytes, iso_utc, normalised, sha256_hex
from governance_app.governance.members import create_member
from governance_app.services.workspace import Workspace
from governance_app.store.schema import SqlModelVersion, SqlRegisteredModel
from governance_app.store.schema_governance import SqlPolicy, SqlReview, SqlSignature

FAST = keys.MIN_SCRYPT_N


def add_member(ws: Workspace, name: str, roles: tuple[str, ...] = ("chair",)) -> tuple[
        Member, keystore.Signer]:
    """A member whose key lives in the test keyring, and their unlocked signer."""
    new = keys.generate("pw", scrypt_n=FAST)
    location = keystore.store(new, name, None)
    with ws.session(immediate=True) as session:
        member = create_member(session, name, roles, "", new, location, actor="test")
    return member, keystore.unlock(new.fingerprint, location, "pw")


def add_events(ws: Workspace, n: int, kind: str = "test.event") -> None:
    with ws.session(immediate=True) as session:
        for i in range(n):
            append_event(session, kind, "tester", f"thing {i}", {"i": i, "x": i / 3},
                         model="credit_default")


def make_review(ws: Workspace, version: int = 1) -> int:
    """A model version, a policy and an open review of it; returns the review id."""
    now = datetime.now(UTC)
    evidence = normalised({"checks": [{"label": "val_auc ≥ 0.77", "value": 0.81,
                                       "result": "pass"}], "version": version})
    statement = canonical_bytes({"_type": "https://in-toto.io/Statement/v1",
                                 "subject": [{"name": f"credit_default:{version}"}]})
    with ws.session(immediate=True) as session:
        model = session.query(SqlRegisteredModel).filter_by(name="credit_default").one_or_none()
        if model is None:
            model = SqlRegisteredModel(name="credit_default", description="", tags={}, digest="")
            session.add(model)
            session.flush()
        mv = SqlModelVersion(model_id=model.id, version=version, tags={}, digest="")
        session.add(mv)
        policy = SqlPolicy(name=f"prod-{version}", version=1, digest="0" * 64, gate="production",
                           yaml_text="policy: prod\n", parsed={}, created_at=now)
        session.add(policy)
        session.flush()
        review = SqlReview(model_version_id=mv.id, policy_id=policy.id, state="open",
                           evidence=evidence, evidence_sha256=sha256_hex(evidence),
                           approval_statement=statement, opened_by="test", opened_at=now,
                           reason="")
        session.add(review)
        session.flush()
        append_event(session, "review.open", "test", f"review {review.id}",
                     {"review_id": review.id}, model="credit_default")
        return review.id


def sign_review(
    session: Session, review_id: int, member: Member, signer: keystore.Signer,
    *, at: datetime | None = None, decision: str = "approve", **overrides: Any,
) -> int:
    """Sign a review the way the signing service does; ``overrides`` change the signed doc."""
    review = session.get(SqlReview, review_id)
    assert review is not None
    at = at or datetime.now(UTC)
    head = chain_head(session)
    doc = {"kind": "review-signature", "review_id": review_id, "model": "credit_default",
           "evidence_sha256": review.evidence_sha256, "decision": decision,
           "meaning": "Approved for promotion to production", "comment": "",
           "signer": member.name, "fingerprint": member.fingerprint, "signed_at": iso_utc(at),
           "chain_head": head.as_dict(), **overrides}
    signed = canonical_bytes(doc)
    row = SqlSignature(
        review_id=review_id, member_id=member.id, decision=decision, meaning=doc["meaning"],
        comment="", signed_at=at, signed_bytes=signed, signature=signer.sign(signed),
        statement_signature=signer.sign(pae(PAYLOAD_TYPE, review.approval_statement))
        if decision == "approve" else None,
        chain_head_seq=head.seq, chain_head_hash=head.hash)
    session.add(row)
    session.flush()
    append_event(session, "review.sign", member.name, f"review {review_id}",
                 {"signature_id": row.id, "review_id": review_id, "decision": decision},
                 model="credit_default", at=at)
    return row.id
