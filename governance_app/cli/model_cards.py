"""``card show`` and ``card set``: the model card text of a version, read and written.

Imported cards come in through ``import CARD --model NAME:VERSION``; ``card set`` writes one
section in the app (stored and audited, earlier text kept as history).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from governance_app.cli.output import local_time, print_json, table
from governance_app.domain.model_card import CARD_SECTIONS
from governance_app.errors import InputError

if TYPE_CHECKING:  # SQLAlchemy loads when the verb runs
    from governance_app.services.workspace import Workspace

MAX_FILE_BYTES = 1024 * 1024


def cmd_card(args: argparse.Namespace, ws: Workspace) -> int:
    # Services are imported when the verb runs, not when the parser is built (start-up time).
    from governance_app.services import model_cards as service
    from governance_app.services import models as model_service

    if args.action == "set":
        return _set(args, ws)
    name, version = model_service.parse_version_ref(args.ref)
    if version is None:
        raise InputError(args.ref, "model card text belongs to one version",
                         expected="MODEL:VERSION")
    card = service.current_card(ws, name, version)
    if args.json:
        print_json(service.card_as_dict(card))
        return 0
    if card is None:
        print(f"no model card text attached to {name}:{version}; import one with "
              f"governance-app import CARD --model {name}:{version} or write a section with "
              "governance-app card set")
        return 0
    if card.card is not None:
        base = card.card
        print(f"card: {base.title or '—'} from {base.source_name} ({base.format}, sha256 "
              f"{base.source_sha256[:12]}…)")
    for key, title in CARD_SECTIONS.items():
        print(f"\n{title}:")
        if key not in card.sections:
            print("  — not stated")
            continue
        text, source = card.sections[key]
        for line in text.splitlines():
            print(f"  {line}")
        print(f"  ({source.format}: {source.source_name}, {source.recorded_by}, "
              f"{local_time(source.recorded_at)})")
    if card.card is not None and card.card.metrics:
        print("\nmetrics stated by the card:")
        table(["metric", "value", "task / slice"],
              [[m.name, m.text, " · ".join(p for p in (m.task, m.slice) if p) or "overall"]
               for m in card.card.metrics], right={1})
    if card.card is not None and card.card.details:
        print("\ncard details:")
        table(["field", "value"], [[k, v] for k, v in card.card.details.items()])
    print(f"\n{len(card.history)} card record(s) stored for {name}:{version}")
    return 0


def _set(args: argparse.Namespace, ws: Workspace) -> int:
    from governance_app.services import model_cards as service

    if (args.text is None) == (args.file is None):
        raise InputError("card set", "give the text with --text or --file (one of them)",
                         expected="--text TEXT or --file FILE")
    if args.file is not None:
        path = Path(args.file)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise InputError(path, "is larger than 1 MiB", expected="a section of text")
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(path, f"cannot be read ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise InputError(path, "is not UTF-8 text", location=f"byte {exc.start}") from exc
    else:
        text = args.text
    card = service.set_card_section(ws, args.ref, args.section, text, args.author)
    if args.json:
        print_json({"id": card.id, "model": card.model, "version": card.version,
                    "section": args.section, "sha256": card.source_sha256,
                    "author": card.recorded_by, "at": card.recorded_at.isoformat()})
    else:
        print(f"wrote {CARD_SECTIONS[args.section].lower()} of {card.ref} as {card.recorded_by}"
              f" (sha256 {card.source_sha256[:12]}…); recorded in the audit trail")
    return 0


def register(verb: Any) -> dict[str, Any]:
    """Add ``card`` to the parser; return its handler."""
    from governance_app.cli import Verb

    p = verb("card", "show or write the model card text of a version",
             "governance-app card set credit_default:4 --section limitations --file lim.md")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the card text a report prints")
    show.add_argument("ref", metavar="MODEL:VERSION")
    show.add_argument("--json", action="store_true")
    put = actions.add_parser("set", help="write one section (stored and audited)")
    put.add_argument("ref", metavar="MODEL:VERSION")
    put.add_argument("--section", required=True, choices=list(CARD_SECTIONS))
    put.add_argument("--text", metavar="TEXT", help="the section's text (markdown)")
    put.add_argument("--file", type=Path, metavar="FILE", help="read the text from a file")
    put.add_argument("--author", metavar="NAME", help="who wrote it (default: the OS user)")
    put.add_argument("--json", action="store_true")
    return {"card": Verb(cmd_card)}
