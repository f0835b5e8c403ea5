"""Members' document keys and the PAdES seal that closes every report.

Why a second key: poppler's ``pdfsig`` (and most PDF readers) cannot validate an Ed25519 CMS
signature, but do validate ECDSA P-256. So beside the Ed25519 decision key each member gets an
ECDSA P-256 *document* key with a self-signed X.509 certificate, made on first use.

Where it lives (no schema change; decided for the first slice, see the issue):

* the private key is encrypted exactly like the decision key (scrypt + AES-256-GCM under the
  member's passphrase, associated data = the certificate's SHA-256, so an envelope cannot be
  swapped under another certificate) and kept beside it: ``<key file>.seal.json`` for a member
  with a key file, or the OS keyring entry ``seal:<fingerprint>`` for a keyring member;
* the certificate is recorded in the workspace as the payload of a ``member.seal-key`` audit
  event, together with the member's Ed25519 signature over its digest, so the workspace (and
  the hash chain) vouches for which certificate is whose;
* ``member import-cert`` replaces the self-signed certificate by one the organisation issued
  for the same key (:func:`check_issued_certificate`, :func:`with_certificate`): the record is
  re-encrypted under the new certificate's digest and later seals carry it. Old certificates
  stay recorded, so reports sealed before still verify.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.x509.oid import NameOID

from governance_app.errors import GovernanceError, InputError
from governance_app.governance import keystore
from governance_app.governance.keys import DEFAULT_SCRYPT_N, MIN_SCRYPT_N, WrongPassphrase

SEAL_KEY_FORMAT = "governance-app/seal-key/1"
SEAL_FIELD = "GovernanceAppSeal"
CERT_YEARS = 5


@dataclass(frozen=True, slots=True)
class SealKey:
    """A member's unlocked document key and its certificate (held for one seal)."""

    member: str
    certificate_pem: str
    private_key: ec.EllipticCurvePrivateKey

    @property
    def certificate_sha256(self) -> str:
        return certificate_sha256(self.certificate_pem)


def certificate_sha256(pem_or_der: str | bytes) -> str:
    """Hex SHA-256 of the certificate's DER: how the workspace and manifest name it."""
    return hashlib.sha256(certificate_der(pem_or_der)).hexdigest()


def certificate_der(pem_or_der: str | bytes) -> bytes:
    data = pem_or_der.encode("ascii") if isinstance(pem_or_der, str) else pem_or_der
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return data


def seal_key_location(member_fingerprint: str, key_location: str) -> str:
    """Where a member's document key is kept, derived from where their decision key is."""
    if key_location.startswith("file:"):
        return f"file:{key_location.removeprefix('file:')}.seal.json"
    return f"keyring:seal:{member_fingerprint}"


