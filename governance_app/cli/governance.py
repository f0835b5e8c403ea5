"""``member``, ``audit`` and ``verify``: board members' keys and the verifiable audit trail.

Passphrases come from ``--passphrase-file``, ``$GOVERNANCE_APP_PASSPHRASE`` or a no-echo
prompt (only when stdin is a terminal: a pipeline must not hang on a hidden prompt).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, time
from pathlib import Path
from typing import Any

from governance_app.cli import seal_keys
from governance_app.cli.output import local_time, print_json, table
from governance_app.domain.audit import Member, VerificationReport
from governance_app.errors import InputError
from governance_app.governance.keys import grouped
from governance_app.services import audit as audit_service
from governance_app.services import members as member_service
from governance_app.services.passphrase import ENV_PASSPHRASE, PassphraseSource
from governance_app.services.workspace import Workspace


def passphrase_source(args: argparse.Namespace) -> PassphraseSource:
    """``--passphrase-file``, then the environment, then ``getpass`` on a terminal."""
    prompt = getpass.getpass if sys.stdin.isatty() else None
    return PassphraseSource(file=getattr(args, "passphrase_file", None), prompt=prompt)


def _need(value: str | None, what: str, expected: str) -> str:
    if not value:
        raise InputError("command line", f"{what} is missing", expected=expected)
    return value


def cmd_member(args: argparse.Namespace, ws: Workspace) -> int:
    if args.action == "list":
        members = member_service.list_members(ws)
        if args.json:
            print_json(members)
        elif not members:
            print("no board members yet: governance-app member add NAME --role ROLE")
        else:
            table(["member", "roles", "email", "fingerprint", "key", "status"],
                  [_member_row(m) for m in members])
        return 0
    name = _need(args.name, "the member's NAME", f"governance-app member {args.action} NAME")
    if args.action in seal_keys.ACTIONS:  # the document (sealing) key: cli/seal_keys.py
        return seal_keys.cmd(args, ws, name, passphrase_source(args))
    if args.action == "add":
        roles = [r for raw in args.role or [] for r in raw.split(",")]
        member = member_service.add_member(ws, name, roles, args.email or "",
                                           passphrase_source(args), args.key_file)
        if args.json:
            print_json(member)
            return 0
        where = "the OS keyring" if member.key_location == "keyring" else member.key_location[5:]
        print(f"added {member.name} ({', '.join(member.roles)}); private key in {where}")
        print(f"  fingerprint: {grouped(member.fingerprint)}")
        return 0
    if args.action == "export-key":
        sys.stdout.write(member_service.export_public_key(ws, name))
        return 0
    reason = _need(args.reason, "--reason", "--reason TEXT saying why the key is revoked")
    member = member_service.revoke_member(ws, name, reason)
    print(f"revoked {member.name}'s key {grouped(member.fingerprint)[:19]}… "
          f"({local_time(member.revoked_at)}): {member.revoked_reason}")
    return 0


def _member_row(m: Member) -> list[str]:
    status = "active" if m.active else f"revoked {local_time(m.revoked_at)}"
    key = "keyring" if m.key_location == "keyring" else "file"
    return [m.name, ", ".join(m.roles), m.email or "—", grouped(m.fingerprint)[:19] + "…",
            key, status]


def parse_since(text: str) -> datetime:
    """``2026-11-25`` (local midnight) or an ISO date-time (local zone unless it names one)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError("--since", f"{text!r} is not a date",
                         expected="YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+zone]") from exc
    if len(text) == 10:
        moment = datetime.combine(moment.date(), time())
    return moment if moment.tzinfo else moment.astimezone()


