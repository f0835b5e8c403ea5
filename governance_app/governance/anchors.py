"""The signatures that anchor the audit chain outside the database, and their checks.

Two kinds of record sign a chain head: checkpoints (``audit checkpoint``) and review
signatures (``sign``). Both keep the exact signed bytes. A review signature's signed bytes
are the RFC 8785 JSON of an object holding at least::

    {"kind": "review-signature", "review_id": 12, "evidence_sha256": "…", "decision": "approve",
     "fingerprint": "…", "signed_at": "2026-11-25T10:16:43.123456Z",
     "chain_head": {"seq": 41, "hash": "…"}, ...model, version, meaning, comment, signer}

(``evidence_digest`` is accepted for ``evidence_sha256``; ``signed_at`` is ``canonical.iso_utc``).
The audit event recording a signature (or checkpoint) carries ``signature_id`` (or
``checkpoint_id``) in its payload, so a problem with it can be named by that event's seq.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.audit import ChainHead, Finding, Member
from governance_app.governance import keys
from governance_app.governance.attestation import PAYLOAD_TYPE, pae
from governance_app.governance.canonical import iso_utc, parse_iso_utc, sha256_hex
from governance_app.store.schema_governance import (
    SqlCheckpoint,
    SqlMember,
    SqlReview,
    SqlSignature,
)

HEAD_MISMATCH = "chain rewritten"


@dataclass(frozen=True, slots=True)
class Mark:
    """A chain head some signature vouches for, and whether the recomputed chain agrees."""

    seq: int
    signed_hash: str
    found_hash: str | None
    label: str

    @property
    def holds(self) -> bool:
        return self.signed_hash == self.found_hash


def checkpoint_document(head: ChainHead, member: Member, at: datetime) -> dict[str, Any]:
    """What a checkpoint signs (its RFC 8785 bytes are stored as ``signed_bytes``)."""
    return {"kind": "checkpoint", "seq": head.seq, "head": head.hash,
            "fingerprint": member.fingerprint, "signer": member.name, "at": iso_utc(at)}


def check_checkpoints(
    session: Session, hashes: dict[int, str], event_of: dict[int, int]
) -> tuple[int, list[Mark], list[Finding]]:
    """Verify each checkpoint's signature and collect the heads it vouches for."""
    rows = session.execute(
        select(SqlCheckpoint, SqlMember).join(SqlMember, SqlCheckpoint.member_id == SqlMember.id)
        .order_by(SqlCheckpoint.id)
    ).all()
    marks: list[Mark] = []
    findings: list[Finding] = []
    for cp, member in rows:
        seq = event_of.get(cp.id, cp.seq)

        def bad(problem: str, cp_id: int = cp.id, seq: int = seq) -> None:
            findings.append(Finding("checkpoint", seq, problem, cp_id))

        if not keys.verify(member.public_key_pem, cp.signature, cp.signed_bytes):
            bad(f"the signature does not verify with {member.name}'s key")
            continue
        doc = _json(cp.signed_bytes)
        if (doc.get("kind") != "checkpoint" or doc.get("seq") != cp.seq
                or doc.get("head") != cp.head or doc.get("fingerprint") != member.fingerprint):
            bad("the stored row does not match the bytes that were signed")
            continue
        _revocation(member, doc.get("at"), cp.at, bad)
        marks.append(Mark(cp.seq, cp.head, hashes.get(cp.seq),
                          f"checkpoint {cp.id} by {member.name}"))
    return len(rows), marks, findings


