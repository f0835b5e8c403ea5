"""Receipts of signed acts, kept outside the workspace, and witnesses given to ``verify``.

Every act this machine signs leaves a small receipt (board id, seq, head hash, signer, kind)
in a per-user folder (``$GOVERNANCE_APP_WITNESS_DIR`` overrides it). Whoever can rewrite the
database cannot reach these files, so a rolled-back or truncated workspace, or one rewritten
before a receipt's head, no longer holds the head a receipt names. The app checks them when it
opens a workspace and before signing; ``verify`` reads them too.

A witness given on the command line is a checkpoint file, a sealed PDF (its manifest's chain
head) or ``N:HEX`` as written in the minutes (``head #N <20 hex>``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_app.errors import InputError

ENV_WITNESS_DIR = "GOVERNANCE_APP_WITNESS_DIR"
CHECKPOINT_FORMAT = "governance-app/checkpoint/1"
_MINUTES = re.compile(r"^#?(\d+)[: ]([0-9a-fA-F]{8,64})$")


@dataclass(frozen=True, slots=True)
class Witness:
    """A head some record outside the database vouches for."""

    source: str
    seq: int
    head: str
    """The full hash, or a prefix of at least 8 hex digits (from the minutes)."""
    board: str | None = None

    def held_by(self, hashes: dict[int, str], head_seq: int | None = None) -> bool:
        if head_seq is not None and self.seq > head_seq:
            return False
        found = hashes.get(self.seq)
        return found is not None and found.startswith(self.head.lower())

    def as_dict(self, held: bool) -> dict[str, Any]:
        return {"source": self.source, "seq": self.seq, "head": self.head, "held": held}


def witness_dir() -> Path:
    override = os.environ.get(ENV_WITNESS_DIR)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("governance-app", appauthor=False)) / "witnesses"


def write_receipt(board: str, seq: int, head: str, signer: str, kind: str) -> Path:
    """Keep a receipt of an act this machine signed (never raises for a full disk: the act
    is already committed; the caller reports the returned path)."""
    folder = witness_dir() / board
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{seq:010d}.json"
    path.write_text(json.dumps({"board": board, "seq": seq, "head": head, "signer": signer,
                                "kind": kind}, indent=2) + "\n", encoding="utf-8")
    return path


def receipts(board: str, *, newest_only: bool = False) -> list[Witness]:
    """This machine's receipts for ``board``, oldest first (unreadable ones are skipped).

    Args:
        newest_only: only the newest readable one. It is enough before signing: a chain that
            holds the newest head at its seq holds every earlier one (the hashes chain).
    """
    folder = witness_dir() / board
    out: list[Witness] = []
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for path in reversed(paths) if newest_only else paths:
        if newest_only and out:
            break
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            out.append(Witness(f"receipt {path.name}", int(doc["seq"]), str(doc["head"]),
                               str(doc["board"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return out


def parse_witness(text: str) -> Witness:
    """A ``--witness`` argument: ``N:HEX`` or a file (checkpoint JSON or sealed PDF).

    Raises:
        InputError: neither, or a malformed file (exit 2).
    """
    match = _MINUTES.match(text.strip())
    if match and not Path(text).exists():
        return Witness(text, int(match.group(1)), match.group(2).lower())
    path = Path(text)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(text, f"not a readable witness file ({exc.strerror})",
                         expected="a checkpoint file, a sealed PDF, or N:HEX") from exc
    if data.startswith(b"%PDF"):
        return _pdf_witness(text, data)
    try:
        doc = json.loads(data)
        act = doc["act"]
        if doc.get("format") != CHECKPOINT_FORMAT:
            raise KeyError("format")
        return Witness(text, int(act["prev"]["seq"]), str(act["prev"]["hash"]),
                       str(act["board"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(text, f"not a checkpoint file ({exc})",
                         expected=f"JSON with format {CHECKPOINT_FORMAT}") from exc


def _pdf_witness(source: str, data: bytes) -> Witness:
    from governance_app.reports.manifest import extract_manifest

    manifest = extract_manifest(data, source)
    head = manifest.get("chain_head") if isinstance(manifest, dict) else None
    if not isinstance(head, dict) or "seq" not in head or "hash" not in head:
        raise InputError(source, "the report's manifest names no chain head",
                         location="manifest.chain_head", expected="{seq, hash}")
    return Witness(source, int(head["seq"]), str(head["hash"]))
