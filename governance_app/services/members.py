"""Board members for front ends: list, look up, export a public key, unlock a key.

Who is on the board comes from replaying the chain (:mod:`~governance_app.services.board`),
never from the ``members`` table; admitting, re-keying and revoking are root changes signed by
a chair (``services.board``). Only public keys and fingerprints are ever in the workspace.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from governance_app.domain.audit import Member
from governance_app.governance import keystore
from governance_app.services import board
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


def os_user() -> str:
    """Who is at the keyboard, for audit events not made by a member."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (containers)
        return "unknown"


def list_members(ws: Workspace) -> list[Member]:
    return board.members(ws)


def get_member(ws: Workspace, name: str) -> Member:
    """Raises NotFoundError when there is no such member."""
    return board.member(ws, name)


def export_public_key(ws: Workspace, name: str) -> str:
    """The member's public key as PEM (for ``verify-attestation --public-key`` and DSSE tools)."""
    return get_member(ws, name).public_key_pem


def unlock(
    member: Member, passphrase: PassphraseSource | str, key_file: Path | None = None
) -> keystore.Signer:
    """The member's key, decrypted for one signature (see ``services.board.unlock``)."""
    return board.unlock(member, passphrase, key_file)
