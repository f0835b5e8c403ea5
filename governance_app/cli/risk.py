"""Verbs of model risk: ``tier``, ``finding`` and ``inventory``.

Every change is a signed act by ``--member`` (asks for the passphrase like ``sign``) and prints
the chain head it made (``head #N <20 hex>``) for the minutes. A refusal by the rules (the
finding's owner closing it, a member without a validator role) exits 1; bad input exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from governance_app.cli.output import print_json, print_json_rows, table
from governance_app.cli.reviews import _key_file, _key_options, _required, _source
from governance_app.errors import InputError

FINDING_TYPES = ("validation-issue", "policy-exception", "limitation")


def cmd_tier(args: argparse.Namespace, ws: Any) -> int:
    from governance_app.services import risk  # SQLAlchemy: on use

    member = _required(args.member, "--member")
    if args.action == "assess":
        tier, act = risk.assess_tier(
            ws, args.model, Path(_required(args.answers, "--answers")),
            _required(args.policy, "--policy"), member, _source(args), _key_file(args),
            owner=args.owner or "", use=args.use or "")
    else:
        if args.tier is None:
            raise InputError("command line", "--tier is required", expected="--tier N")
        tier, act = risk.set_tier(ws, args.model, args.tier,
                                  _required(args.rationale, "--rationale"), member,
                                  _source(args), _key_file(args), owner=args.owner or "",
                                  use=args.use or "")
    if args.json:
        print_json({"model": tier.model, "tier": tier.tier, "method": tier.method,
                    "rationale": tier.rationale, "score": tier.score, "owner": tier.owner,
                    "use": tier.use, "head": {"seq": act.seq, "hash": act.head}})
        return 0
    print(f"{tier.model}: tier {tier.tier} ({tier.method}) — {tier.rationale}")
    print(act.head_line)
    return 0


def _finding_json(f: Any) -> dict[str, Any]:
    return {"id": f.id, "model": f.model, "version": f.version, "type": f.type.value,
            "severity": f.severity.value, "title": f.title, "description": f.description,
            "owner": f.owner, "status": f.status.value,
            "due": f.due.isoformat() if f.due else None, "opened_by": f.opened_by,
            "opened_at": f.opened_at, "evidence": list(f.evidence),
            "resolution": f.resolution, "decided_by": f.decided_by,
            "decided_at": f.decided_at,
            "exception_until": f.exception_until.isoformat() if f.exception_until else None,
            "thread": [{"member": c.member, "text": c.text, "at": c.at} for c in f.thread]}


def _finding_id(text: str | None) -> int:
    if not text or not str(text).isdigit():
        raise InputError(str(text), "not a finding id", expected="the number `finding open` "
                         "printed")
    return int(text)


def cmd_finding(args: argparse.Namespace, ws: Any) -> int:
    from governance_app.services import risk  # SQLAlchemy: on use

    if args.action == "list":
        findings = risk.list_findings(ws, args.model, open_only=args.open)
        warn_about_replay(ws)
        if args.json:
            print_json([_finding_json(f) for f in findings])
        elif not findings:
            print("no findings" + (" open" if args.open else ""))
        else:
            table(["#", "model", "severity", "status", "title", "owner", "due"],
                  [[str(f.id), f.ref, f.severity.value, f.status.value, f.title[:50],
                    f.owner or "—", f.due.isoformat() if f.due else "—"] for f in findings],
                  right={0})
        return 0
    member = _required(args.member, "--member")
    source, key_file = _source(args), _key_file(args)
    if args.action == "open":
        finding, act = risk.open_finding(
            ws, _required(args.target, "MODEL[:VERSION]"), type=_required(args.type, "--type"),
            severity=_required(args.severity, "--severity"),
            title=_required(args.title, "--title"), member=member, passphrase=source,
            key_file=key_file, owner=args.owner or "",
            due=risk.parse_day(args.due, "--due") if args.due else None,
            description=args.description or "", evidence=args.evidence or [])
    elif args.action == "comment":
        finding, act = risk.comment_finding(ws, _finding_id(args.target),
                                            _required(args.text, "--text"), member, source,
                                            key_file)
    elif args.action == "close":
        finding, act = risk.close_finding(ws, _finding_id(args.target),
                                          _required(args.resolution, "--resolution"), member,
                                          source, key_file)
    else:
        finding, act = risk.accept_finding(
            ws, _finding_id(args.target), risk.parse_day(_required(args.until, "--until"),
                                                         "--until"),
            _required(args.rationale, "--rationale"), member, source, key_file)
    if args.json:
        print_json(_finding_json(finding) | {"head": {"seq": act.seq, "hash": act.head}})
        return 0
    if args.action == "open":
        print(finding.id)
        print(f"opened finding #{finding.id} ({finding.severity.value}) on {finding.ref}: "
              f"{finding.title}", file=sys.stderr)
    else:
        print(f"finding #{finding.id} on {finding.ref} is {finding.status.value}")
    print(act.head_line, file=sys.stderr if args.action == "open" else sys.stdout)
    return 0


def warn_about_replay(ws: Any) -> None:
    """On stderr: why the saved replay was not reused (a stored event edited before its head,
    a damaged cache), and any act replay refused. What the command shows leaves refused acts
    out; ``verify`` names every problem."""
    from governance_app.services import board

    state = board.state_of(ws)  # this process's replay, reused: no second pass
    if state.cache_note:
        print(f"warning: the chain was replayed from genesis: {state.cache_note}",
              file=sys.stderr)
    if state.breaks:
        first = state.breaks[0]
        print(f"warning: {len(state.breaks)} event(s) of the chain break its rules and were "
              f"left out; the first is #{first.seq} {first.kind}: {first.problem}. Run "
              "`governance-app verify` for the full report.", file=sys.stderr)


def cmd_inventory(args: argparse.Namespace, ws: Any) -> int:
    from governance_app.governance.inventory import inventory_csv
    from governance_app.services import risk  # SQLAlchemy: on use

    as_of = risk.parse_day(args.as_of, "--as-of") if args.as_of else None
    rows = risk.inventory(ws, as_of, overdue_only=args.overdue)
    warn_about_replay(ws)
    if args.csv:
        text = inventory_csv(rows)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            Path(args.csv).write_text(text, encoding="utf-8")
            print(f"wrote {args.csv}: {len(rows)} models")
        return 0
    if args.json:
        print_json_rows([r.as_dict() for r in rows])
        return 0
    if not rows:
        print("no models" + (" overdue" if args.overdue else "") +
              ("" if args.overdue else ": import a registry first"))
        return 0
    table(["model", "tier", "owner", "approved", "last validated", "next due", "findings h/m/l",
           "conditions", "status"],
          [[r.model, "—" if r.tier is None else str(r.tier), r.owner or "—",
            f"v{r.approved_version} {r.approved_gate}" if r.approved_version else "—",
            r.last_validated.isoformat() if r.last_validated else "—",
            r.next_due.isoformat() if r.next_due else "—",
            "/".join(str(r.open_findings.get(s, 0)) for s in ("high", "medium", "low")),
            str(r.active_conditions), _status(r)] for r in rows], right={1, 7})
    for r in rows:
        for lapse in r.lapses:
            print(f"  {r.model}: approval lapsed — {lapse}")
    return 0


def _status(row: Any) -> str:
    if row.lapses:
        return "LAPSED"
    if row.overdue:
        return "OVERDUE"
    return "due soon" if row.expiring else "ok"


def register(verb: Any) -> dict[str, Any]:
    """Add ``tier``, ``finding`` and ``inventory`` to the parser; return their handlers."""
    from governance_app.cli import Verb

    p = verb("tier", "assign a model's risk tier: from a scorecard (assess) or set with a "
             "rationale; both are signed acts",
             "governance-app tier assess credit_default --answers answers.yaml "
             "--policy sr26-2-tiering --member 'Malik Osei'")
    p.add_argument("action", choices=["assess", "set"])
    p.add_argument("model", metavar="MODEL")
    p.add_argument("--answers", metavar="ANSWERS.yaml", help="assess: question id → answer")
    p.add_argument("--policy", metavar="NAME", help="assess: the adopted risk policy")
    p.add_argument("--tier", type=int, metavar="N", help="set: the tier (1 = most material)")
    p.add_argument("--rationale", metavar="TEXT", help="set: why")
    p.add_argument("--owner", metavar="NAME", help="who answers for the model")
    p.add_argument("--use", metavar="TEXT", help="what the model is used for")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("finding", "open, comment, close, accept (as an exception) or list findings",
             "governance-app finding open credit_default:4 --type validation-issue "
             "--severity high --title 'Leakage' --member 'Malik Osei'")
    p.add_argument("action", choices=["open", "comment", "close", "accept", "list"])
    p.add_argument("target", nargs="?", metavar="MODEL[:VERSION]|ID")
    p.add_argument("--type", choices=FINDING_TYPES)
    p.add_argument("--severity", choices=["low", "medium", "high"])
    p.add_argument("--title", metavar="TEXT")
    p.add_argument("--description", metavar="TEXT")
    p.add_argument("--owner", metavar="NAME", help="who must remediate (never closes it)")
    p.add_argument("--due", metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--evidence", action="append", metavar="LINK",
                   help="what it cites, e.g. fairness:credit_default:4 (repeatable)")
    p.add_argument("--text", metavar="TEXT", help="comment: the message")
    p.add_argument("--resolution", metavar="TEXT", help="close: how it was resolved")
    p.add_argument("--until", metavar="DATE", help="accept: the exception's expiry")
    p.add_argument("--rationale", metavar="TEXT", help="accept: why the exception")
    p.add_argument("--model", metavar="NAME", help="list: only this model")
    p.add_argument("--open", action="store_true", help="list: only open findings")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("inventory", "every model with tier, decisions, due dates, findings and lapses "
             "(overdue first)", "governance-app inventory --as-of 2026-12-31 --overdue")
    p.add_argument("--as-of", metavar="DATE", help="what was due on that date (YYYY-MM-DD)")
    p.add_argument("--overdue", action="store_true", help="only overdue or lapsed models")
    p.add_argument("--csv", metavar="FILE", help="write CSV (- for standard output)")
    p.add_argument("--json", action="store_true")
    return {"tier": Verb(cmd_tier), "finding": Verb(cmd_finding),
            "inventory": Verb(cmd_inventory)}
