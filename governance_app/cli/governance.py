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
from typing import TYPE_CHECKING, Any

from governance_app.cli import seal_keys
from governance_app.cli.output import local_time, print_json, table
from governance_app.domain.audit import Member
from governance_app.errors import InputError
from governance_app.governance.fingerprints import grouped
from governance_app.services.passphrase import ENV_PASSPHRASE, PassphraseSource

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
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
    from governance_app.services import board  # SQLAlchemy, keys: on use

    if args.action == "list":
        members = board.members(ws)
        if args.json:
            print_json(members)
        elif not members:
            print("no board members yet: governance-app board init NAME")
        else:
            table(["member", "roles", "email", "fingerprint", "key", "status"],
                  [_member_row(m) for m in members])
        return 0
    name = _need(args.name, "the member's NAME", f"governance-app member {args.action} NAME")
    if args.action in seal_keys.ACTIONS:  # the document (sealing) key: cli/seal_keys.py
        return seal_keys.cmd(args, ws, name, passphrase_source(args))
    if args.action == "add":
        roles = [r for raw in args.role or [] for r in raw.split(",")]
        result = board.request_membership(ws, name, roles, passphrase_source(args),
                                          email=args.email or "", key_file=args.key_file)
        fp = result.detail["fingerprint"]
        if args.json:
            print_json({"member": name, "purpose": result.detail["purpose"], "fingerprint": fp,
                        "head": {"seq": result.seq, "hash": result.head}})
            return 0
        verb = "admit" if result.detail["purpose"] == "admit" else "rekey"
        print(f"{name}'s new key: {grouped(fp)}")
        print(f"  a chair confirms this fingerprint with {name} (read aloud), then runs:")
        print(f"  governance-app member {verb} '{name}' --fingerprint {fp} --member CHAIR")
        print(result.head_line)
        return 0
    if args.action == "export-key":
        state = board.state_of(ws)
        found = state.members.get(name)
        pending = state.requests.get(name)
        if found is None and pending is None:
            board.member(ws, name, state)  # raises NotFoundError naming the members
        pem, fp = ((found.public_key, found.fingerprint) if found is not None
                   else (pending[0]["public_key"], pending[0]["fingerprint"]))
        sys.stdout.write(pem)
        print(f"# fingerprint {grouped(fp)}", file=sys.stderr)
        return 0
    chair = _need(args.member, "--member", f"--member CHAIR who signs the {args.action}")
    if args.action == "revoke":
        reason = _need(args.reason, "--reason", "--reason TEXT saying why the key is revoked")
        result = board.revoke(ws, name, reason, chair, passphrase_source(args), args.key_file)
        print(f"revoked {name}'s key ({reason}); root v{result.detail['root_version']}")
    else:
        fingerprint = _need(args.fingerprint, "--fingerprint",
                            "--fingerprint FP as the member read it from their machine")
        act = board.admit if args.action == "admit" else board.rekey
        result = act(ws, name, fingerprint, chair, passphrase_source(args), args.key_file)
        print(f"{'admitted' if args.action == 'admit' else 're-keyed'} {name}; root "
              f"v{result.detail['root_version']} {result.detail['root_digest'][:16]}…")
    print(result.head_line)
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
    from governance_app.services import audit as audit_service  # SQLAlchemy: on use

    if args.action == "checkpoint":
        name = _need(args.member, "--member", "--member NAME of the member who signs the head")
        cp, act = audit_service.checkpoint(ws, name, passphrase_source(args), args.key_file,
                                           args.output)
        if args.json:
            print_json({**_checkpoint_json(cp), "file": str(args.output) if args.output
                        else None})
        else:
            print(f"checkpoint {cp.id}: {cp.member} signed the chain head #{cp.seq} {cp.head}")
            if args.output:
                print(f"  wrote {args.output}: keep it outside the workspace (a witness)")
            print(act.head_line)
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


def _checkpoint_json(cp: Any) -> dict[str, Any]:
    return {"id": cp.id, "seq": cp.seq, "head": cp.head, "member": cp.member,
            "fingerprint": cp.fingerprint, "at": cp.at}


