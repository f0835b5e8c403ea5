"""A signed act's bytes come from the fast serialiser, with its signature as the check: when
the fast bytes ever disagreed with the reference RFC 8785 bytes, the signer's signature (made
over the reference bytes) would fail over them, and the act then falls back to the reference
bytes and digest; a signature that is not the signer's fails either way."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance_app.governance import acts, keys
from governance_app.governance.acts import make_act, parse_act
from governance_app.governance.canonical import canonical_bytes


def signed(private: Ed25519PrivateKey, title: str = "ünïcode “title” \n") -> acts.SignedAct:
    return make_act("finding.open", {"title": title, "score": 0.1, "n": 2**40, "list": [1.5]},
                    board="ab" * 32, root_version=1, root_digest="cd" * 32, prev_seq=3,
                    prev_hash="ef" * 32, signer=keys.fingerprint(private.public_key()),
                    signed_at=datetime(2026, 12, 7, 6, 0, tzinfo=UTC), sign=private.sign)


def test_the_fast_bytes_are_the_reference_bytes_and_verify() -> None:
    private = Ed25519PrivateKey.generate()
    act = parse_act(signed(private).as_payload())  # as replay reads it from a stored event
    assert act.signed_bytes == canonical_bytes(act.document)
    assert act.digest == hashlib.sha256(canonical_bytes(act.document)).hexdigest()
    assert act.verifies_with(keys.public_pem(private.public_key()))


def test_a_disagreeing_fast_serialiser_falls_back_to_the_reference(
        monkeypatch: pytest.MonkeyPatch) -> None:
    private = Ed25519PrivateKey.generate()
    payload = signed(private).as_payload()
    monkeypatch.setattr(acts, "fast_canonical_bytes", lambda doc: b" " + canonical_bytes(doc))
    act = parse_act(payload)
    exact = canonical_bytes(act.document)
    assert act.signed_bytes != exact  # the shortcut's (wrong) bytes, until checked
    assert act.verifies_with(keys.public_pem(private.public_key()))
    assert act.signed_bytes == exact
    assert act.digest == hashlib.sha256(exact).hexdigest()

    other = Ed25519PrivateKey.generate()  # another key's signature holds over neither
    forged = parse_act({**payload, "signature": signed(other).as_payload()["signature"]})
    assert not forged.verifies_with(keys.public_pem(private.public_key()))
