"""Verify a sealed report offline against a board root; a workspace only when one is named.

Trust comes from outside the PDF: a signature in the manifest counts only if its key is that
member's in the root (and the member is active there); the sealing certificate counts only
through the producer's seal-key statement, an act signed by their Ed25519 key (which the root
names), embedded in the manifest; ``--cert`` stays for a certificate an organisation's CA
issued. Without ``--db`` no workspace is opened, let alone created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.governance.acts import SEAL_KEY, ActFormatError, parse_act
from governance_app.governance.root import Root, read_root_file
from governance_app.reports.verify import CheckOutcome, ReportVerification, verify_pdf

MAX_FILE = 256 * 1024 * 1024


def verify_document(path: Path, db: str | None = None, cert: Path | None = None,
                    root_file: Path | None = None) -> ReportVerification:
    """Every check of a sealed report (see the module docstring).

    Raises:
        InputError: the PDF, certificate or root file cannot be read (or is malformed).
    """
    data = _read(Path(path), "report")
    trusted: list[str | bytes] = []
    if cert is not None:
        trusted.append(_read(Path(cert), "certificate"))
    root: Root | None = None
    extra: list[CheckOutcome] = []
    if root_file is not None:
        _, roots = read_root_file(str(root_file), _read(Path(root_file), "root file")
                                  .decode("utf-8", errors="replace"))
        root = roots[-1]
        statement_cert = _statement_certificate(data, str(path), root, extra)
        if statement_cert is not None:
            trusted.append(statement_cert)
    hash_at = None
    if db is not None:
        from governance_app.services.reports import verify_report
        from governance_app.services.workspace import Workspace

        with Workspace.open(db) as ws:
            result = verify_report(Path(path), ws, cert)
            trusted_result = result
    else:
        trusted_result = verify_pdf(data, str(path), trusted_certs=trusted, hash_at=hash_at)
    checks = list(trusted_result.checks)
    if root is not None:
        checks += extra + _root_signers(trusted_result.manifest, root)
    return ReportVerification(str(path), tuple(checks), trusted_result.manifest)


def _statement_certificate(data: bytes, source: str, root: Root,
                           checks: list[CheckOutcome]) -> str | None:
    """The producer's certificate, if their seal-key statement holds against the root."""
    from governance_app.reports.manifest import extract_manifest

    try:
        manifest = extract_manifest(data, source)
    except InputError:
        return None  # the manifest check itself reports it
    producer = manifest.get("producer") or {}
    statement = producer.get("seal_key_statement")
    name = "seal-key statement"
    if not isinstance(statement, dict):
        checks.append(CheckOutcome(name, False, "the manifest carries no seal-key statement "
                                   "signed by the producer's decision key"))
        return None
    try:
        act = parse_act(statement)
    except ActFormatError as exc:
        checks.append(CheckOutcome(name, False, f"malformed: {exc}"))
        return None
    member = root.by_fingerprint(act.signer)
    body = act.body
    if act.kind != SEAL_KEY or act.board != root.board or member is None \
            or not act.verifies_with(member.public_key):
        checks.append(CheckOutcome(name, False, "not signed by a member's key in the board "
                                   f"root v{root.version}"))
        return None
    if body.get("certificate_sha256") != producer.get("seal_certificate_sha256"):
        checks.append(CheckOutcome(name, False, "it names another certificate than the seal's"))
        return None
    checks.append(CheckOutcome(name, True, f"{member.name} bound the sealing certificate "
                               f"{str(body['certificate_sha256'])[:16]}… with their key in "
                               f"root v{root.version}"))
    return str(body.get("certificate_pem", ""))


def _root_signers(manifest: dict[str, Any] | None, root: Root) -> list[CheckOutcome]:
    """Each manifest signature counts only with that member's key in the root."""
    out: list[CheckOutcome] = []
    records = list((manifest or {}).get("signatures", []))
    if (manifest or {}).get("latest_checkpoint"):
        records.append(manifest["latest_checkpoint"])  # type: ignore[index]
    for record in records:
        member = root.member(str(record.get("member")))
        ok = (member is not None and member.active
              and member.fingerprint == record.get("fingerprint")
              and member.public_key.strip() == str(record.get("public_key_pem", "")).strip())
        out.append(CheckOutcome(
            f"signer in root ({record.get('member')})", ok,
            f"{record.get('member')}'s key is theirs in root v{root.version}" if ok else
            f"{record.get('member')}'s embedded key is not their key in root v{root.version}"))
    return out


def _read(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE)
    except OSError as exc:
        raise InputError(path, f"cannot read the {what} ({exc.strerror})") from exc
