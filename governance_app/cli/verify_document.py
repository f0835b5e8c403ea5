"""``verify FILE.pdf``: check a sealed report offline; a workspace only with ``--db``.

Without ``--db`` nothing is opened or created. With ``--root ROOT.json`` every manifest
signature counts only if its key is that member's in the root (and the member active), and the
sealing certificate counts only through a seal-key statement signed by the producer's Ed25519
key, embedded in the manifest; ``--cert`` stays for an organisation's CA-issued certificate.
"""

from __future__ import annotations

import sys
from pathlib import Path

from governance_app.cli.output import print_json


def verify_pdf_command(path: Path, db: str | None, cert: Path | None, root: Path | None,
                       as_json: bool) -> int:
    """Every check on its own line; exit 1 if any fails."""
    from governance_app.services import document_verification as service  # pyHanko: on use

    result = service.verify_document(path, db, cert, root)
    if as_json:
        print_json({"ok": result.ok, "path": result.path,
                    "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail}
                               for c in result.checks]})
    else:
        for check in result.checks:
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        print("verified: seal, coverage, signer and manifest hold" if result.ok else
              f"NOT VERIFIED: {len(result.failed)} check(s) failed", file=sys.stdout)
    return 0 if result.ok else 1