def new_seal_key(member: str, email: str, passphrase: str, member_fingerprint: str, *,
                 scrypt_n: int = DEFAULT_SCRYPT_N) -> tuple[SealKey, str]:
    """A fresh P-256 key with a self-signed certificate, and its encrypted record (JSON).

    The certificate's subject is the member (common name, e-mail); key usage is digital
    signature and non-repudiation, as a document seal asks.
    """
    if scrypt_n < MIN_SCRYPT_N:
        raise GovernanceError(f"scrypt n={scrypt_n} is too cheap (minimum {MIN_SCRYPT_N})")
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, member),
                      x509.NameAttribute(NameOID.EMAIL_ADDRESS, email or "unknown@invalid"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "governance-app board")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(private, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    key = SealKey(member, pem, private)
    return key, _encrypt(key, passphrase, member_fingerprint, scrypt_n)


def _encrypt(key: SealKey, passphrase: str, member_fingerprint: str, scrypt_n: int) -> str:
    salt, nonce = os.urandom(16), os.urandom(12)
    secret = Scrypt(salt=salt, length=32, n=scrypt_n, r=8, p=1).derive(passphrase.encode())
    der = key.private_key.private_bytes(serialization.Encoding.DER,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    sealed = AESGCM(secret).encrypt(nonce, der, key.certificate_sha256.encode("ascii"))
    b64 = base64.b64encode
    return json.dumps({
        "format": SEAL_KEY_FORMAT, "member": key.member,
        "member_fingerprint": member_fingerprint, "certificate": key.certificate_pem,
        "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": b64(salt).decode()},
        "cipher": {"name": "aes-256-gcm", "nonce": b64(nonce).decode()},
        "ciphertext": b64(sealed).decode()}, indent=2)


def check_issued_certificate(data: bytes, source: str, key: SealKey,
                             now: datetime | None = None) -> str:
    """Accept an organisation-issued certificate for ``key``; return it as PEM.

    Raises:
        InputError: not an X.509 certificate; its key is not ECDSA P-256; its public key is
            not this document key's; it is expired or not yet valid; its key usage forbids
            signing documents.
    """
    try:
        cert = (x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----BEGIN")
                else x509.load_der_x509_certificate(data))
    except ValueError as exc:
        raise InputError(source, f"not a readable X.509 certificate ({exc})",
                         expected="a PEM or DER certificate") from exc
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
        what = (f"ECDSA on {public.curve.name}" if isinstance(public, ec.EllipticCurvePublicKey)
                else type(public).__name__.removeprefix("_").replace("PublicKey", " key"))
        raise InputError(source, f"the certificate's key is {what}", location="public key",
                         expected="an ECDSA P-256 (secp256r1) key: the member's document key")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if public.public_bytes(*spki) != key.private_key.public_key().public_bytes(*spki):
        raise InputError(source, f"the certificate is for another key, not {key.member}'s "
                         "document key", location="public key",
                         expected="a certificate issued for the CSR of `governance-app member "
                         "seal-key NAME --csr`")
    moment = now or datetime.now(UTC)
    if moment < cert.not_valid_before_utc:
        raise InputError(source, f"the certificate is not valid before "
                         f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC", location="validity",
                         expected="a certificate valid now")
    if moment > cert.not_valid_after_utc:
        raise InputError(source, f"the certificate expired on "
                         f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC", location="validity",
                         expected="a certificate valid now")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise InputError(source, "the certificate's key usage does not allow signing",
                         location="key usage", expected="digitalSignature or nonRepudiation")
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def with_certificate(key: SealKey, certificate_pem: str, passphrase: str,
                     member_fingerprint: str, *, scrypt_n: int = DEFAULT_SCRYPT_N
                     ) -> tuple[SealKey, str]:
    """The same private key under another certificate, and its new encrypted record."""
    new = SealKey(key.member, certificate_pem, key.private_key)
    return new, _encrypt(new, passphrase, member_fingerprint, scrypt_n)


def certificate_request(key: SealKey, email: str) -> str:
    """A PKCS#10 request (PEM) for the document key, for the organisation's CA to sign."""
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, key.member)]
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name(attributes))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .sign(key.private_key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.PEM).decode("ascii")


