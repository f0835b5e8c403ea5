"""A member's document (sealing) key for people: its public key, a CSR, an issued certificate.

By default a member's reports are sealed with a self-signed certificate made on first use. An
organisation that runs its own CA issues a certificate for the same key instead:

1. ``governance-app member seal-key NAME --csr req.pem`` writes a PKCS#10 request signed by the
   member's document key (made now if the member has none yet);
2. the CA signs it; 3. ``governance-app member import-cert NAME cert.pem`` checks that the
   certificate is for that very key (P-256, valid now, usable for signing), re-encrypts the key
   under it and records it as a ``member.seal-key`` event signed by the member's decision key.

Later seals carry the issued certificate and ``verify`` trusts it (``member_certificates``);
reports sealed before still verify with the old one, which stays recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from governance_app.errors import GovernanceError, InputError
from governance_app.reports import seal as seal_keys
from governance_app.services.members import get_member, unlock
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.reports import record_certificate, seal_key_for
from governance_app.services.workspace import Workspace

MAX_CERTIFICATE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class DocumentKey:
    """The public half of a member's document key and the certificate it is sealed under."""

    member: str
    public_key_pem: str
    certificate_pem: str
    certificate_sha256: str
    subject: str
    issuer: str
    not_after: datetime
    csr_pem: str | None = None
    """A PKCS#10 request for the key, when one was asked for."""


def _source(passphrase: PassphraseSource | str) -> PassphraseSource:
    return passphrase if isinstance(passphrase, PassphraseSource) else PassphraseSource(
        passphrase)


def _describe(key: seal_keys.SealKey, csr_pem: str | None = None) -> DocumentKey:
    subject, issuer, _, not_after = seal_keys.describe_certificate(key.certificate_pem)
    return DocumentKey(key.member, seal_keys.public_key_pem(key), key.certificate_pem,
                       key.certificate_sha256, subject, issuer, not_after, csr_pem)


def document_key(ws: Workspace, member: str, passphrase: PassphraseSource | str,
                 key_file: Path | None = None, *, csr: bool = False) -> DocumentKey:
    """The member's document key (made and recorded now if they have none), and with ``csr``
    a PKCS#10 request (PEM) for it, for the organisation's CA to sign.

    Raises:
        NotFoundError: no such member.
        WrongPassphrase / KeyStoreError / GovernanceError: the keys cannot be unlocked.
    """
    key, owner = seal_key_for(ws, member, _source(passphrase), key_file)
    return _describe(key, seal_keys.certificate_request(key, owner.email) if csr else None)


def import_certificate(ws: Workspace, member: str, certificate: Path,
                       passphrase: PassphraseSource | str, key_file: Path | None = None
                       ) -> DocumentKey:
    """Seal the member's later reports with ``certificate`` (issued for their document key).

    Raises:
        InputError: the file is unreadable or too big; not a certificate; not P-256; not this
            key; expired or not yet valid; key usage without signing.
        NotFoundError: no such member.
        WrongPassphrase / KeyStoreError: the keys cannot be unlocked.
    """
    path = Path(certificate)
    try:
        if path.stat().st_size > MAX_CERTIFICATE_BYTES:
            raise InputError(path, "too big for a certificate",
                             expected=f"at most {MAX_CERTIFICATE_BYTES // 1024} KiB")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the certificate ({exc.strerror})") from exc
    source = _source(passphrase)
    secret = source.get(f"{member}'s key")
    key, record = seal_key_for(ws, member, secret, key_file)
    pem = seal_keys.check_issued_certificate(data, str(path), key)
    if seal_keys.certificate_sha256(pem) == key.certificate_sha256:
        return _describe(key)  # already the one in use: nothing to change
    owner = get_member(ws, member)
    signer = unlock(owner, secret, key_file)
    new_key, new_record = seal_keys.with_certificate(key, pem, secret, owner.fingerprint)
    location = seal_keys.seal_key_location(
        owner.fingerprint, f"file:{key_file}" if key_file else owner.key_location)
    if seal_keys.load_seal_record(location) is None:
        raise GovernanceError(f"{member}'s document key is not where it was a moment ago "
                              f"({location}); nothing was changed")
    record_certificate(ws, owner, new_key, signer, source="imported")
    seal_keys.replace_seal_key(new_record, location)
    return _describe(new_key)