def cmd_audit(args: argparse.Namespace, ws: Workspace) -> int:
    if args.action == "checkpoint":
        name = _need(args.member, "--member", "--member NAME of the member who signs the head")
        cp = audit_service.checkpoint(ws, name, passphrase_source(args), args.key_file)
        if args.json:
            print_json(cp)
        else:
            print(f"checkpoint {cp.id}: {cp.member} signed the chain head #{cp.seq} {cp.head}")
        return 0
    since = parse_since(args.since) if args.since else None
    events = audit_service.list_events(ws, args.model, since, args.kind or None)
    if args.json:
        print_json(events)
        return 0
    if not events:
        print("no audit events match")
        return 0
    table(["#", "at", "actor", "kind", "subject", "hash"],
          [[str(e.seq), local_time(e.at), e.actor, e.kind, e.subject[:60], e.hash[:12]]
           for e in events], right={0})
    return 0


def cmd_verify(args: argparse.Namespace, ws: Workspace) -> int:
    if args.path is not None:
        from governance_app.cli.reports import verify_pdf_command

        return verify_pdf_command(args.path, ws, getattr(args, "cert", None), args.json)
    report = audit_service.verify_workspace(ws)
    if args.json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: VerificationReport) -> None:
    print(f"chain: {report.events} events, head #{report.head.seq} {report.head.hash}")
    print(f"anchors: {report.checkpoints} checkpoints, {report.signatures} signatures")
    first = report.first_broken
    if first is None:
        print("verified: the chain, every checkpoint and every signature hold")
        return
    print(f"BROKEN: first broken link: {first.describe()}")
    for finding in report.findings:
        if finding is not first:
            print(f"  also: {finding.describe()}")


def _report_json(report: VerificationReport) -> dict[str, Any]:
    first = report.first_broken
    return {
        "ok": report.ok, "events": report.events, "head": report.head.as_dict(),
        "checkpoints": report.checkpoints, "signatures": report.signatures,
        "first_broken": None if first is None else {"seq": first.seq, "text": first.describe()},
        "findings": [{"where": f.where, "seq": f.seq, "record": f.record, "problem": f.problem}
                     for f in report.findings],
    }


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key-file", type=Path, metavar="PATH",
                   help="the member's key file (for add: create it instead of using the OS "
                   "keyring; later: overrides the location the workspace remembers)")
    p.add_argument("--passphrase-file", type=Path, metavar="PATH",
                   help=f"read the passphrase from a file (else ${ENV_PASSPHRASE}, else a "
                   "no-echo prompt)")


def register(verb: Any) -> dict[str, Any]:
    """Add ``member``, ``audit`` and ``verify`` to the parser; return their handlers."""
    from governance_app.cli import Verb

    p = verb("member", "add, list, export the public key of, or revoke board members; their "
             "document key (seal-key [--csr], import-cert)",
             "governance-app member add 'Ana Lima' --role chair --email ana@example.org")
    p.add_argument("action", choices=["add", "list", "export-key", "revoke",
                                      *seal_keys.ACTIONS])
    p.add_argument("name", nargs="?", metavar="NAME")
    seal_keys.add_options(p)
    p.add_argument("--role", action="append", metavar="ROLE",
                   help="role on the board (repeat or comma-separate for several)")
    p.add_argument("--email", metavar="ADDRESS")
    p.add_argument("--reason", metavar="TEXT", help="why the key is revoked (revoke)")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("audit", "list the audit trail, or sign its head (audit checkpoint --member NAME)",
             "governance-app audit --model credit_default --since 2026-11-01")
    p.add_argument("action", nargs="?", choices=["checkpoint"])
    p.add_argument("--model", metavar="NAME", help="only events about this registered model")
    p.add_argument("--since", metavar="DATE", help="only events at or after DATE (local time)")
    p.add_argument("--kind", action="append", metavar="KIND", help="only events of KIND")
    p.add_argument("--member", metavar="NAME", help="who signs the checkpoint")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("verify", "recompute the audit chain and check every checkpoint and signature "
             "(exit 1 naming the first broken link)", "governance-app verify")
    p.add_argument("path", nargs="?", type=Path, metavar="FILE.pdf",
                   help="a signed report to check (arrives with the reports)")
    p.add_argument("--cert", type=Path, metavar="PEM", help="trust this sealing certificate")
    p.add_argument("--json", action="store_true")
    return {"member": Verb(cmd_member), "audit": Verb(cmd_audit), "verify": Verb(cmd_verify)}
