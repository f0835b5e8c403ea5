"""Verbs of the review board: ``policy``, ``review``, ``sign``, ``attest``, ``verify-attestation``.

Refusals exit 1 with the reason in words; bad input exits 2. Signatures are shown as their
manifestation: printed name, role, date and time with the zone, and meaning.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.cli.output import local_time, print_json, table
from governance_app.domain.governance import Review
from governance_app.errors import InputError
from governance_app.services.passphrase import ENV_PASSPHRASE, PassphraseSource

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace


def _source(args: argparse.Namespace) -> PassphraseSource:
    """``--passphrase-file``, else ``$GOVERNANCE_APP_PASSPHRASE``, else a prompt without echo
    on a terminal (asked every time: a signature needs what the member knows)."""
    prompt = getpass.getpass if sys.stdin.isatty() else None
    return PassphraseSource(file=getattr(args, "passphrase_file", None), prompt=prompt)


def _key_file(args: argparse.Namespace) -> Path | None:
    return Path(args.key_file) if getattr(args, "key_file", None) else None


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--member", metavar="NAME", help="the acting member (who signs)")
    p.add_argument("--key-file", metavar="PATH", help="the acting member's key file")
    p.add_argument("--passphrase-file", metavar="PATH",
                   help=f"read the passphrase from a file (else ${ENV_PASSPHRASE}, else a prompt)")


def _review_json(review: Review) -> dict[str, Any]:
    progress = review.progress()
    return {
        "id": review.id,
        "model": review.model,
        "version": review.version,
        "policy": review.policy.name,
        "policy_digest": review.policy.digest,
        "gate": review.policy.gate,
        "state": review.state.value,
        "opened_by": review.opened_by,
        "opened_at": review.opened_at,
        "closed_at": review.closed_at,
        "reason": review.close_reason,
        "evidence_sha256": review.evidence_digest,
        "checks": review.checks,
        "quorum": {"approvals": progress.approvals, "required": progress.required,
                   "roles": {r: {"have": h, "need": n} for r, (h, n) in progress.roles.items()},
                   "met": progress.met},
        "signatures": [
            {"member": s.member, "roles": list(s.roles), "fingerprint": s.fingerprint,
             "decision": s.decision.value, "meaning": s.meaning, "comment": s.comment,
             "signed_at": s.signed_at, "chain_head": s.chain_head,
             "manifestation": s.manifestation()}
            for s in review.signatures
        ],
    }


def _print_review(review: Review) -> None:
    print(f"review #{review.id}  {review.ref}  policy {review.policy.name} → gate "
          f"{review.policy.gate}  state: {review.state.value}")
    print(f"  opened {local_time(review.opened_at)} by {review.opened_by}"
          + (f"; closed {local_time(review.closed_at)}: {review.close_reason}"
             if review.closed_at else ""))
    print(f"  evidence sha256 {review.evidence_digest}")
    table(["check", "value", "result", "blocking", "detail"], [
        [c["label"], _value(c["value"]), c["result"].upper(),
         "yes" if c["check"].get("blocking", True) else "no", c["detail"]]
        for c in review.checks
    ])
    print(f"  quorum: {review.progress().describe()}")
    if not review.signatures:
        print("  no signatures yet")
    for s in review.signatures:
        print(f"  signed: {s.manifestation()}")
        if s.comment:
            print(f"          “{s.comment}”")


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def cmd_policy(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import reviews as service  # SQLAlchemy: on use

    if args.action == "add":
        if not args.file:
            raise InputError("policy add", "no policy file given", expected="policy add FILE")
        from governance_app.governance.policy import read_policy
        from governance_app.governance.risk_policy import read_risk_policy
        from governance_app.services import board, risk

        # The file is judged before anyone is asked to sign it: a mistake names its line.
        is_risk = risk.is_risk_policy_file(Path(args.file))
        (read_risk_policy if is_risk else read_policy)(Path(args.file))
        member = _required(args.member, "--member")
        if is_risk:
            name, digest, act = risk.adopt_risk_policy(ws, Path(args.file), member,
                                                       _source(args), _key_file(args))
            print(f"risk policy {name} adopted (sha256 {digest[:12]}…)")
            print(act.head_line)
            return 0
        policy, version, act = board.add_policy(ws, Path(args.file), member,
                                                _source(args), _key_file(args))
        print(f"policy {policy.name} v{version} (gate {policy.gate}, {len(policy.checks)} checks,"
              f" sha256 {policy.digest[:12]}…)"
              + (f"; active in root v{act.detail['root_version']}" if act else
                 "; already the active version, nothing signed"))
        if act is not None:
            print(act.head_line)
        return 0
    policies = service.list_policies(ws)
    if args.json:
        print_json([p.as_dict() | {"version": v, "digest": p.digest} for p, v in policies])
        return 0
    table(["policy", "version", "gate", "checks", "quorum", "sha256"], [
        [p.name, str(v), p.gate, str(len(p.checks)),
         f"{p.quorum.approvals}" + "".join(f", {r} {n}" for r, n in p.quorum.roles.items()),
         p.digest[:12]]
        for p, v in policies
    ], right={1, 3})
    return 0


def cmd_review(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import reviews as service  # SQLAlchemy: on use

    if args.action == "open":
        review, act = service.open_review(
            ws, _arg(args, "target", "review open MODEL:VERSION"),
            _required(args.policy, "--policy"), _required(args.member, "--member"),
            _source(args), _key_file(args), supersede=args.supersede, reason=args.reason or "")
        if args.json:
            print_json(_review_json(review) | {"head": {"seq": act.seq, "hash": act.head}})
            return 0
        print(review.id)
        print(act.head_line, file=sys.stderr)
        blocking = review.evidence.get("blocking_failures", [])
        print(f"opened review #{review.id} of {review.ref} under {review.policy.name}; "
              f"evidence sha256 {review.evidence_digest[:12]}…", file=sys.stderr)
        if blocking:
            print("  blocking checks not passed: " + "; ".join(blocking), file=sys.stderr)
        return 0
    if args.action == "grants":
        grants = service.gate_grants(ws)
        if args.json:
            print_json(grants)
            return 0
        table(["model", "version", "gate", "review", "event", "granted"],
              [[g["model"], str(g["version"]), g["gate"], f"#{g['review_id']}",
                f"#{g['seq']}", local_time(g["granted_at"])] for g in grants], right={1})
        return 0
    if args.action == "list":
        reviews = service.list_reviews(ws, args.state)
        if args.json:
            print_json([_review_json(r) for r in reviews])
            return 0
        table(["#", "version", "policy", "state", "quorum", "opened"], [
            [str(r.id), r.ref, r.policy.name, r.state.value, r.progress().describe(),
             local_time(r.opened_at)]
            for r in reviews
        ], right={0})
        return 0
    review_id = _review_id(_arg(args, "target", f"review {args.action} ID"))
    if args.action == "show":
        review = service.get_review(ws, review_id)
    else:
        review, act = service.withdraw_review(
            ws, review_id, _required(args.reason, "--reason"),
            _required(args.member, "--member"), _source(args), _key_file(args))
        if not args.json:
            print(act.head_line)
    if args.json:
        print_json(_review_json(review))
    else:
        _print_review(review)
    return 0


def cmd_sign(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import reviews as service  # SQLAlchemy: on use

    review, signature, act, _ = service.sign_with_terms(
        ws, _review_id(args.review_id), args.member, args.decision, _source(args),
        comment=args.comment or "", key_file=_key_file(args),
        conditions=args.condition or [], expires=args.expires)
    if args.json:
        print_json(_review_json(review) | {"head": {"seq": act.seq, "hash": act.head}})
        return 0
    print(f"signed: {signature.manifestation()}")
    print(act.head_line)
    print(f"review #{review.id} is {review.state.value}; quorum {review.progress().describe()}")
    return 0


def cmd_attest(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import reviews as service  # SQLAlchemy: on use

    envelope = service.attestation_envelope(ws, _review_id(args.review_id))
    text = json.dumps(envelope, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: DSSE envelope with {len(envelope['signatures'])} "
              "signature(s)")
    return 0


def cmd_verify_attestation(args: argparse.Namespace, ws: Workspace | None) -> int:
    from governance_app.cli.verify_attestation import run  # light: no SQLAlchemy unless --db

    return run(args)


def _arg(args: argparse.Namespace, name: str, usage: str) -> str:
    value = getattr(args, name)
    if not value:
        raise InputError("command line", "missing argument", expected=usage)
    return str(value)


def _required(value: str | None, flag: str) -> str:
    if not value:
        raise InputError("command line", f"{flag} is required", expected=f"{flag} VALUE")
    return value


def _review_id(text: str) -> int:
    if not str(text).isdigit():
        raise InputError(str(text), "not a review id", expected="the number `review open` printed")
    return int(text)


def register(verb: Any) -> dict[str, Any]:
    """Add the verbs to the parser; return their handlers."""
    from governance_app.cli import Verb

    p = verb("policy", "add or list gate policies", "governance-app policy add production.yaml")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("file", nargs="?", metavar="FILE")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("review", "open, show, list or withdraw promotion reviews; the gates they "
             "granted (grants)",
             "governance-app review open credit_default:4 --policy production-promotion")
    p.add_argument("action", choices=["open", "show", "list", "withdraw", "grants"])
    p.add_argument("target", nargs="?", metavar="MODEL:VERSION|ID")
    p.add_argument("--policy", metavar="NAME")
    p.add_argument("--state", choices=["open", "approved", "rejected", "withdrawn"])
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--supersede", action="store_true",
                   help="open: withdraw the open review of that version and gate (with --reason)")
    _key_options(p)
    p.add_argument("--json", action="store_true")
    p = verb("sign", "sign a review as a board member (asks for the passphrase)",
             "governance-app sign 3 --member 'Ana Lima' --decision approve")
    p.add_argument("review_id", metavar="REVIEW_ID")
    p.add_argument("--member", required=True, metavar="NAME")
    p.add_argument("--decision", required=True, choices=["approve", "reject"])
    p.add_argument("--comment", metavar="TEXT")
    p.add_argument("--condition", action="append", metavar="finding:ID[@DATE]",
                   help="approve on condition that the finding is closed by its due date "
                   "(or DATE); repeatable")
    p.add_argument("--expires", metavar="DATE", help="the approval lapses after DATE")
    p.add_argument("--key-file", metavar="PATH", help="the member's key file (overrides the "
                   "location the workspace remembers)")
    p.add_argument("--passphrase-file", metavar="PATH",
                   help=f"read the passphrase from a file (else ${ENV_PASSPHRASE}, else a prompt)")
    p.add_argument("--json", action="store_true")
    p = verb("attest", "write the DSSE promotion attestation of an approved review",
             "governance-app attest 3 -o credit_default-4.dsse.json")
    p.add_argument("review_id", metavar="REVIEW_ID")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p = verb("verify-attestation", "check a promotion attestation's signatures and statement",
             "governance-app verify-attestation att.json --public-key ana.pem --public-key "
             "bo.pem --threshold 2")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--root", type=Path, metavar="ROOT.json",
                   help="the board's root file: keys, roles and quorum come from it")
    p.add_argument("--public-key", action="append", metavar="PEM")
    p.add_argument("--threshold", type=int, metavar="N",
                   help="required with --public-key: how many distinct keys must have signed")
    p.add_argument("--subject-sha256", metavar="HEX", help="fail unless it attests this digest")
    p.add_argument("--gate", metavar="NAME", help="fail unless it attests this gate")
    p.add_argument("--at", metavar="DATE",
                   help="the day the approval must still stand on (default: today, UTC): an "
                   "expired approval or a condition unmet by its day is refused")
    p.add_argument("--require-terms", action="store_true",
                   help="refuse an attestation that carries no approval terms (version 1)")
    return {
        "policy": Verb(cmd_policy),
        "review": Verb(cmd_review),
        "sign": Verb(cmd_sign),
        "attest": Verb(cmd_attest),
        # Reads the workspace only when no --public-key is given (then it opens it itself).
        "verify-attestation": Verb(cmd_verify_attestation, needs_workspace=False),
    }
