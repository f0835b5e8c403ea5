"""``member seal-key`` and ``member import-cert``: the document key that seals a member's reports.

``member seal-key NAME [--csr REQ.pem] [--json]`` prints the document key's public key and the
certificate reports are sealed with (making the key on first use); ``--csr`` also writes a
certificate request for the organisation's CA. ``member import-cert NAME CERT.pem`` takes the
certificate the CA issued for that key. Both ask for the member's passphrase.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.cli.output import local_time, print_json
from governance_app.errors import InputError
from governance_app.services.passphrase import PassphraseSource

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace

ACTIONS = ("seal-key", "import-cert")


def add_options(p: argparse.ArgumentParser) -> None:
    """The ``member`` parser's extra arguments for these two actions."""
    p.add_argument("cert", nargs="?", type=Path, metavar="CERT.pem",
                   help="import-cert: the certificate the organisation issued (PEM or DER)")
    p.add_argument("--csr", type=Path, metavar="REQ.pem",
                   help="seal-key: also write a certificate request for the document key")


def cmd(args: argparse.Namespace, ws: Workspace, name: str, source: PassphraseSource) -> int:
    """Run ``member seal-key`` or ``member import-cert`` for member ``name``."""
    from governance_app.services import seal_certificates as service  # crypto, pyHanko: on use

    if args.action == "import-cert":
        if args.cert is None:
            raise InputError("command line", "the certificate file is missing",
                             expected="governance-app member import-cert NAME CERT.pem")
        key = service.import_certificate(ws, name, args.cert, source, args.key_file)
        if args.json:
            print_json(key)
        else:
            print(f"{name}'s reports are now sealed with the certificate issued by "
                  f"{key.issuer} (sha256 {key.certificate_sha256[:16]}…, valid until "
                  f"{local_time(key.not_after)})")
        return 0
    if args.cert is not None:
        raise InputError(str(args.cert), "seal-key takes no certificate",
                         expected="member import-cert NAME CERT.pem to import one")
    if args.csr is not None and args.csr.exists():
        raise InputError(args.csr, "the file exists; nothing was written",
                         expected="a path where no file exists yet")
    key = service.document_key(ws, name, source, args.key_file, csr=args.csr is not None)
    if args.csr is not None and key.csr_pem is not None:
        _write_new(args.csr, key.csr_pem)
    if args.json:
        print_json({**_as_dict(key), "csr": str(args.csr) if args.csr else None})
        return 0
    print(f"{name}'s document key (ECDSA P-256), certificate sha256 {key.certificate_sha256}")
    print(f"  certificate: {key.subject}, issued by {key.issuer}, valid until "
          f"{local_time(key.not_after)}")
    if args.csr is not None:
        print(f"  wrote the certificate request to {args.csr}")
    print(key.public_key_pem, end="")
    return 0


def _as_dict(key: Any) -> dict[str, object]:
    """``services.seal_certificates.DocumentKey`` as JSON values."""
    return {"member": key.member, "csr_pem": key.csr_pem, "public_key_pem": key.public_key_pem,
            "certificate_pem": key.certificate_pem,
            "certificate_sha256": key.certificate_sha256, "subject": key.subject,
            "issuer": key.issuer, "not_after": key.not_after.isoformat()}


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file (never over an existing one)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        raise InputError(path, f"cannot create the request file ({exc.strerror})",
                         expected="a path where no file exists yet") from exc
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
