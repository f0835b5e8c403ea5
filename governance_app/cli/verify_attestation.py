"""``verify-attestation FILE``: check a promotion attestation offline, against a board root.

With ``--root ROOT.json`` the keys, the roles and the quorum come from the board's root (the
policy the statement names, as the newest root in the file defines it); only active members'
keys count, each once. With ``--public-key PEM… --threshold N`` the caller states both (a
threshold is never guessed). A workspace is opened only with ``--db`` and never created.
``--subject-sha256`` and ``--gate`` check what the attestation is about. An attestation that
carries its approval's terms (format version 2) is refused once the approval has expired or a
condition's day has passed unmet, as of today or ``--at DATE``; ``--require-terms`` also
refuses one that carries none (version 1, written before terms existed). This module stays
light (no SQLAlchemy, no pandas) so the check starts fast.
"""

from __future__ import annotations

import argparse
import base64
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from governance_app.errors import CheckFailed, InputError
from governance_app.governance import attestation_terms
from governance_app.governance.attestation import public_keys_from_pems, verify_attestation
from governance_app.governance.keys import KeyFormatError
from governance_app.governance.root import Root, read_root_file
from governance_app.importers.safe_io import parse_json, read_text

MAX_FILE = 16 * 1024 * 1024


def run(args: argparse.Namespace) -> int:
    """The verb's body; exit 0 when everything holds (CheckFailed → 1, InputError → 2)."""
    path = Path(args.file)
    if args.public_key and args.threshold is None:
        raise InputError("command line", "--public-key needs --threshold N",
                         expected="how many distinct keys must have signed")
    document = parse_json(path, read_text(path, limit=MAX_FILE))
    if not isinstance(document, dict):
        raise InputError(path, "not a DSSE envelope", expected="a JSON object")
    statement = _statement(document, str(path))
    roles_needed: dict[str, int] = {}
    roles_of: dict[str, tuple[str, ...]] = {}
    if args.root is not None and args.public_key:
        raise InputError("command line", "--root and --public-key both given",
                         expected="one source of keys")
    if args.root is not None:
        _, roots = read_root_file(str(args.root), read_text(Path(args.root), limit=MAX_FILE))
        keys, threshold, roles_needed, roles_of = _from_root(roots[-1], statement, str(path))
    elif args.public_key:
        if args.threshold is None:
            raise InputError("command line", "--public-key needs --threshold N",
                             expected="how many distinct keys must have signed")
        pems = [read_text(Path(p), limit=64 * 1024) for p in args.public_key]
        try:
            keys = public_keys_from_pems(pems)
        except KeyFormatError as exc:
            raise InputError("--public-key", str(exc), expected="an Ed25519 PEM") from exc
        threshold = args.threshold
    elif args.db:
        keys, threshold = _from_workspace(args.db, statement)
    else:
        raise InputError("command line", "no keys to check the attestation with",
                         expected="--root ROOT.json, or --public-key PEM... --threshold N, "
                         "or --db URL")
    if args.threshold is not None and args.root is not None:
        threshold = max(threshold, args.threshold)
    result = verify_attestation(document, keys, threshold, source=str(path))
    at = _at(args)
    terms = attestation_terms.read(document, statement, keys, result.verified_keyids,
                                   str(path))
    if terms is None and getattr(args, "require_terms", False):
        raise CheckFailed(f"{path}: a version 1 attestation: it carries no approval terms, "
                          "and --require-terms asks for them (attest it again)")
    attestation_terms.check(terms, at, str(path))
    for role, need in sorted(roles_needed.items()):
        have = sum(1 for k in result.verified_keyids if role in roles_of.get(k, ()))
        if have < need:
            raise CheckFailed(f"{path}: {have} valid signature(s) by a {role}, {need} required "
                              "by the policy")
    _check_subject(statement, args, str(path))
    print(f"{path}: OK — {result.subject} approved for gate "
          f"{statement['predicate'].get('gate')}; {len(result.verified_keyids)} of "
          f"{threshold} required signature(s) verified"
          + (f" against board root v{roots[-1].version}" if args.root is not None else ""))
    if terms is not None:
        print(f"terms as of {at.isoformat()}: {terms.describe()}")
    return 0


def _at(args: argparse.Namespace) -> date:
    """The day the approval must still stand on: ``--at DATE``, else today (UTC)."""
    text = getattr(args, "at", None)
    if not text:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError("--at", f"{text!r} is not a date", expected="YYYY-MM-DD") from exc


def _statement(document: dict[str, Any], source: str) -> dict[str, Any]:
    try:
        statement = json.loads(base64.b64decode(str(document.get("payload", ""))))
        if not isinstance(statement.get("predicate"), dict):
            raise TypeError("predicate")
        return dict(statement)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(source, f"the payload is not an approval statement ({exc})",
                         location="payload", expected="an in-toto Statement v1") from exc


def _from_root(root: Root, statement: dict[str, Any], source: str
               ) -> tuple[dict[str, str], int, dict[str, int], dict[str, tuple[str, ...]]]:
    predicate = statement["predicate"]
    if predicate.get("board") != root.board:
        raise CheckFailed(f"{source}: the attestation names board "
                          f"{str(predicate.get('board'))[:16]}…, not the root file's "
                          f"{root.board[:16]}…")
    policy = predicate.get("policy") or {}
    entry = root.policies.get(str(policy.get("name")))
    digest = (policy.get("digest") or {}).get("sha256")
    if entry is None or entry["digest"] != digest:
        raise CheckFailed(f"{source}: policy {policy.get('name')} {str(digest)[:12]}… is not "
                          f"the active policy in root v{root.version}")
    keys = {m.fingerprint: m.public_key for m in root.members if m.active}
    roles_of = {m.fingerprint: m.roles for m in root.members if m.active}
    quorum = entry["quorum"]
    return keys, int(quorum["approvals"]), dict(quorum.get("roles", {})), roles_of


def _from_workspace(url: str, statement: dict[str, Any]) -> tuple[dict[str, str], int]:
    from governance_app.services import reviews as service
    from governance_app.services.workspace import Workspace

    with Workspace.open(url) as ws:
        keys = service.workspace_public_keys(ws)
        try:
            review_id = int(statement["predicate"]["review_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError("attestation", "cannot tell which review it attests",
                             expected="--threshold N") from exc
        return keys, service.get_review(ws, review_id).policy.quorum.approvals


def _check_subject(statement: dict[str, Any], args: argparse.Namespace, source: str) -> None:
    subject = (statement.get("subject") or [{}])[0]
    if args.subject_sha256 is not None:
        found = (subject.get("digest") or {}).get("sha256")
        if found != args.subject_sha256.lower():
            raise CheckFailed(f"{source}: attests subject sha256 {found}, not "
                              f"{args.subject_sha256}")
    if args.gate is not None and statement["predicate"].get("gate") != args.gate:
        raise CheckFailed(f"{source}: attests gate {statement['predicate'].get('gate')!r}, "
                          f"not {args.gate!r}")
