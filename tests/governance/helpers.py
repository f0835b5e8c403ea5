"""Building blocks for audit tests: a founded board with members whose keys are fast, and
plain events.

Members join the way they do in use: the first founds the board, the others sign a request
with their own key and the chair admits the fingerprint (``services.board``).
"""

from __future__ import annotations

from pathlib import Path

from governance_app.domain.audit import Member
from governance_app.governance import keys, keystore
from governance_app.governance.audit import append_event
from governance_app.services import board
from governance_app.services.workspace import Workspace

FAST = keys.MIN_SCRYPT_N
PASSPHRASE = "pw"


def add_member(ws: Workspace, name: str, roles: tuple[str, ...] = ("chair",),
               chair: str | None = None) -> tuple[Member, keystore.Signer]:
    """A member whose key lives in the test keyring, and their unlocked signer: founds the
    board for the first member, else requests and is admitted by ``chair``."""
    if board.state_of(ws).board is None:
        board.found(ws, name, PASSPHRASE, scrypt_n=FAST)
    else:
        request = board.request_membership(ws, name, list(roles), PASSPHRASE, scrypt_n=FAST)
        chair = chair or next(m.name for m in board.members(ws) if "chair" in m.roles)
        board.admit(ws, name, request.detail["fingerprint"], chair, PASSPHRASE)
    member = board.member(ws, name)
    return member, board.unlock(member, PASSPHRASE)


def add_events(ws: Workspace, n: int, kind: str = "test.event") -> None:
    with ws.session(immediate=True) as session:
        for i in range(n):
            append_event(session, kind, "tester", f"thing {i}", {"i": i, "x": i / 3},
                         model="credit_default")


def key_path(folder: Path, name: str) -> Path:
    return folder / f"{name.replace(' ', '_').lower()}.key"


def join_board(ws: Workspace, name: str, roles: list[str], email: str, secret: str,
               key_file: Path, *, chair: str, chair_secret: str,
               chair_key: Path | None = None) -> Member:
    """``member add`` (a request signed by the new key), then ``member admit`` by ``chair``."""
    request = board.request_membership(ws, name, roles, secret, email=email,
                                       key_file=key_file, scrypt_n=FAST)
    board.admit(ws, name, request.detail["fingerprint"], chair, chair_secret, chair_key)
    return board.member(ws, name)
