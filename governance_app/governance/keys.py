"""Ed25519 key pairs of board members: generation, fingerprints, passphrase encryption.

The private key never exists unencrypted outside memory. It is encrypted with the member's
passphrase as a small JSON envelope (``ENVELOPE_FORMAT``):

* KDF: scrypt (RFC 7914) with a random 16-byte salt and explicit, recorded parameters
  (default ``n=2**15, r=8, p=1``: ~32 MiB and ~0.1 s per attempt, which is what makes an
  offline guess expensive; PKCS#8's PBKDF2 defaults are far weaker and not tunable here).
* Cipher: AES-256-GCM with a random 12-byte nonce; the associated data binds the envelope
  to the key's fingerprint, so an envelope moved to another member's slot will not open.
* Plaintext: the raw 32-byte Ed25519 private key.

A wrong passphrase fails the GCM tag check, which is reported as :class:`WrongPassphrase`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from governance_app.errors import GovernanceError
from governance_app.governance.fingerprints import grouped  # noqa: F401 - re-exported

ENVELOPE_FORMAT = "governance-app/ed25519-scrypt-aesgcm/1"
DEFAULT_SCRYPT_N = 2**15
MIN_SCRYPT_N = 2**10
"""Below this an envelope is refused: it would be too cheap to brute-force (tests use it)."""


class KeyFormatError(GovernanceError):
    """A key or key envelope is malformed or does not belong where it was found."""


class WrongPassphrase(GovernanceError):
    """The passphrase does not open the member's private key."""


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly generated key pair, ready to store: nothing here is secret in clear."""

    fingerprint: str
    public_pem: str
    envelope: str
    """The encrypted private key (JSON text, see the module docstring)."""


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw 32-byte public key: the key's identity everywhere in the app."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()




def public_pem(public_key: Ed25519PublicKey) -> str:
    """SubjectPublicKeyInfo PEM, readable by OpenSSL and securesystemslib."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


@lru_cache(maxsize=1024)
def load_public_pem(pem: str) -> Ed25519PublicKey:
    """Parse a stored public key (remembered: replay checks 10,000s of acts by a handful of
    keys, and a parsed key is immutable).

    Raises:
        KeyFormatError: it is not an Ed25519 public key PEM.
    """
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise KeyFormatError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFormatError(f"expected an Ed25519 public key, found {type(key).__name__}")
    return key


def generate(passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> NewKey:
    """Create a key pair and encrypt its private half with ``passphrase``.

    Raises:
        GovernanceError: the passphrase is empty (an empty passphrase protects nothing).
    """
    if not passphrase:
        raise GovernanceError("a member's passphrase may not be empty")
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    fp = fingerprint(public)
    return NewKey(fp, public_pem(public), encrypt(private, passphrase, fp, scrypt_n=scrypt_n))


def encrypt(
    private: Ed25519PrivateKey, passphrase: str, fp: str, *, scrypt_n: int = DEFAULT_SCRYPT_N
) -> str:
    """The JSON envelope of ``private`` under ``passphrase``, bound to fingerprint ``fp``."""
    if scrypt_n < MIN_SCRYPT_N:
        raise GovernanceError(f"scrypt n={scrypt_n} is too cheap (minimum {MIN_SCRYPT_N})")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _kdf(passphrase, salt, scrypt_n, 8, 1)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    sealed = AESGCM(key).encrypt(nonce, raw, fp.encode("ascii"))
    return json.dumps(
        {
            "format": ENVELOPE_FORMAT,
            "fingerprint": fp,
            "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": _b64(salt)},
            "cipher": {"name": "aes-256-gcm", "nonce": _b64(nonce)},
            "ciphertext": _b64(sealed),
        },
        indent=2,
    )


def decrypt(envelope: str, passphrase: str, expected_fingerprint: str) -> Ed25519PrivateKey:
    """Open an envelope and check the key inside is the member's registered key.

    Raises:
        WrongPassphrase: the passphrase does not open it.
        KeyFormatError: the envelope is malformed, too weak, or holds another member's key.
    """
    try:
        doc = json.loads(envelope)
        if doc["format"] != ENVELOPE_FORMAT:
            raise KeyFormatError(f"unknown key envelope format {doc['format']!r}")
        kdf, cipher = doc["kdf"], doc["cipher"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt, nonce = _unb64(kdf["salt"]), _unb64(cipher["nonce"])
        sealed = _unb64(doc["ciphertext"])
        fp = str(doc["fingerprint"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFormatError(
            f"the stored private key is not a readable key envelope ({exc})"
        ) from exc
    if kdf.get("name") != "scrypt" or cipher.get("name") != "aes-256-gcm" or n < MIN_SCRYPT_N:
        raise KeyFormatError("the stored private key uses an unsupported or too weak encryption")
    if fp != expected_fingerprint:
        raise KeyFormatError(
            f"the stored private key is for fingerprint {grouped(fp)}, "
            f"not the member's {grouped(expected_fingerprint)}"
        )
    try:
        raw = AESGCM(_kdf(passphrase, salt, n, r, p)).decrypt(nonce, sealed, fp.encode("ascii"))
    except InvalidTag as exc:
        raise WrongPassphrase("wrong passphrase: it does not open this member's key") from exc
    private = Ed25519PrivateKey.from_private_bytes(raw)
    if fingerprint(private.public_key()) != expected_fingerprint:
        raise KeyFormatError("the stored private key does not match the member's public key")
    return private


def verify(public_key_pem: str, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of exactly ``data``."""
    try:
        load_public_pem(public_key_pem).verify(signature, data)
    except (InvalidSignature, KeyFormatError):
        return False
    return True


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
