"""``board init|root|adopt``: found a board, export its root file, adopt an existing history.

``board init NAME`` makes NAME's key pair and signs root v1 with it (NAME is the first chair);
``board root -o FILE`` writes the whole signed root history, the file an offline verifier is
given and the board keeps outside the workspace.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.cli.output import print_json
from governance_app.errors import InputError
from governance_app.governance.fingerprints import grouped

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace


def cmd_board(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.cli.governance import passphrase_source
    from governance_app.services import board  # SQLAlchemy, keys: on use

    if args.action == "init":
        if not args.name:
            raise InputError("command line", "the founding chair's NAME is missing",
                             expected="governance-app board init NAME")
        result = board.found(ws, args.name, passphrase_source(args), email=args.email or "",
                             key_file=args.key_file)
        state = board.state_of(ws)
        founder = state.members[args.name.strip()]
        if args.json:
            print_json({"board": state.board, "root": {"version": 1, "digest": state.board},
                        "chair": founder.name, "fingerprint": founder.fingerprint,
                        "head": {"seq": result.seq, "hash": result.head}})
            return 0
        print(f"founded board {state.board} with {founder.name} as chair")
        print(f"  {founder.name}'s fingerprint: {grouped(founder.fingerprint)}")
        print("  keep the root file outside the workspace: governance-app board root -o FILE")
        print(result.head_line)
        return 0
    if args.action == "root":
        if args.output is None:
            raise InputError("command line", "no output file",
                             expected="governance-app board root -o board-root.json")
        doc = board.export_root(ws)
        _write(args.output, json.dumps(doc, indent=2) + "\n")
        print(f"wrote {args.output}: board {doc['board'][:16]}…, root "
              f"v{len(doc['versions'])}")
        return 0
    if not args.member:
        raise InputError("command line", "--member is missing",
                         expected="governance-app board adopt --member CHAIR")
    from governance_app.services.board_adopt import adopt

    adoption = adopt(ws, args.member, passphrase_source(args), args.key_file)
    if args.json:
        print_json({"board": board.state_of(ws).board, "legacy_events": adoption.legacy_events,
                    "problems": list(adoption.problems),
                    "to_confirm": [{"name": n, "roles": r, "fingerprint": f}
                                   for n, r, f in adoption.to_confirm],
                    "head": {"seq": adoption.result.seq, "hash": adoption.result.head}})
        return 0
    print(f"adopted {adoption.legacy_events} governance event(s) as legacy history; "
          f"{args.member} founds the board as its first chair")
    for problem in adoption.problems:
        print(f"  does not hold: {problem}")
    if not adoption.problems:
        print("  the legacy history holds by the rules it was made under")
    for name, roles, fp in adoption.to_confirm:
        print(f"  to re-admit: {name} ({roles}), key {grouped(fp)}: they run `member add`, "
              "a chair confirms the fingerprint and runs `member admit`")
    print(adoption.result.head_line)
    return 0


def _write(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        raise InputError(path, f"cannot write ({exc.strerror})") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def register(verb: Any) -> dict[str, Any]:
    """Add ``board`` to the parser; return its handler."""
    from governance_app.cli import Verb
    from governance_app.services.passphrase import ENV_PASSPHRASE

    p = verb("board", "found a board (init NAME), export its root file (root -o FILE), or "
             "take over an existing history (adopt --member CHAIR)",
             "governance-app board init 'Ana Lima' --key-file ana.key\n"
             "  governance-app board root -o board-root.json")
    p.add_argument("action", choices=["init", "root", "adopt"])
    p.add_argument("name", nargs="?", metavar="NAME", help="init: the founding chair")
    p.add_argument("--email", metavar="ADDRESS")
    p.add_argument("--member", metavar="CHAIR", help="adopt: the chair who signs")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="root: the root file")
    p.add_argument("--key-file", type=Path, metavar="PATH",
                   help="the acting member's key file (init: create it)")
    p.add_argument("--passphrase-file", type=Path, metavar="PATH",
                   help=f"read the passphrase from a file (else ${ENV_PASSPHRASE}, else a "
                   "no-echo prompt)")
    p.add_argument("--json", action="store_true")
    return {"board": Verb(cmd_board)}
