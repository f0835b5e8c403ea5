"""Ed25519 keys: fingerprints, passphrase encryption, signatures, and how they fail."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization

from governance_app.errors import GovernanceError
from governance_app.governance import keys

FAST = keys.MIN_SCRYPT_N  # the real default costs ~0.1 s per use; tests make many keys


def test_generated_key_round_trips_through_its_passphrase() -> None:
    new = keys.generate("correct horse", scrypt_n=FAST)
    private = keys.decrypt(new.envelope, "correct horse", new.fingerprint)
    public = keys.load_public_pem(new.public_pem)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert new.fingerprint == hashlib.sha256(raw).hexdigest()
    signature = private.sign(b"the exact bytes")
    assert keys.verify(new.public_pem, signature, b"the exact bytes")
    assert not keys.verify(new.public_pem, signature, b"the exact bytes!")


def test_envelope_records_its_parameters_and_hides_the_key() -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    doc = json.loads(new.envelope)
    assert doc["format"] == keys.ENVELOPE_FORMAT
    assert doc["kdf"]["name"] == "scrypt" and doc["kdf"]["n"] == FAST
    assert doc["cipher"]["name"] == "aes-256-gcm"
    assert "PRIVATE" not in new.envelope and new.fingerprint == doc["fingerprint"]


def test_default_cost_is_the_documented_one() -> None:
    new = keys.generate("pw")
    assert json.loads(new.envelope)["kdf"] == {**json.loads(new.envelope)["kdf"],
                                               "n": 2**15, "r": 8, "p": 1}


def test_wrong_passphrase_is_a_clear_error() -> None:
    new = keys.generate("right", scrypt_n=FAST)
    with pytest.raises(keys.WrongPassphrase, match="wrong passphrase"):
        keys.decrypt(new.envelope, "wrong", new.fingerprint)


def test_envelope_of_another_member_does_not_open_in_this_slot() -> None:
    ana, bo = keys.generate("pw", scrypt_n=FAST), keys.generate("pw", scrypt_n=FAST)
    with pytest.raises(keys.KeyFormatError, match="not the member's"):
        keys.decrypt(ana.envelope, "pw", bo.fingerprint)
    # relabelling the envelope does not help: the fingerprint is the cipher's associated data
    forged = json.loads(ana.envelope) | {"fingerprint": bo.fingerprint}
    with pytest.raises(keys.WrongPassphrase):
        keys.decrypt(json.dumps(forged), "pw", bo.fingerprint)


@pytest.mark.parametrize("damage", [
    lambda d: "not json",
    lambda d: json.dumps({**d, "format": "other/1"}),
    lambda d: json.dumps({**d, "kdf": {**d["kdf"], "n": 16}}),
    lambda d: json.dumps({**d, "ciphertext": "***"}),
])
def test_damaged_or_weakened_envelopes_are_refused(damage) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    with pytest.raises(keys.KeyFormatError):
        keys.decrypt(damage(json.loads(new.envelope)), "pw", new.fingerprint)


def test_empty_passphrase_and_cheap_kdf_are_refused() -> None:
    with pytest.raises(GovernanceError, match="may not be empty"):
        keys.generate("")
    with pytest.raises(GovernanceError, match="too cheap"):
        keys.generate("pw", scrypt_n=16)


def test_fingerprint_grouping_and_public_pem_checks() -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    grouped = keys.grouped(new.fingerprint)
    assert grouped.replace(" ", "") == new.fingerprint and len(grouped.split()) == 16
    with pytest.raises(keys.KeyFormatError):
        keys.load_public_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    assert not keys.verify("garbage", b"x" * 64, b"data")
