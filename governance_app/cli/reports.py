"""``report model-card``, ``report validation`` and ``report audit``: sealed PDF reports; the PDF
half of ``verify``.

``report model-card MODEL:VERSION`` is one version's card; ``report validation MODEL:VERSION``
its validation report (scope, tests and results, findings, conclusion, signatures); ``report
audit [--model NAME] [--from DATE] [--to DATE]`` the audit report of a period (inclusive local
days). Options that belong to another kind are refused rather than silently ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.cli.output import print_json
from governance_app.errors import InputError
from governance_app.reports.paper import default_page_size

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace


def refuse_existing(output: Path, force: bool) -> None:
    """An earlier sealed report is evidence: it is replaced only when asked (``--force``).

    Raises:
        InputError: ``output`` exists and ``force`` is not set.
    """
    if output.exists() and not force:
        raise InputError(output, "already exists; an earlier report is not overwritten",
                         expected="another -o FILE, or --force to replace it")


def _passphrase_source(file: Path | None) -> Any:
    """``--passphrase-file``, else ``$GOVERNANCE_APP_PASSPHRASE``, else a no-echo prompt, but
    only on a terminal: without one, a missing passphrase is an error (exit 2), never a hang
    on a hidden prompt or an ``EOFError``."""
    import getpass

    from governance_app.services.passphrase import PassphraseSource

    return PassphraseSource(file=file, prompt=getpass.getpass if sys.stdin.isatty() else None)


def cmd_report(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import audit_report
    from governance_app.services import reports as service  # reportlab, matplotlib: on use

    refuse_existing(args.output, args.force)
    # As ``sign``: a prompt only on a terminal, else a clear error naming the two sources.
    source = _passphrase_source(args.passphrase_file)
    if args.kind in ("model-card", "validation"):
        what = "a model card" if args.kind == "model-card" else "a validation report"
        if args.ref is None:
            raise InputError("command line", f"{what} needs the version",
                             expected=f"governance-app report {args.kind} MODEL:VERSION "
                                      "-o FILE")
        for option, value in (("--model", args.model), ("--from", args.date_from),
                              ("--to", args.date_to)):
            if value is not None:
                raise InputError(option, "only the audit report takes a model or a period",
                                 expected=f"report {args.kind} MODEL:VERSION, or report audit "
                                 f"{option} …")
        if args.kind == "model-card":
            result = service.build_model_card(ws, args.ref, args.output, args.member, source,
                                              args.page_size, key_file=args.key_file)
        else:
            from governance_app.services.validation_report import build_validation_report

            result = build_validation_report(ws, args.ref, args.output, args.member, source,
                                             args.page_size, key_file=args.key_file)
    else:
        if args.ref is not None:
            raise InputError(args.ref, "the audit report takes no MODEL:VERSION",
                             expected="report audit [--model NAME] [--from DATE] [--to DATE]")
        result = audit_report.build_audit_report(
            ws, args.output, args.member, source, model=args.model,
            date_from=audit_report.parse_date(args.date_from, "--from")
            if args.date_from else None,
            date_to=audit_report.parse_date(args.date_to, "--to") if args.date_to else None,
            page_size_name=args.page_size, key_file=args.key_file)
    if args.json:
        print_json({"path": str(result.path), "bytes": result.size,
                    "manifest": result.manifest})
    else:
        print(f"wrote {result.path} ({result.size} bytes), sealed by {args.member}")
    return 0


def verify_pdf_command(path: Path, ws: Workspace | None, cert: Path | None,
                       as_json: bool) -> int:
    """What ``verify FILE.pdf`` runs: every check on its own line; exit 1 if any fails."""
    from governance_app.services import reports as service  # pyHanko, reportlab: on use

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

    p = verb("report", "write a sealed PDF report (model-card or validation MODEL:VERSION, "
             "or audit)",
             "governance-app report model-card credit_default:4 -o card.pdf --member 'Ana Lima'"
             "\n  governance-app report validation credit_default:4 -o validation.pdf "
             "--member 'Malik Haddad'"
             "\n  governance-app report audit --model credit_default --from 2026-11-01 "
             "--to 2026-11-30 -o audit.pdf --member 'Ana Lima'")
    p.add_argument("kind", choices=["model-card", "validation", "audit"])
    p.add_argument("ref", nargs="?", metavar="MODEL:VERSION",
                   help="model-card and validation only")
    p.add_argument("--model", metavar="NAME", help="audit: only this registered model")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="audit: first day of the period, YYYY-MM-DD (local, inclusive)")
    p.add_argument("--to", dest="date_to", metavar="DATE",
                   help="audit: last day of the period, YYYY-MM-DD (local, inclusive)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace FILE.pdf if it exists")
    p.add_argument("--member", required=True, metavar="NAME", help="who produces and seals it")
    p.add_argument("--passphrase-file", type=Path, metavar="PATH")
    p.add_argument("--key-file", type=Path, metavar="PATH")
    p.add_argument("--page-size", default=default_page_size(), choices=["A4", "letter"],
                   help="paper (default: Letter where the locale's paper is, else A4; "
                        "now %(default)s)")
    p.add_argument("--json", action="store_true")
    return {"report": Verb(cmd_report)}
