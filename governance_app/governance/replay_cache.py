"""The replayed board state kept between runs, in the user's own cache folder.

Replaying a large chain checks every act's Ed25519 signature (tens of thousands of them), so
each command would spend seconds before it could answer. The state replayed up to event N is
therefore saved per board (``<cache dir>/replay/<board id>.json``) and reused by the next run,
which replays only the events after N.

Threat model: whoever can write the workspace database holds no member's key and cannot write
the user's own folders. The database is not trusted to say the cache still applies; the proof
rests on the audit trail being a hash chain (:mod:`~governance_app.governance.audit`): each
event's hash is SHA-256 of its ``prev_hash`` and of the canonical bytes of everything else it
stores (seq, time, actor, kind, subject, model, payload), so it covers all that replay reads of
an event (seq, kind, payload, prev_hash) and, through ``prev_hash``, every event before it.

- **Saving.** A state is saved only when every event it was replayed from was checked, in
  order, to chain: seq N follows seq N-1, its stored ``prev_hash`` is the hash of N-1 (zeros
  for the first) and its content recomputes to its stored hash (:class:`ChainLink`). The saved
  head ``(N, H)`` therefore names one chain of rows, 1..N, and the state is the replay of
  exactly those rows: finding other rows 1..N that also hash-chain to H would take a SHA-256
  collision.
- **Reusing.** The stored event at N is read back; its stored hash must be H and its stored
  fields must recompute to H. Then the events after N are replayed and chain-checked as above
  (the first must name H as its ``prev_hash`` for the result to be saved again).
- **The trade.** Rows 1..N-1 are not read again (reading and digesting them cost more than the
  rest of an ``inventory``). If one was edited, removed or inserted after the state was saved,
  the stored rows can no longer hash-chain to H, so the workspace's chain is broken: ``verify``
  finds and names that, for it always replays from genesis and never reads this cache. Until
  then every other command answers from the proven chain ending at H, never from the edit: an
  edit at or before N cannot change what a command shows. An edit at N itself (or a chain
  rewritten through N) fails the check above: the cache is ignored, the chain is replayed from
  genesis and the caller is told why (:attr:`Loaded.note`), as for a different board or a
  damaged or old-format file. The file is JSON (:mod:`state_codec`), never pickle.

``$GOVERNANCE_APP_CACHE_DIR`` overrides the folder (as ``$GOVERNANCE_APP_CONFIG_DIR`` does for
the configuration); otherwise the platform's user cache folder (``$XDG_CACHE_HOME`` on Linux).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from governance_app.domain.audit import GENESIS_HASH
from governance_app.gc_pause import gc_paused
from governance_app.governance.acts import ROOT_KIND
from governance_app.governance.audit import at_text, row_hash
from governance_app.governance.board_state import BoardState
from governance_app.governance.state_codec import (
    STATE_FORMAT,
    STATE_SCHEMA,
    StateFormatError,
    decode,
    encode,
)

ENV_CACHE_DIR = "GOVERNANCE_APP_CACHE_DIR"
FILE_FORMAT = "governance-app/replay-cache"
PROOF = "head-hash"
"""How the file proves it applies (see the module docstring). Files saved under another proof
(the digest of rows 1..N of earlier versions) are ignored: their rows were never chain-checked."""
_BOARD_ID = re.compile(r"^[0-9a-f]{16,128}$")
_RAW = ("SELECT seq, at, actor, kind, subject, model, CAST(payload AS TEXT), prev_hash, hash "
        "FROM audit_events WHERE seq > {last} AND seq <= {upto} ORDER BY seq LIMIT {batch}")
_FOUNDING = ("SELECT CAST(payload AS TEXT) FROM audit_events WHERE kind = '" + ROOT_KIND
             + "' ORDER BY seq LIMIT 1")
RawEvent = tuple[int, str, str, str, str, str | None, str, str, str]
"""``(seq, at as iso_utc text, actor, kind, subject, model, payload as stored JSON text,
prev_hash, hash)``."""


def cache_dir() -> Path:
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("governance-app", appauthor=False))


def path_for(board: str) -> Path:
    return cache_dir() / "replay" / f"{board}.json"


class ChainLink:
    """Whether the events fed so far, in order, extend a chain proven up to ``(seq, hash)``:
    each follows the one before in ``seq``, names its hash as ``prev_hash`` and recomputes to
    its own stored hash. Once a link fails it stays failed (the state replayed from these
    events is then not saved)."""

    __slots__ = ("seq", "hash", "holds")

    def __init__(self, seq: int = 0, head_hash: str = GENESIS_HASH, holds: bool = True) -> None:
        self.seq, self.hash, self.holds = seq, head_hash, holds

    def feed(self, seq: int, at: str, actor: str, kind: str, subject: str, model: str | None,
             payload: Any, prev_hash: str, digest: str) -> None:
        if self.holds:
            self.holds = (seq == self.seq + 1 and prev_hash == self.hash and row_hash(
                (seq, at, actor, kind, subject, model, payload, prev_hash, digest)) == digest)
        self.seq, self.hash = seq, digest


def raw_events(session: Session, *, after: int = 0, upto: int | None = None,
               batch: int = 10_000) -> Iterator[RawEvent]:
    """Stored events with their payload as the database's JSON text (no parsing), read
    through the driver's own cursor: at 50,000 events SQLAlchemy's row objects cost more than
    the reading."""
    cursor = session.connection().connection.cursor()
    last, limit = after, upto if upto is not None else 2**62
    try:
        while True:
            cursor.execute(_RAW.format(last=int(last), upto=int(limit), batch=int(batch)))
            rows = cursor.fetchall()
            if not rows:
                return
            for seq, at, *rest in rows:
                yield (seq, at_text(at), *rest)  # type: ignore[misc]
            last = rows[-1][0]
    finally:
        cursor.close()


def board_of(session: Session) -> str | None:
    """The board id the workspace's founding act names (untrusted: only picks the file)."""
    row = session.connection().exec_driver_sql(_FOUNDING).first()
    if row is None:
        return None
    try:
        board = json.loads(row[0])["act"]["board"]
    except (ValueError, KeyError, TypeError):
        return None
    return board if isinstance(board, str) and _BOARD_ID.match(board) else None


