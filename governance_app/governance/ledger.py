"""Append signed acts to the chain, and read the board's state by replaying it.

:func:`append_act` is the one way any governance act enters a workspace: with the chain's
append lock held (PostgreSQL advisory lock; SQLite ``BEGIN IMMEDIATE`` by the caller) it reads
the head, replays the board's state, builds the act naming that head and the current root,
has the member's key sign it, appends its event, feeds the event to replay (which must accept
it: a refusal rolls everything back) and rewrites the derived tables, all in one transaction.

:func:`board_state` replays incrementally: a state replayed earlier in this process, or saved
by an earlier run in the user's cache folder (proven by the stored event at its head), is
reused, and only later events are fed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from governance_app.domain.audit import GENESIS_HASH, AuditEvent
from governance_app.errors import GovernanceError
from governance_app.gc_pause import gc_paused
from governance_app.governance import replay_cache
from governance_app.governance.acts import SignedAct, make_act
from governance_app.governance.audit import _lock_chain, append_event, chain_head, iter_chain
from governance_app.governance.board_state import BoardState
from governance_app.governance.replay import Replayer
from governance_app.governance.root import Root

if TYPE_CHECKING:  # only acts need them: reading the state loads neither
    from governance_app.governance.keystore import Signer

_CACHE: dict[str, tuple[BoardState, bool]] = {}
"""URL → (state, whether its events were all chain-checked, so it may be saved)."""
_CACHE_LOCK = threading.Lock()


class ActRefused(GovernanceError):
    """Replay would call this act a break, so it was not recorded (the message says why)."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Appended:
    """A recorded act: the act, its event and the state after it."""

    act: SignedAct
    event: AuditEvent
    state: BoardState

    @property
    def head_line(self) -> str:
        """``head #N <20 hex>``, as printed for the minutes."""
        return f"head #{self.event.seq} {self.event.hash[:20]}"


def board_state(session: Session, *, fresh: bool = False) -> BoardState:
    """The board's state replayed from the chain as stored now (a private copy).

    Three sources, cheapest first: a state replayed earlier in this process (reused when the
    chain still holds its head), the state a previous run saved in the user's cache folder
    (:mod:`~governance_app.governance.replay_cache`: reused only when the stored event at its
    head still has, and recomputes to, the hash it was saved at), else a replay from genesis.
    Only the events after the reused head are fed, and chain-checked on the way: the result is
    saved for the next run only when every event it was replayed from chains to the one before.
    ``state.replayed_from`` says where this replay started and ``state.cache_note`` why a saved
    state was not used.

    Args:
        fresh: replay from genesis, ignoring both caches; the result refreshes them.
    """
    key = str(session.get_bind().url)
    with _CACHE_LOCK:
        cached = None if fresh else _CACHE.get(key)
    state, proven, note = BoardState(), True, ""
    if cached is not None and cached[0].head_seq:
        stored = iter_chain(session, start_after=cached[0].head_seq - 1, batch=1)
        first = next(stored, None)
        if first is not None and first[0] == cached[0].head_seq \
                and first[8] == cached[0].head_hash:
            state, proven = cached[0].clone(), cached[1]
            note = state.cache_note
    if not state.head_seq and not fresh:
        loaded = replay_cache.load(session)
        note = loaded.note
        if loaded.state is not None:
            state = loaded.state
    start = state.head_seq
    link = replay_cache.ChainLink(start, state.head_hash if start else GENESIS_HASH, proven)
    replayer = Replayer(state)
    with gc_paused():  # a long replay derives 100,000s of records, none cyclic garbage
        for seq, at, actor, kind, subject, model, text, prev_hash, digest in \
                replay_cache.raw_events(session, after=start):
            payload = json.loads(text)
            link.feed(seq, at, actor, kind, subject, model, payload, prev_hash, digest)
            replayer.feed(seq, kind, payload, prev_hash, digest)
    state = replayer.state
    state.replayed_from, state.cache_note = start, note
    if state.head_seq > start and link.holds:
        replay_cache.save(state)
    with _CACHE_LOCK:
        _CACHE[key] = (state.clone(), link.holds)
    return state


def forget_cache() -> None:
    """Drop every cached state (tests that rewrite a workspace behind the app's back)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def append_act(
    session: Session, kind: str, body: dict[str, Any], signer: Signer, *, actor: str,
    subject: str, model: str | None = None, founding_root: Root | None = None,
    precheck: Callable[[BoardState], None] | None = None,
) -> Appended:
    """Sign ``body`` as a ``kind`` act by ``signer`` and record it (see the module docstring).

    Args:
        founding_root: for the board's first act only, the root v1 it publishes.
        precheck: called with the state read under the lock, before signing (the caller's
            witness receipts are checked here, where no other act can slip in).

    Raises:
        ActRefused: the act breaks a rule (nothing is stored).
        GovernanceError: no board yet (found one first), or one already exists.
    """
    from governance_app.governance import board_tables  # the tables: only when writing

    _lock_chain(session)
    state = board_state(session)
    if precheck is not None:
        precheck(state)
    head = chain_head(session)
    if founding_root is not None:
        if state.board is not None:
            raise GovernanceError("this workspace already has a board; it cannot be founded "
                                  "twice")
        board, root_version, root_digest = founding_root.board, 1, founding_root.digest
    else:
        root = state.root
        if root is None:
            raise GovernanceError("this workspace has no board yet: found one with "
                                  "`governance-app board init NAME`")
        board, root_version, root_digest = root.board, root.version, root.digest
    now = datetime.now(UTC)
    act = make_act(kind, body, board=board, root_version=root_version,
                   root_digest=root_digest, prev_seq=head.seq, prev_hash=head.hash,
                   signer=signer.fingerprint, signed_at=now, sign=signer.sign)
    event = append_event(session, kind, actor, subject, act.as_payload(), model=model,
                         at=act.signed_at)
    breaks_before = len(state.breaks)
    replayer = Replayer(state)
    replayer.feed(event.seq, event.kind, event.payload, event.prev_hash, event.hash)
    if len(state.breaks) > breaks_before:
        raise ActRefused(f"{kind} refused: {state.breaks[-1].problem}; nothing was recorded")
    if founding_root is not None:  # the tables become the chain's cache from here on
        board_tables.sync(session, state)
    elif state.board is not None:
        board_tables.sync(session, state, changed_after=head.seq)
    return Appended(act, event, state)