def check_signatures(
    session: Session, hashes: dict[int, str], event_of: dict[int, int]
) -> tuple[int, list[Mark], list[Finding]]:
    """Verify each review signature: key, review, evidence, revocation, statement, chain head."""
    rows = session.execute(
        select(SqlSignature, SqlMember, SqlReview)
        .join(SqlMember, SqlSignature.member_id == SqlMember.id)
        .join(SqlReview, SqlSignature.review_id == SqlReview.id)
        .order_by(SqlSignature.id)
    ).all()
    marks: list[Mark] = []
    findings: list[Finding] = []
    stale_evidence: set[int] = set()
    for sig, member, review in rows:
        seq = event_of.get(sig.id)

        def bad(problem: str, sig_id: int = sig.id, seq: int | None = seq) -> None:
            findings.append(Finding("signature", seq, problem, sig_id))

        who = f"{member.name}'s signature on review {sig.review_id}"
        if not keys.verify(member.public_key_pem, sig.signature, sig.signed_bytes):
            bad(f"{who} does not verify with their key")
            continue
        doc = _json(sig.signed_bytes)
        if doc.get("review_id") != sig.review_id:
            bad(f"{who} was made for review {doc.get('review_id')} (moved to another review)")
            continue
        if doc.get("fingerprint", member.fingerprint) != member.fingerprint:
            bad(f"{who} names key {doc.get('fingerprint')}, not {member.fingerprint}")
        if doc.get("decision", sig.decision) != sig.decision:
            bad(f"{who} signed {doc.get('decision')!r} but is stored as {sig.decision!r}")
        signed_digest = doc.get("evidence_sha256", doc.get("evidence_digest"))
        if signed_digest != review.evidence_sha256:
            bad(f"{who} covers evidence {str(signed_digest)[:12]}…, but the review now has "
                f"{review.evidence_sha256[:12]}… (evidence changed after signing)")
        elif review.id not in stale_evidence and sha256_hex(review.evidence) != signed_digest:
            stale_evidence.add(review.id)
            bad(f"review {review.id}'s evidence no longer matches the digest its signatures "
                "cover (evidence changed after signing)")
        _revocation(member, doc.get("signed_at"), sig.signed_at, bad)
        if sig.statement_signature is not None:
            statement = review.approval_statement
            if statement is None or not keys.verify(
                member.public_key_pem, sig.statement_signature, pae(PAYLOAD_TYPE, statement)
            ):
                bad(f"{who}: the approval-statement signature does not verify")
        head = doc.get("chain_head")
        head_seq = head.get("seq") if isinstance(head, dict) else sig.chain_head_seq
        head_hash = head.get("hash") if isinstance(head, dict) else head
        if head_seq != sig.chain_head_seq or head_hash != sig.chain_head_hash:
            bad(f"{who}: the stored chain head does not match the signed one")
            continue
        marks.append(Mark(sig.chain_head_seq, sig.chain_head_hash,
                          hashes.get(sig.chain_head_seq), f"signature {sig.id} by {member.name}"))
    return len(rows), marks, findings


def locate_rewrites(marks: list[Mark]) -> list[Finding]:
    """Name the events a failing anchor implicates: after the last holding anchor, up to it."""
    good = sorted({m.seq for m in marks if m.holds})
    findings: list[Finding] = []
    for mark in sorted((m for m in marks if not m.holds), key=lambda m: m.seq):
        lower = max((s for s in good if s < mark.seq), default=0) + 1
        if mark.found_hash is None:
            problem = (f"{HEAD_MISMATCH}: {mark.label} signed the head at #{mark.seq}, but the "
                       f"chain now ends before it (events deleted after #{lower - 1})")
        else:
            problem = (f"{HEAD_MISMATCH}: {mark.label} signed head {mark.signed_hash[:12]}… at "
                       f"#{mark.seq}; the recomputed chain has {mark.found_hash[:12]}… there, "
                       f"so an event between #{lower} and #{mark.seq} was altered")
        findings.append(Finding("event", lower, problem))
    return findings


def _revocation(member: SqlMember, signed_text: Any, stored_at: datetime, bad: Any) -> None:
    if member.revoked_at is None:
        return
    try:
        when = parse_iso_utc(signed_text) if isinstance(signed_text, str) else stored_at
    except ValueError:
        when = stored_at
    when = max(when, stored_at)
    if when > member.revoked_at:
        bad(f"made by {member.name}'s key on {iso_utc(when)}, after it was revoked on "
            f"{iso_utc(member.revoked_at)}")


def _json(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
