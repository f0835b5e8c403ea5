"""``report model-card``: a sealed PDF model card; and the PDF half of ``verify``.

The audit report (``report audit``) is a later step.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from governance_app.cli.output import print_json
from governance_app.services import reports as service
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


def cmd_report(args: argparse.Namespace, ws: Workspace) -> int:
    source = PassphraseSource(file=args.passphrase_file, prompt=getpass.getpass)
    result = service.build_model_card(ws, args.ref, args.output, args.member, source,
                                      args.page_size, key_file=args.key_file)
    if args.json:
        print_json({"path": str(result.path), "bytes": result.size,
                    "manifest": result.manifest})
    else:
        print(f"wrote {result.path} ({result.size} bytes), sealed by {args.member}")
    return 0


def verify_pdf_command(path: Path, ws: Workspace | None, cert: Path | None,
                       as_json: bool) -> int:
    """What ``verify FILE.pdf`` runs: every check on its own line; exit 1 if any fails."""
    result = service.verify_report(path, ws, cert)
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


def register(verb: Any) -> dict[str, Any]:
    """Add ``report`` to the parser; return its handler."""
    from governance_app.cli import Verb

    p = verb("report", "write a sealed PDF report (model-card MODEL:VERSION)",
             "governance-app report model-card credit_default:4 -o card.pdf --member 'Ana Lima'")
    p.add_argument("kind", choices=["model-card"])
    p.add_argument("ref", metavar="MODEL:VERSION")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--member", required=True, metavar="NAME", help="who produces and seals it")
    p.add_argument("--passphrase-file", type=Path, metavar="PATH")
    p.add_argument("--key-file", type=Path, metavar="PATH")
    p.add_argument("--page-size", default="A4", choices=["A4", "letter"])
    p.add_argument("--json", action="store_true")
    return {"report": Verb(cmd_report)}
