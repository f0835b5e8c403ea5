"""Promotion attestations: the approval statement (in-toto Statement v1) and its DSSE envelope.

Every approver of a review signs the same statement bytes (through DSSE's pre-authentication
encoding), so the stored approval signatures together form one multi-signature envelope that
any DSSE tool can check with the approvers' public keys and the quorum as threshold. Writing
the envelope needs no key: it is assembled from signatures already made.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from governance_app.errors import CheckFailed, InputError
from governance_app.governance import keys
from governance_app.governance.canonical import canonical_bytes

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://governance-app.dev/promotion/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what a DSSE signature actually covers.

    ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``, lengths as ASCII decimals of byte
    counts, so neither the type nor the body can be shifted into the other.
    """
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def approval_statement(
    *,
    model: str,
    version: int,
    subject_digest: str,
    artifact_uri: str,
    gate: str,
    policy_name: str,
    policy_digest: str,
    checks: list[dict[str, Any]],
    evidence_digest: str,
    review_id: int,
) -> dict[str, Any]:
    """The in-toto Statement an approval signs; identical for every approver of a review.

    ``subject_digest`` is the artifact's SHA-256 when the registry knows it, else the SHA-256
    of the version's canonical registry record (``annotations.digest_of`` says which).
    """
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{
            "name": f"model:{model}/{version}",
            "digest": {"sha256": subject_digest},
            "annotations": {"artifact_uri": artifact_uri},
        }],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "review_id": review_id,
            "gate": gate,
            "policy": {"name": policy_name, "digest": {"sha256": policy_digest}},
            "checks": [
                {"check": c.get("label", ""), "value": c.get("value"), "result": c.get("result")}
                for c in checks
            ],
            "evidence": {"digest": {"sha256": evidence_digest}},
            "decision": "approve",
        },
    }


def statement_bytes(statement: Mapping[str, Any]) -> bytes:
    """The statement's payload bytes: RFC 8785, so every approver signs the same bytes."""
    return canonical_bytes(dict(statement))


def envelope(payload: bytes, signatures: Iterable[tuple[str, bytes]]) -> dict[str, Any]:
    """A DSSE envelope of the statement's stored bytes (:func:`statement_bytes`, exactly as
    the approvers signed them) with ``(key fingerprint, signature over PAE)`` pairs."""
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [
            {"keyid": keyid, "sig": base64.b64encode(sig).decode("ascii")}
            for keyid, sig in signatures
        ],
    }


@dataclass(frozen=True, slots=True)
class AttestationCheck:
    """What :func:`verify_attestation` found: the statement and the keys whose signatures held."""

    statement: dict[str, Any]
    verified_keyids: tuple[str, ...]
    threshold: int

    @property
    def subject(self) -> str:
        return str(self.statement["subject"][0]["name"])


def _b64(value: Any, field: str, source: str) -> bytes:
    try:
        return base64.b64decode(str(value).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise InputError(source, "not valid base64", location=field,
                         expected="standard base64") from exc


def _well_formed(statement: Any, source: str) -> dict[str, Any]:
    problems = []
    if not isinstance(statement, dict):
        raise InputError(source, "the payload is not a JSON object", location="payload",
                         expected="an in-toto Statement v1")
    if statement.get("_type") != STATEMENT_TYPE:
        problems.append(f"_type is {statement.get('_type')!r}, not {STATEMENT_TYPE}")
    subjects = statement.get("subject")
    if not (isinstance(subjects, list) and subjects and all(
            isinstance(s, dict) and isinstance(s.get("name"), str)
            and isinstance(s.get("digest"), dict) and s["digest"] for s in subjects)):
        problems.append("subject must be a non-empty list of {name, digest}")
    if not isinstance(statement.get("predicateType"), str):
        problems.append("predicateType is missing")
    if statement.get("predicateType") == PREDICATE_TYPE:
        predicate = statement.get("predicate")
        if not isinstance(predicate, dict) or predicate.get("decision") != "approve":
            problems.append("the promotion predicate does not record an approval")
    if problems:
        raise InputError(source, "; ".join(problems), location="payload",
                         expected="an in-toto Statement v1")
    return statement


def verify_attestation(
    document: Mapping[str, Any],
    public_keys: Mapping[str, str],
    threshold: int,
    *,
    source: str = "attestation",
) -> AttestationCheck:
    """Check a DSSE envelope: payload type, statement shape, and at least ``threshold``
    distinct keys of ``public_keys`` (fingerprint → PEM) with a valid signature over the PAE.

    A signature by a key not given, or one that does not verify, simply does not count;
    duplicated key ids count once.

    Raises:
        InputError: the envelope or its statement is malformed (names the field).
        CheckFailed: fewer than ``threshold`` distinct keys signed it.
    """
    if threshold < 1:
        raise InputError(source, f"threshold {threshold} is not positive", location="--threshold",
                         expected="a whole number ≥ 1")
    if document.get("payloadType") != PAYLOAD_TYPE:
        raise InputError(source, f"payloadType is {document.get('payloadType')!r}",
                         location="payloadType", expected=PAYLOAD_TYPE)
    payload = _b64(document.get("payload", ""), "payload", source)
    try:
        statement = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(source, f"the payload is not JSON ({exc})", location="payload",
                         expected="an in-toto Statement v1") from exc
    statement = _well_formed(statement, source)
    signatures = document.get("signatures")
    if not isinstance(signatures, list):
        raise InputError(source, "signatures is not a list", location="signatures",
                         expected="[{keyid, sig}]")
    signed = pae(PAYLOAD_TYPE, payload)
    verified: list[str] = []
    for i, entry in enumerate(signatures):
        if not isinstance(entry, dict):
            raise InputError(source, "a signature is not an object", location=f"signatures[{i}]",
                             expected="{keyid, sig}")
        keyid = str(entry.get("keyid", ""))
        sig = _b64(entry.get("sig", ""), f"signatures[{i}].sig", source)
        pem = public_keys.get(keyid)
        if pem is not None and keyid not in verified and keys.verify(pem, sig, signed):
            verified.append(keyid)
    if len(verified) < threshold:
        raise CheckFailed(
            f"{source}: {len(verified)} valid signature(s) from distinct known keys, "
            f"{threshold} required"
        )
    return AttestationCheck(statement, tuple(verified), threshold)


def public_keys_from_pems(pems: Iterable[str]) -> dict[str, str]:
    """Fingerprint → PEM for keys given on the command line (fingerprints as the app computes
    them, which are the envelope's key ids)."""
    return {keys.fingerprint(keys.load_public_pem(pem)): pem for pem in pems}