def public_key_pem(key: SealKey) -> str:
    return key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def describe_certificate(pem: str) -> tuple[str, str, datetime, datetime]:
    """``(subject, issuer, not before, not after)`` of a certificate, for people: each name
    as its common name (and organisation) when it has them."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return (_short_name(cert.subject), _short_name(cert.issuer), cert.not_valid_before_utc,
            cert.not_valid_after_utc)


def _short_name(name: x509.Name) -> str:
    parts = [str(a.value) for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
             for a in name.get_attributes_for_oid(oid)]
    return ", ".join(parts) or name.rfc4514_string()


def replace_seal_key(record: str, location: str) -> None:
    """Overwrite the encrypted record at ``location`` (atomically for a file, mode 0600)."""
    if not location.startswith("file:"):
        store_seal_key(record, location)  # a keyring entry is simply replaced
        return
    path = Path(location.removeprefix("file:"))
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    store_seal_key(record, f"file:{partial}")
    os.replace(partial, path)


def store_seal_key(record: str, location: str) -> None:
    """Keep the encrypted record at ``location`` (a new file, mode 0600, or the keyring).

    Raises:
        KeyStoreError: the file exists or cannot be written; no usable keyring.
    """
    if location.startswith("file:"):
        path = Path(location.removeprefix("file:"))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise keystore.KeyStoreError(f"{path}: cannot create the document key file "
                                         f"({exc.strerror})") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(record + "\n")
        return
    backend = keystore.usable_keyring()
    backend.set_password(keystore.KEYRING_SERVICE, location.removeprefix("keyring:"), record)


def load_seal_record(location: str) -> str | None:
    """The encrypted record at ``location``, or ``None`` when the member has none yet."""
    if location.startswith("file:"):
        path = Path(location.removeprefix("file:"))
        return path.read_text(encoding="utf-8") if path.exists() else None
    backend = keystore.usable_keyring()
    return backend.get_password(keystore.KEYRING_SERVICE, location.removeprefix("keyring:"))


def unlock_seal_key(record: str, passphrase: str, member_fingerprint: str) -> SealKey:
    """Decrypt a document key record.

    Raises:
        WrongPassphrase: the passphrase does not open it.
        KeyStoreError: the record is malformed or belongs to another member's key.
    """
    try:
        doc = json.loads(record)
        if doc["format"] != SEAL_KEY_FORMAT or doc["member_fingerprint"] != member_fingerprint:
            raise ValueError("another format or another member's document key")
        kdf, cipher = doc["kdf"], doc["cipher"]
        pem = str(doc["certificate"])
        secret = Scrypt(salt=base64.b64decode(kdf["salt"]), length=32, n=int(kdf["n"]),
                        r=int(kdf["r"]), p=int(kdf["p"])).derive(passphrase.encode())
        sealed = base64.b64decode(doc["ciphertext"])
        nonce = base64.b64decode(cipher["nonce"])
    except (ValueError, KeyError, TypeError) as exc:
        raise keystore.KeyStoreError(f"not a readable document key record ({exc})") from exc
    try:
        der = AESGCM(secret).decrypt(nonce, sealed, certificate_sha256(pem).encode("ascii"))
    except InvalidTag as exc:
        raise WrongPassphrase("wrong passphrase: it does not open this member's document "
                              "key") from exc
    private = serialization.load_der_private_key(der, password=None)
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise keystore.KeyStoreError("the document key is not an ECDSA key")
    return SealKey(str(doc["member"]), pem, private)


def seal_pdf(data: bytes, key: SealKey, *, manifest: bytes, reason: str) -> bytes:
    """Embed ``manifest.json`` and seal the whole document (PAdES B-B, one incremental save).

    The manifest is embedded in the same revision the seal signs, so the seal covers it and
    nothing may follow the seal: a later byte is caught by :mod:`.verify` as partial coverage.
    """
    from pyhanko.keys import load_private_key_from_pemder_data
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, FileSpec, embed_file
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = asn1_certificate(key.certificate_pem)
    der = key.private_key.private_bytes(serialization.Encoding.DER,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    signer = signers.SimpleSigner(signing_cert=cert,
                                  signing_key=load_private_key_from_pemder_data(der, None),
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    embed_file(writer, FileSpec(
        "manifest.json", file_name="manifest.json", description="governance-app report manifest",
        embedded_data=EmbeddedFileObject.from_file_data(writer, manifest,
                                                        mime_type="application/json")))
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, reason=reason, name=key.member,
                                        subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    out = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=signer, output=out)
    return out.getvalue()


def asn1_certificate(pem_or_der: str | bytes) -> Any:
    """The asn1crypto certificate pyHanko works with, from PEM text or DER bytes."""
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate_der(pem_or_der))
