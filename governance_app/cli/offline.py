"""The offline verbs' fast path: ``verify FILE.pdf`` and ``verify-attestation FILE`` without
``--db`` never touch a workspace, so they skip the full parser (whose verb modules load
SQLAlchemy and the services) and start in a fraction of the time.

The options are the same as the full verbs' (``cli/governance.py``, ``cli/reviews.py``): a
user's script cannot tell which path ran, except by the time it took.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from governance_app.errors import GovernanceError


def offline_main(argv: Sequence[str] | None) -> int | None:
    """Run an offline verb and return its exit code, or None when ``argv`` is another verb
    (or names a workspace with ``--db``): the full command line handles it."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("verify", "verify-attestation"):
        return None
    if any(a in ("-h", "--help") for a in args):
        return None
    parser = argparse.ArgumentParser(prog=f"governance-app {args[0]}", add_help=False)
    parser.add_argument("file", type=Path)
    parser.add_argument("--root", type=Path)
    parser.add_argument("--json", action="store_true")
    if args[0] == "verify":
        if len(args) < 2 or not args[1].lower().endswith(".pdf"):
            return None
        parser.add_argument("--cert", type=Path)
    else:
        parser.add_argument("--public-key", action="append")
        parser.add_argument("--threshold", type=int)
        parser.add_argument("--subject-sha256")
        parser.add_argument("--gate")
        parser.add_argument("--at")
        parser.add_argument("--require-terms", action="store_true")
    parsed, unknown = parser.parse_known_args(args[1:])
    if unknown:
        return None  # let the full parser say what is wrong
    try:
        if args[0] == "verify":
            from governance_app.cli.verify_document import verify_pdf_command

            return verify_pdf_command(parsed.file, None, parsed.cert, parsed.root, parsed.json)
        from governance_app.cli.verify_attestation import run

        parsed.db = None
        return run(parsed)
    except GovernanceError as exc:
        print(f"governance-app: error: {exc}", file=sys.stderr)
        return exc.exit_code
