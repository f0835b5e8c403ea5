"""``manifest.json``: what a report claims, in a form a machine can check without us.

It is embedded in the PDF as an embedded file (``/EmbeddedFiles``) in the revision the seal
covers. It names the report's kind and parameters, when it was generated and by whom (with the
SHA-256 of the sealing certificate), the evidence digests the report draws on, every signature
with its exact signed bytes, the signature and the signer's Ed25519 public key (base64/PEM),
the audit chain head and its latest checkpoint. With only this file and the PDF an outsider can
re-verify every decision signature offline.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import Any

from governance_app.errors import InputError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "governance-app/report-manifest/1"


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """A stored Ed25519 signature with the exact bytes it covers and the key that made it."""

    kind: str
    """``review-signature`` or ``checkpoint``."""
    id: int
    member: str
    fingerprint: str
    signed_bytes: bytes
    signature: bytes
    public_key_pem: str
    extra: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "member": self.member,
                "fingerprint": self.fingerprint, **self.extra,
                "signed_bytes": _b64(self.signed_bytes), "signature": _b64(self.signature),
                "public_key_pem": self.public_key_pem}


def build_manifest(
    *,
    kind: str,
    parameters: dict[str, Any],
    generated_at: str,
    producer: dict[str, Any],
    evidence: list[dict[str, Any]],
    signatures: list[SignedRecord],
    chain_head: dict[str, Any],
    checkpoint: SignedRecord | None,
) -> dict[str, Any]:
    """The manifest document (plain JSON values; see the module docstring)."""
    return {
        "format": MANIFEST_FORMAT, "kind": kind, "parameters": parameters,
        "generated_at": generated_at, "producer": producer, "evidence": evidence,
        "signatures": [s.as_dict() for s in signatures], "chain_head": chain_head,
        "latest_checkpoint": checkpoint.as_dict() if checkpoint else None,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """UTF-8 JSON, keys sorted, indented: readable when someone opens the attachment."""
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def extract_manifest(pdf: bytes, source: str = "the PDF") -> dict[str, Any]:
    """Read ``manifest.json`` back from a report's embedded files.

    Raises:
        InputError: the PDF has no manifest, or it is not a governance-app manifest.
    """
    from pypdf import PdfReader

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise InputError(source, f"cannot read the PDF's embedded files ({exc})") from exc
    found = attachments.get(MANIFEST_NAME)
    if not found:
        raise InputError(source, "no embedded manifest.json",
                         expected="a report produced by governance-app")
    try:
        doc = json.loads(found[-1].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(source, f"manifest.json is not JSON ({exc})",
                         location=MANIFEST_NAME) from exc
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise InputError(source, "manifest.json has an unknown format", location="format",
                         expected=MANIFEST_FORMAT)
    return doc


def decode(value: str) -> bytes:
    """Base64 field of the manifest back to bytes."""
    return base64.b64decode(value.encode("ascii"), validate=True)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