@dataclass(slots=True)
class Loaded:
    """What the cache offered: a state proven to be the replay of the chain ending at the
    stored head it names, or a note saying why there is none (empty when there simply was no
    cache yet)."""

    state: BoardState | None
    note: str = ""


def load(session: Session) -> Loaded:
    """The cached state of this workspace's board, if the stored event at its head proves it
    (see the module docstring)."""
    board = board_of(session)
    if board is None:
        return Loaded(None)
    path = path_for(board)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded(None)
    except OSError as exc:
        return Loaded(None, f"the replay cache {path} could not be read ({exc.strerror})")
    # 100,000s of objects, none cyclic garbage, and the state lives as long as the process:
    # collecting while they pile up, or rescanning them after, would cost more than decoding
    with gc_paused(freeze=True):
        return _proven(session, board, path, text)


def _proven(session: Session, board: str, path: Path, text: str) -> Loaded:
    """The state in ``text`` (the file at ``path``) if it is ``board``'s and the stored event
    at its head proves it."""
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT \
                or doc.get("proof") != PROOF or doc.get("version") != STATE_FORMAT \
                or doc.get("schema") != STATE_SCHEMA:
            raise StateFormatError("another format or version")
        seq, head = int(doc["seq"]), str(doc["head_hash"])
        if doc.get("board") != board:
            raise StateFormatError("it is another board's")
    except (ValueError, KeyError, TypeError) as exc:
        return Loaded(None, f"the replay cache {path} was ignored: {exc}")
    if not _holds_head(session, seq, head):
        return Loaded(None, f"the stored event #{seq} is not the one replayed before (it was "
                      "edited or removed, or the chain was rewritten up to it)")
    try:
        state = decode(doc["state"])
    except StateFormatError as exc:
        return Loaded(None, f"the replay cache {path} was ignored: {exc}")
    if state.board != board or (state.head_seq, state.head_hash) != (seq, head):
        return Loaded(None, f"the replay cache {path} was ignored: its state is not at "
                      "the head it names")
    return Loaded(state)


def _holds_head(session: Session, seq: int, head: str) -> bool:
    """Whether the stored event at ``seq`` has the hash ``head`` and its stored fields
    recompute to it."""
    stored = next(raw_events(session, after=seq - 1, upto=seq, batch=1), None)
    if stored is None or stored[0] != seq or stored[8] != head:
        return False
    try:
        payload = json.loads(stored[6])
    except ValueError:
        return False
    return row_hash((*stored[:6], payload, *stored[7:])) == head


def save(state: BoardState) -> Path | None:
    """Keep ``state`` for the next run. The caller saves only a state replayed from events
    it chain-checked (:class:`ChainLink`) from genesis or from a proven cached head.

    Best effort: a cache that cannot be written only costs the next run a full replay.
    """
    board = state.board
    if board is None or not _BOARD_ID.match(board) or not state.head_seq:
        return None
    try:
        text = json.dumps({
            "format": FILE_FORMAT, "proof": PROOF, "version": STATE_FORMAT,
            "schema": STATE_SCHEMA, "board": board, "seq": state.head_seq,
            "head_hash": state.head_hash, "state": encode(state)},
            separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None  # a value JSON cannot hold: no cache rather than a failed command
    path = path_for(board)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{board[:16]}-", suffix=".tmp",
                                       dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)  # readers never see half a file; racing writers each whole
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return path
