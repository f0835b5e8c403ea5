"""The replayed board state kept between runs, in the user's own cache folder.

Replaying a large chain checks every act's Ed25519 signature (tens of thousands of them), so
each command would spend seconds before it could answer. The state replayed up to event N is
therefore saved per board (``<cache dir>/replay/<board id>.json``) and reused by the next run,
which replays only the events after N.

Threat model: whoever can write the workspace database holds no member's key and cannot write
the user's own folders. The database is not trusted to say the cache still applies: before the
cached state is used, the stored events 1..N are read back and digested (their seq, kind,
payload text, prev_hash and hash: everything replay reads of them), and that digest must equal
the one saved with the state, which was computed over the very rows that were replayed. Any
edit, deletion or insertion at or before N, a different board, a damaged or old-format file:
the cache is ignored, the chain is replayed from genesis and the caller is told why
(:attr:`Loaded.note`). The file is JSON (:mod:`state_codec`), never pickle.

``$GOVERNANCE_APP_CACHE_DIR`` overrides the folder (as ``$GOVERNANCE_APP_CONFIG_DIR`` does for
the configuration); otherwise the platform's user cache folder (``$XDG_CACHE_HOME`` on Linux).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from governance_app.governance.acts import ROOT_KIND
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
_BOARD_ID = re.compile(r"^[0-9a-f]{16,128}$")
_RAW = ("SELECT seq, kind, CAST(payload AS TEXT), prev_hash, hash FROM audit_events "
        "WHERE seq > {last} AND seq <= {upto} ORDER BY seq LIMIT {batch}")
_FOUNDING = ("SELECT CAST(payload AS TEXT) FROM audit_events WHERE kind = '" + ROOT_KIND
             + "' ORDER BY seq LIMIT 1")
RawEvent = tuple[int, str, str, str, str]
"""``(seq, kind, payload as stored JSON text, prev_hash, hash)``."""


def cache_dir() -> Path:
    override = os.environ.get(ENV_CACHE_DIR)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("governance-app", appauthor=False))


def path_for(board: str) -> Path:
    return cache_dir() / "replay" / f"{board}.json"


class RowsDigest:
    """SHA-256 over the rows replay read, in order, each field length-framed."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, seq: int, kind: str, payload: str, prev_hash: str, digest: str) -> None:
        data = payload.encode("utf-8")
        head = f"{seq}\x1f{kind}\x1f{prev_hash}\x1f{digest}\x1f{len(data)}\x1e"
        self._hash.update(head.encode("utf-8"))
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def copy(self) -> RowsDigest:
        twin = RowsDigest()
        twin._hash = self._hash.copy()
        return twin


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
            yield from rows
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


def _json(text: str) -> Any:
    """``json.loads`` without the garbage collector (it would rescan the growing heap)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    finally:
        if paused:
            gc.enable()


@dataclass(slots=True)
class Loaded:
    """What the cache offered: a state proven to be the stored chain's up to its head, or a
    note saying why there is none (empty when there simply was no cache yet)."""

    state: BoardState | None
    digest: RowsDigest | None
    note: str = ""


def load(session: Session) -> Loaded:
    """The cached state of this workspace's board, if the stored chain proves it still holds.

    On success the returned digest has consumed rows 1..N, so the caller can go on feeding the
    rows after N to it (and to replay) and save the result.
    """
    board = board_of(session)
    if board is None:
        return Loaded(None, None)
    path = path_for(board)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Loaded(None, None)
    except OSError as exc:
        return Loaded(None, None, f"the replay cache {path} could not be read ({exc.strerror})")
    try:
        doc = _json(text)
        if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT \
                or doc.get("version") != STATE_FORMAT or doc.get("schema") != STATE_SCHEMA:
            raise StateFormatError("another format or version")
        seq, head, expected = int(doc["seq"]), str(doc["head_hash"]), str(doc["rows_sha256"])
        if doc.get("board") != board:
            raise StateFormatError("it is another board's")
    except (ValueError, KeyError, TypeError) as exc:
        return Loaded(None, None, f"the replay cache {path} was ignored: {exc}")
    digest = RowsDigest()
    last = (0, "")
    paused = gc.isenabled()
    gc.disable()
    try:
        for row in raw_events(session, upto=seq):
            digest.add(*row)
            last = (row[0], row[4])
    finally:
        if paused:
            gc.enable()
    if last != (seq, head) or digest.hexdigest() != expected:
        return Loaded(None, None, f"the stored chain up to event #{seq} is not the one "
                      "replayed before (an event at or before it was edited, removed or "
                      "inserted)")
    try:
        state = decode(doc["state"])
    except StateFormatError as exc:
        return Loaded(None, None, f"the replay cache {path} was ignored: {exc}")
    if state.board != board or (state.head_seq, state.head_hash) != (seq, head):
        return Loaded(None, None, f"the replay cache {path} was ignored: its state is not at "
                      "the head it names")
    return Loaded(state, digest)


def save(state: BoardState, digest: RowsDigest) -> Path | None:
    """Keep ``state`` (replayed from exactly the rows ``digest`` consumed) for the next run.

    Best effort: a cache that cannot be written only costs the next run a full replay.
    """
    board = state.board
    if board is None or not _BOARD_ID.match(board) or not state.head_seq:
        return None
    try:
        text = json.dumps({
            "format": FILE_FORMAT, "version": STATE_FORMAT, "schema": STATE_SCHEMA,
            "board": board, "seq": state.head_seq, "head_hash": state.head_hash,
            "rows_sha256": digest.hexdigest(), "state": encode(state)},
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
