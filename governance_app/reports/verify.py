"""Verify a sealed report offline: the seal, what it covers, who made it, and the manifest.

Why "entire file": pyHanko's ``bottom_line`` accepts a seal followed by appended bytes or by a
metadata-only incremental update (coverage "entire revision"). A report is final when sealed, so
we require ``SignatureCoverageLevel.ENTIRE_FILE``: not one byte may follow the seal.

Each check is reported on its own (:class:`CheckOutcome`), so a reader learns *what* failed.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from governance_app.errors import InputError
from governance_app.governance import keys
from governance_app.reports.manifest import decode, extract_manifest
from governance_app.reports.seal import asn1_certificate, certificate_der

HeadLookup = Callable[[int], str | None]
"""``hash_at(seq)``: the workspace chain's hash at ``seq`` (``None`` past its end)."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One verification check: its name, whether it holds, and what was found."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ReportVerification:
    """Every check made on one PDF, and the manifest when it could be read."""

    path: str
    checks: tuple[CheckOutcome, ...]
    manifest: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.ok]


def verify_pdf(
    data: bytes,
    source: str,
    *,
    trusted_certs: Iterable[str | bytes] = (),
    hash_at: HeadLookup | None = None,
) -> ReportVerification:
    """Check a report's seal and manifest.

    Args:
        trusted_certs: certificates (PEM or DER) the seal may be made with: the workspace
            members' document certificates, or one given with ``--cert``.
        hash_at: with a workspace, looks up its chain so the manifest's head can be found in it.
    """
    checks: list[CheckOutcome] = []
    signer_sha = _check_seal(data, {hashlib.sha256(certificate_der(c)).hexdigest()
                                    for c in trusted_certs}, checks)
    try:
        manifest = extract_manifest(data, source)
    except InputError as exc:
        checks.append(CheckOutcome("manifest", False, str(exc)))
        return ReportVerification(source, tuple(checks))
    producer = manifest.get("producer", {}).get("seal_certificate_sha256")
    checks.append(CheckOutcome(
        "manifest", signer_sha is not None and producer == signer_sha,
        f"manifest.json read; it names the sealing certificate {str(producer)[:16]}…"
        if producer == signer_sha else
        "the manifest's producer certificate is not the one that sealed the document"))
    records = list(manifest.get("signatures", []))
    if manifest.get("latest_checkpoint"):
        records.append(manifest["latest_checkpoint"])
    for record in records:
        checks.append(_check_signature(record))
    if hash_at is not None:
        checks.append(_check_head(manifest.get("chain_head", {}), hash_at))
    return ReportVerification(source, tuple(checks), manifest)


def _check_seal(data: bytes, trusted: set[str], checks: list[CheckOutcome]) -> str | None:
    """Append the seal checks; return the sealing certificate's SHA-256 (None if unreadable)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        seals = reader.embedded_signatures
    except Exception as exc:  # any parse failure means the file is not what was sealed
        checks.append(CheckOutcome("seal intact", False, f"the PDF cannot be read ({exc})"))
        return None
    if len(seals) != 1:
        checks.append(CheckOutcome("seal intact", False,
                                   f"expected exactly one seal, found {len(seals)}"))
        return None
    seal = seals[0]
    try:
        cert_der = seal.signer_cert.dump()
        context = ValidationContext(trust_roots=[asn1_certificate(cert_der)],
                                    allow_fetching=False)
        status = validate_pdf_signature(seal, signer_validation_context=context)
    except Exception as exc:  # a damaged signature dictionary or CMS blob
        checks.append(CheckOutcome("seal intact", False, f"the seal cannot be checked ({exc})"))
        return None
    checks.append(CheckOutcome(
        "seal intact", bool(status.intact and status.valid),
        "the seal's signature matches the signed bytes" if status.intact and status.valid
        else "the signed bytes were changed after sealing, or the signature is invalid"))
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    checks.append(CheckOutcome(
        "covers the whole file", whole,
        "the seal covers every byte of the file" if whole else
        f"bytes were added after the seal (coverage: {status.coverage.name.lower()})"))
    sha = hashlib.sha256(cert_der).hexdigest()
    subject = seal.signer_cert.subject.human_friendly
    if not trusted:
        checks.append(CheckOutcome("signer", False, f"sealed by {subject}; no workspace or "
                                   "--cert given to say whose certificate that is"))
    else:
        checks.append(CheckOutcome(
            "signer", sha in trusted,
            f"sealed by {subject} (certificate {sha[:16]}…)" + (
                "" if sha in trusted else ": not a member's certificate nor the one given")))
    return sha


def _check_signature(record: dict[str, Any]) -> CheckOutcome:
    label = f"{record.get('kind', 'signature')} {record.get('id')} by {record.get('member')}"
    try:
        signed, signature = decode(record["signed_bytes"]), decode(record["signature"])
        pem = str(record["public_key_pem"])
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        return CheckOutcome(label, False, f"malformed manifest entry ({exc})")
    ok = keys.verify(pem, signature, signed)
    fp_ok = _fingerprint_of(pem) == record.get("fingerprint")
    if ok and fp_ok:
        return CheckOutcome(label, True, "Ed25519 signature over the recorded bytes holds")
    why = "the signature does not match its bytes" if not ok else (
        "the public key is not the fingerprint named")
    return CheckOutcome(label, False, why)


def _fingerprint_of(pem: str) -> str | None:
    try:
        return keys.fingerprint(keys.load_public_pem(pem))
    except keys.KeyFormatError:
        return None


def _check_head(head: dict[str, Any], hash_at: HeadLookup) -> CheckOutcome:
    seq, expected = head.get("seq"), head.get("hash")
    if not isinstance(seq, int):
        return CheckOutcome("chain head", False, "the manifest names no chain head")
    found = hash_at(seq)
    if found == expected:
        return CheckOutcome("chain head", True, f"event #{seq} of the workspace's chain has the "
                            "manifest's hash")
    if found is None:
        return CheckOutcome("chain head", False, f"the workspace's chain has no event #{seq}")
    return CheckOutcome("chain head", False, f"event #{seq} of the workspace's chain has "
                        f"another hash ({found[:16]}…, manifest {str(expected)[:16]}…)")