def cmd_verify(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.services import audit as audit_service  # SQLAlchemy: on use

    if args.path is not None:
        from governance_app.cli.verify_document import verify_pdf_command

        return verify_pdf_command(args.path, args.db, args.cert, args.root, args.json)
    from governance_app.services.workspace import Workspace as Opened

    as_of = None
    if getattr(args, "as_of", None):
        from governance_app.services.risk import parse_day

        as_of = parse_day(args.as_of, "--as-of")
    with Opened.open(args.db) as workspace:
        result = audit_service.verify_board(workspace, args.root, args.witness or (),
                                            as_of=as_of)
    if args.json:
        print_json(_report_json(result))
    else:
        _print_report(result)
    return 0 if result.ok else 1


def _print_report(result: Any) -> None:
    report = result.chain
    print(f"chain: {report.events} events, head #{report.head.seq} {report.head.hash}")
    if result.board is None:
        print("board: none founded (governance events are legacy, judged by no root)")
    else:
        root = result.root
        print(f"board {result.board[:16]}…, root v{root.version} {root.digest[:16]}…; "
              f"{report.signatures} signatures, {report.checkpoints} checkpoints replayed"
              + (f"; {result.legacy} legacy events before the board" if result.legacy else ""))
    print(f"anchored by: {result.anchored_by}")
    if result.anchored_by.startswith("the workspace alone"):
        print("  trust is anchored only by the workspace itself: pass --root ROOT.json (and "
              "--witness) to verify against records kept outside it")
    shown = [(w, h) for w, h in result.witnesses if not h or not w.source.startswith("receipt")]
    receipts = [(w, h) for w, h in result.witnesses if w.source.startswith("receipt") and h]
    if receipts:
        print(f"  this machine's {len(receipts)} receipt(s) held, newest #{receipts[-1][0].seq}")
    for w, held in shown:
        print(f"  witness {'held' if held else 'NOT IN THE CHAIN'}: #{w.seq} {w.head[:20]} "
              f"({w.source})")
    if result.lapses:
        print(f"lapsed approvals ({len(result.lapses)}; the chain records them, they no longer "
              "stand — reported, not a verification failure):")
        for lapse in result.lapses:
            print(f"  LAPSED: {lapse.describe()}")
    if result.ok:
        print("verified: the chain, every signed act and every table row hold")
        return
    for finding in report.findings:
        print(f"BROKEN: {finding.describe()}")
    for problem in result.root_problems:
        print(f"ROOT: {problem}")
    for b in result.breaks:
        print(f"BREAK: event #{b.seq} ({b.kind}): {b.problem}")
    for m in result.mismatches:
        print(f"MISMATCH: {m.table} row {m.row}, {m.field}: {m.problem}")
    print("NOT VERIFIED")


def _report_json(result: Any) -> dict[str, Any]:
    report = result.chain
    root = result.root
    return {
        "ok": result.ok, "events": report.events, "head": report.head.as_dict(),
        "board": result.board, "anchored_by": result.anchored_by,
        "root": None if root is None else {"version": root.version, "digest": root.digest},
        "root_problems": list(result.root_problems),
        "witnesses": [w.as_dict(held) for w, held in result.witnesses],
        "breaks": [b.as_dict() for b in result.breaks],
        "mismatches": [m.as_dict() for m in result.mismatches],
        "legacy": result.legacy,
        "lapses": [lapse.as_dict() for lapse in result.lapses],
        "checkpoints": report.checkpoints, "signatures": report.signatures,
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

    p = verb("member", "request membership (add), admit, revoke, rekey, list board members or "
             "export a key; their document key (seal-key [--csr], import-cert)",
             "governance-app member add 'Bo Chen' --role risk --key-file bo.key\n"
             "  governance-app member admit 'Bo Chen' --fingerprint FP --member 'Ana Lima'")
    p.add_argument("action", choices=["add", "admit", "list", "export-key", "revoke", "rekey",
                                      *seal_keys.ACTIONS])
    p.add_argument("name", nargs="?", metavar="NAME")
    seal_keys.add_options(p)
    p.add_argument("--role", action="append", metavar="ROLE",
                   help="role on the board (repeat or comma-separate for several)")
    p.add_argument("--email", metavar="ADDRESS")
    p.add_argument("--reason", metavar="TEXT", help="why the key is revoked (revoke)")
    p.add_argument("--fingerprint", metavar="FP",
                   help="admit/rekey: the new key's fingerprint, confirmed out of band")
    p.add_argument("--member", metavar="CHAIR", help="admit/revoke/rekey: the chair who signs")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("audit", "list the audit trail, or sign its head (audit checkpoint --member NAME)",
             "governance-app audit --model credit_default --since 2026-11-01")
    p.add_argument("action", nargs="?", choices=["checkpoint"])
    p.add_argument("--model", metavar="NAME", help="only events about this registered model")
    p.add_argument("--since", metavar="DATE", help="only events at or after DATE (local time)")
    p.add_argument("--kind", action="append", metavar="KIND", help="only events of KIND")
    p.add_argument("--member", metavar="NAME", help="who signs the checkpoint")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="checkpoint: also write the signed checkpoint to FILE (a witness)")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("verify", "replay the audit chain and check every signed act and table row, "
             "against a root file and witnesses (exit 1 naming each break); or check a PDF",
             "governance-app verify --root board-root.json --witness checkpoint.json\n"
             "  governance-app verify report.pdf --root board-root.json")
    p.add_argument("path", nargs="?", type=Path, metavar="FILE.pdf",
                   help="a sealed report to check offline")
    p.add_argument("--root", type=Path, metavar="ROOT.json",
                   help="the board's root file, kept outside the workspace")
    p.add_argument("--witness", action="append", metavar="FILE|N:HEX",
                   help="a checkpoint file, a sealed PDF, or N:HEX from the minutes "
                   "(repeatable): the chain must hold that head")
    p.add_argument("--cert", type=Path, metavar="PEM",
                   help="FILE.pdf: trust this organisation-issued sealing certificate")
    p.add_argument("--as-of", metavar="DATE",
                   help="the day approvals' lapses are judged on (default: today, UTC); "
                   "lapses are listed, not verification failures")
    p.add_argument("--json", action="store_true")
    return {"member": Verb(cmd_member), "audit": Verb(cmd_audit),
            "verify": Verb(cmd_verify, needs_workspace=False)}
