"""The act envelope: one way to sign any governance act and to check it later.

Every governance act (a root change, a membership request, a review opening, a signature, a
withdrawal, a seal-key statement, a checkpoint) is the RFC 8785 JSON of::

    {"type": "governance-app/act/1", "kind": "review.sign", "board": "<board id>",
     "root": {"version": 3, "digest": "…"}, "prev": {"seq": 41, "hash": "…"},
     "signer": "<Ed25519 fingerprint>", "signed_at": "2026-11-25T10:16:43.123456Z",
     "body": {…}}

signed with Ed25519 by the acting member. The act names the event it follows (``prev``), so the
event that records it must be ``prev.seq + 1`` with ``prev_hash == prev.hash``: an act cannot be
moved, replayed elsewhere in the chain or carried into another board. The audit event that
records an act holds ``{"act": <the document>, "signature": "<base64>"}`` as its payload; the
signed bytes are the document's canonical bytes, which RFC 8785 makes unique.

This module is pure (no database, no Qt): offline verifiers use it on files alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from governance_app.governance import keys
from governance_app.governance.canonical import (
    canonical_bytes,
    fast_canonical_bytes,
    iso_utc,
    parse_iso_utc,
)

ACT_TYPE = "governance-app/act/1"
CLOCK_SKEW = timedelta(minutes=5)
"""How far an act's ``signed_at`` may lie before the latest earlier act's (clocks differ)."""

ROOT_KIND = "board.root"
REQUEST_KIND = "member.request"
REVIEW_OPEN = "review.open"
REVIEW_SIGN = "review.sign"
REVIEW_WITHDRAW = "review.withdraw"
SEAL_KEY = "member.seal-key"
CHECKPOINT = "audit.checkpoint"
ADOPT = "board.adopt"
ACT_KINDS = frozenset({ROOT_KIND, REQUEST_KIND, REVIEW_OPEN, REVIEW_SIGN, REVIEW_WITHDRAW,
                       SEAL_KEY, CHECKPOINT, ADOPT})
"""Every kind that must be a signed act once a board exists."""
GOVERNANCE_KINDS = ACT_KINDS | {"member.add", "member.revoke", "policy.add", "review.decide",
                                "model.promote"}
"""Kinds that only ever mean a governance decision; unsigned, they are breaks on a board."""

Sign = Callable[[bytes], bytes]


class ActFormatError(ValueError):
    """A payload that is not a well-formed signed act (the message says which field)."""


@dataclass(frozen=True, slots=True)
class SignedAct:
    """An act document and its Ed25519 signature; ``digest`` names it (reviews are named by
    their opening act's digest)."""

    document: dict[str, Any]
    signature: bytes
    signed_bytes: bytes = field(init=False, compare=False, repr=False)
    """The document's canonical bytes (what the signature covers), computed once."""
    digest: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Replay reads 10,000s of acts and the reference RFC 8785 serialiser is the slowest
        # step after the signature check itself, so the fast one (the same bytes, property-
        # tested) is used and the signature is its check: :meth:`verifies_with` falls back
        # to the reference when a signature fails over them. No forgery can ride on it: a
        # signature that holds over the fast bytes is the signer's over a faithful
        # serialisation of this document, and signers only ever sign canonical bytes, so
        # those bytes are this document's canonical bytes.
        self._use_bytes(fast_canonical_bytes(self.document))

    def _use_bytes(self, data: bytes) -> None:
        object.__setattr__(self, "signed_bytes", data)
        object.__setattr__(self, "digest", hashlib.sha256(data).hexdigest())

    @property
    def kind(self) -> str:
        return str(self.document["kind"])

    @property
    def body(self) -> dict[str, Any]:
        return dict(self.document["body"])

    @property
    def signer(self) -> str:
        return str(self.document["signer"])

    @property
    def board(self) -> str:
        return str(self.document["board"])

    @property
    def root_version(self) -> int:
        return int(self.document["root"]["version"])

    @property
    def root_digest(self) -> str:
        return str(self.document["root"]["digest"])

    @property
    def prev_seq(self) -> int:
        return int(self.document["prev"]["seq"])

    @property
    def prev_hash(self) -> str:
        return str(self.document["prev"]["hash"])

    @property
    def signed_at(self) -> datetime:
        return parse_iso_utc(self.document["signed_at"])

    def verifies_with(self, public_key_pem: str) -> bool:
        """Whether the signature holds over the canonical bytes with that key, and the key is
        the one the act names (a signature by another key never counts)."""
        try:
            fp = keys.fingerprint(keys.load_public_pem(public_key_pem))
        except keys.KeyFormatError:
            return False
        if fp != self.signer:
            return False
        if keys.verify(public_key_pem, self.signature, self.signed_bytes):
            return True
        exact = canonical_bytes(self.document)
        if exact == self.signed_bytes:
            return False
        self._use_bytes(exact)  # the fast serialisation disagreed: the reference's bytes rule
        return keys.verify(public_key_pem, self.signature, exact)

    def as_payload(self) -> dict[str, Any]:
        """The audit event payload (and the form written to root and checkpoint files)."""
        return {"act": self.document, "signature": b64(self.signature)}


def make_act(
    kind: str, body: Mapping[str, Any], *, board: str, root_version: int, root_digest: str,
    prev_seq: int, prev_hash: str, signer: str, signed_at: datetime, sign: Sign,
) -> SignedAct:
    """Build and sign one act (``sign`` is the acting member's unlocked key)."""
    document = {
        "type": ACT_TYPE, "kind": kind, "board": board,
        "root": {"version": root_version, "digest": root_digest},
        "prev": {"seq": prev_seq, "hash": prev_hash},
        "signer": signer, "signed_at": iso_utc(signed_at), "body": dict(body),
    }
    document = _normalised(document)
    return SignedAct(document, sign(canonical_bytes(document)))


def _normalised(document: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(canonical_bytes(document)))


def is_act_payload(payload: Any) -> bool:
    return isinstance(payload, dict) and "act" in payload and "signature" in payload


def parse_act(payload: Any) -> SignedAct:
    """The signed act an event payload (or a file entry) holds.

    Raises:
        ActFormatError: a field is missing or has the wrong type (named in the message).
    """
    if not is_act_payload(payload):
        raise ActFormatError("not a signed act: expected {act, signature}")
    doc = payload["act"]
    if not isinstance(doc, dict) or doc.get("type") != ACT_TYPE:
        raise ActFormatError(f"act.type is not {ACT_TYPE!r}")
    for name, kind in (("kind", str), ("board", str), ("signer", str), ("signed_at", str),
                       ("body", dict), ("root", dict), ("prev", dict)):
        if not isinstance(doc.get(name), kind):
            raise ActFormatError(f"act.{name} is missing or not a {kind.__name__}")
    for name, fields in (("root", ("version", "digest")), ("prev", ("seq", "hash"))):
        for key in fields:
            if key not in doc[name]:
                raise ActFormatError(f"act.{name}.{key} is missing")
    try:
        parse_iso_utc(doc["signed_at"])
        int(doc["root"]["version"])
        int(doc["prev"]["seq"])
    except (TypeError, ValueError) as exc:
        raise ActFormatError(f"act has a malformed time or number ({exc})") from exc
    return SignedAct(doc, unb64(payload["signature"], "signature"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, field: str) -> bytes:
    """Raises ActFormatError: not base64 text."""
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ActFormatError(f"{field} is not base64") from exc
