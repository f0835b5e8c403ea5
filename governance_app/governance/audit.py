"""The tamper-evident audit trail: an append-only SHA-256 hash chain.

Each event's hash is ``SHA-256(prev_hash || canonical_bytes(event without its hash))``, the
first event chaining to 64 zeros. The database refuses UPDATE and DELETE on the table
(triggers), but whoever writes the database could drop them and recompute the whole chain, so
the chain is anchored outside it: every governance act is signed and names the event it follows
(:mod:`~governance_app.governance.ledger`), and witnesses kept outside the workspace hold heads.

Appends are serialised so the chain never forks: PostgreSQL takes a transaction-scoped
advisory lock; on SQLite the caller's transaction must already hold the write lock (open it
with ``Workspace.session(immediate=True)``, or append after a write, as imports do). Either
way a racing duplicate ``seq`` is refused by the primary key rather than forking the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from governance_app.domain.audit import (
    GENESIS_HASH,
    AuditEvent,
    ChainHead,
    Finding,
    VerificationReport,
)
from governance_app.errors import GovernanceError
from governance_app.governance import anchors
from governance_app.governance.canonical import (
    canonical_bytes,
    fast_canonical_bytes,
    iso_utc,
    normalised,
)
from governance_app.store.schema_governance import SqlAuditEvent

_escape = json.encoder.encode_basestring  # type: ignore[attr-defined]
AUDIT_LOCK_KEY = 0x6A7564_1745  # "aud" + issue 7: one advisory lock id for the chain
ProgressFn = Callable[[int, int, str], None]


def event_document(
    seq: int, at: datetime | str, actor: str, kind: str, subject: str, model: str | None,
    payload: dict[str, Any], prev_hash: str,
) -> dict[str, Any]:
    """The JSON document an event's hash covers (everything but the hash itself).

    ``at`` may already be its ``iso_utc`` text (as verification reads it).
    """
    return {
        "seq": seq, "at": at if isinstance(at, str) else iso_utc(at), "actor": actor,
        "kind": kind, "subject": subject,
        "model": model, "payload": payload, "prev_hash": prev_hash,
    }


def event_hash(prev_hash: str, document: dict[str, Any]) -> str:
    """``SHA-256(prev_hash as ASCII hex || RFC 8785 bytes of document)`` as hex."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical_bytes(document))
    return digest.hexdigest()


_AUDIT = SqlAuditEvent.__table__
_HEAD = select(_AUDIT.c.seq, _AUDIT.c.hash).order_by(_AUDIT.c.seq.desc()).limit(1)
_INSERT = insert(_AUDIT)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_chain(session: Session) -> None:
    """Serialise appends on PostgreSQL (once per transaction; released at commit/rollback)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.connection()  # begin the transaction first: before it there is nothing to compare
    transaction = session.get_transaction()
    if transaction is not None and session.info.get("audit_chain_locked_by") is transaction:
        return
    session.execute(_LOCK, {"key": AUDIT_LOCK_KEY})
    session.info["audit_chain_locked_by"] = transaction


def lock_chain(session: Session) -> None:
    """Take the chain's append lock for the rest of the caller's transaction (PostgreSQL; on
    SQLite the writer's transaction already serialises appends)."""
    _lock_chain(session)


def chain_head(session: Session) -> ChainHead:
    """The last event's ``seq`` and hash, or ``(0, GENESIS_HASH)`` for an empty trail."""
    row = session.connection().execute(_HEAD).first()
    return ChainHead(0, GENESIS_HASH) if row is None else ChainHead(row.seq, row.hash)


def append_event(
    session: Session,
    kind: str,
    actor: str,
    subject: str,
    payload: dict[str, Any],
    *,
    model: str | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    It commits or rolls back with the change it records, so the trail never claims a change
    that did not happen nor misses one that did.

    Args:
        kind: dotted verb such as ``"import"``, ``"member.add"``, ``"review.sign"``.
        actor: who did it (member name or OS user).
        subject: what it concerns, for people (``"credit_default:4"``, ``"review 12"``).
        payload: plain JSON (normalised through RFC 8785 before storing).
        model: the registered model's name, so ``audit --model`` can find the event.

    Raises:
        NotCanonicalError: the payload is not plain JSON (NaN, bytes, ...).
    """
    _lock_chain(session)
    head = chain_head(session)
    when = (at or datetime.now(UTC)).astimezone(UTC)
    payload = normalised(payload)
    seq = head.seq + 1
    document = event_document(seq, when, actor, kind, subject, model, payload, head.hash)
    digest = event_hash(head.hash, document)
    session.connection().execute(_INSERT, {
        "seq": seq, "at": when, "actor": actor, "kind": kind, "subject": subject,
        "model": model, "payload": payload, "prev_hash": head.hash, "hash": digest,
    })
    return AuditEvent(seq, when, actor, kind, subject, model, payload, head.hash, digest)


def audit_events(
    session: Session,
    model: str | None = None,
    since: datetime | None = None,
    kinds: Sequence[str] | None = None,
    *,
    actor: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Events in chain order, filtered by model, time (inclusive), kinds and actor."""
    query = select(SqlAuditEvent).order_by(SqlAuditEvent.seq)
    if model is not None:
        query = query.where(SqlAuditEvent.model == model)
    if since is not None:
        query = query.where(SqlAuditEvent.at >= since)
    if kinds:
        query = query.where(SqlAuditEvent.kind.in_(list(kinds)))
    if actor is not None:
        query = query.where(SqlAuditEvent.actor == actor)
    if limit is not None:
        query = query.limit(limit)
    return [_event(row) for row in session.scalars(query)]


_RAW_CHAIN = ("SELECT seq, at, actor, kind, subject, model, payload, prev_hash, hash "
              "FROM audit_events WHERE seq > {last} ORDER BY seq LIMIT {batch}")


def iter_chain(session: Session, batch: int = 10_000, *, start_after: int = 0
               ) -> Iterator[tuple[Any, ...]]:
    """Every stored event in ``seq`` order as ``(seq, at, actor, kind, subject, model,
    payload, prev_hash, hash)``, streamed in batches (a trail can be huge).

    Reads driver values directly (verification time is dominated by per-row work): SQLite
    gives the time as text and the payload as JSON text, psycopg gives both parsed.
    """
    connection = session.connection()
    last = start_after
    while True:
        rows = connection.exec_driver_sql(_RAW_CHAIN.format(last=int(last), batch=int(batch)))\
            .all()
        if not rows:
            return
        for row in rows:
            seq, at, actor, kind, subject, model, payload, prev_hash, digest = row
            at = at_text(at)
            if isinstance(payload, str | bytes):
                payload = json.loads(payload)
            yield seq, at, actor, kind, subject, model, payload, prev_hash, digest
        last = rows[-1][0]


def at_text(at: datetime | str) -> str:
    """The ``iso_utc`` text of a stored time, straight from SQLite's UTC text when possible."""
    if isinstance(at, str):
        # SQLAlchemy keeps SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff" (UTC: UTCDateTime)
        if len(at) == 26 and at[10] == " " and at[19] == ".":
            return f"{at[:10]}T{at[11:]}Z"
        at = datetime.fromisoformat(at)
    return iso_utc(at.replace(tzinfo=UTC) if at.tzinfo is None else at)


def recompute_chain(
    session: Session, progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    on_event: Callable[[tuple[Any, ...]], None] | None = None,
) -> tuple[dict[int, str], dict[str, dict[int, int]], list[Finding]]:
    """Recompute every hash from the genesis.

    Args:
        on_event: also called with every stored row (as :func:`iter_chain` gives it), so
            replay can ride on the same single pass over a large chain.

    Returns:
        The recomputed hash at each seq (for checking the anchors), the seq of the events
        naming each ``signature_id`` / ``checkpoint_id`` in their payload, and the findings:
        a gap in ``seq`` (a deleted row), a wrong ``prev_hash`` or a hash that does not match
        the event's content (an edited row). Only the first break is reported: after it,
        every link is suspect.

    Raises:
        GovernanceError: ``is_cancelled()`` became true.
    """
    report = progress or (lambda done, total, message: None)
    total = session.scalar(select(func.count()).select_from(_AUDIT)) or 0
    hashes: dict[int, str] = {0: GENESIS_HASH}
    refs: dict[str, dict[int, int]] = {"signature_id": {}, "checkpoint_id": {}}
    findings: list[Finding] = []
    prev, expected_seq = GENESIS_HASH, 1
    for done, row in enumerate(iter_chain(session), start=1):
        if done % 1000 == 0:
            if is_cancelled is not None and is_cancelled():
                raise GovernanceError("verification cancelled; nothing was changed")
            if done % 10_000 == 0:
                report(done, total, f"recomputed {done:,} of {total:,} events")
        if on_event is not None:
            on_event(row)
        seq, at, actor, kind, subject, model, payload, prev_hash, stored = row
        digest = _content_hash(prev, row)
        if not findings:
            findings.extend(_check_link(seq, kind, prev_hash, stored, expected_seq, prev,
                                        digest))
        prev = hashes[seq] = digest
        expected_seq = seq + 1
        if isinstance(payload, dict):
            for key in ("signature_id", "checkpoint_id"):
                ref = payload.get(key)
                if isinstance(ref, int):
                    refs[key].setdefault(ref, seq)
    report(total, total, "chain recomputed")
    return hashes, refs, findings


def row_hash(row: tuple[Any, ...]) -> str:
    """A stored event's hash recomputed from its own stored fields, its ``prev_hash``
    included (``row`` as :func:`iter_chain` gives it)."""
    return _content_hash(row[7], row)


def _content_hash(prev: str, row: tuple[Any, ...]) -> str:
    """:func:`event_hash` of ``row``'s content chained to ``prev``: the fast assembly, checked
    against the reference implementation whenever it disagrees with the stored hash."""
    seq, at, actor, kind, subject, model, payload, _, stored = row
    digest = _fast_hash(prev, seq, at, actor, kind, subject, model, payload)
    if digest != stored:  # the shortcut is only trusted when it agrees
        digest = event_hash(prev, event_document(seq, at, actor, kind, subject, model,
                                                 payload, prev))
    return digest


def _fast_hash(
    prev: str, seq: int, at: str, actor: str, kind: str, subject: str,
    model: str | None, payload: Any,
) -> str:
    """:func:`event_hash` of :func:`event_document`, assembled directly (keys in RFC 8785
    order) for verification's hot path; the caller falls back to the reference on mismatch."""
    esc = _escape
    text = "".join((
        '{"actor":', esc(actor), ',"at":', esc(at), ',"kind":', esc(kind),
        ',"model":', "null" if model is None else esc(model), ',"payload":',
    ))
    try:
        tail = "".join((',"prev_hash":', esc(prev), ',"seq":', str(seq), ',"subject":',
                        esc(subject), "}")).encode("utf-8")
        head = text.encode("utf-8")
    except UnicodeEncodeError:
        return ""  # a lone surrogate: let the reference implementation judge
    digest = hashlib.sha256(prev.encode("ascii"))
    digest.update(head)
    digest.update(fast_canonical_bytes(payload))
    digest.update(tail)
    return digest.hexdigest()


def _check_link(
    seq: int, kind: str, prev_hash: str, stored: str, expected_seq: int, prev: str, digest: str
) -> list[Finding]:
    if seq != expected_seq:
        missing = (f"#{expected_seq}" if seq == expected_seq + 1
                   else f"#{expected_seq}–#{seq - 1}")
        return [Finding("event", expected_seq,
                        f"event {missing} is missing (deleted); the chain jumps to #{seq}")]
    if prev_hash != prev:
        return [Finding("event", seq,
                        f"prev_hash {prev_hash[:12]}… does not match the previous event's "
                        f"hash {prev[:12]}…")]
    if digest != stored:
        return [Finding("event", seq,
                        f"content does not match its hash {stored[:12]}… (the {kind} "
                        "event was edited)")]
    return []


def verify_chain(
    session: Session, progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> VerificationReport:
    """The pre-board verification: recompute the chain, then check the checkpoint and
    signature *tables* against it. Only ``board adopt`` uses it, to report what does not hold
    in a history made before boards; a board's workspace is verified by replay
    (``services.audit.verify_board``), which trusts no table.

    A recomputed (self-consistent) forged chain passes the first step but not the anchors: a
    checkpoint or signature that signed the head at ``seq`` N no longer matches, which names
    the range of events rewritten (after the last anchor that still holds, up to N).
    """
    hashes, refs, findings = recompute_chain(session, progress, is_cancelled)
    head_seq = max(hashes)
    head = ChainHead(head_seq, hashes[head_seq])
    n_checkpoints, marks, problems = anchors.check_checkpoints(
        session, hashes, refs["checkpoint_id"])
    n_signatures, sig_marks, sig_problems = anchors.check_signatures(
        session, hashes, refs["signature_id"])
    marks += sig_marks
    if findings:  # a precise break explains every anchor after it
        broken = findings[0].seq or 0
        marks = [m for m in marks if m.seq < broken]
    findings += anchors.locate_rewrites(marks) + problems + sig_problems
    findings.sort(key=lambda f: (f.seq is None, f.seq or 0))
    return VerificationReport(len(hashes) - 1, head, n_checkpoints, n_signatures,
                              tuple(findings))


def _event(row: SqlAuditEvent) -> AuditEvent:
    return AuditEvent(row.seq, row.at, row.actor, row.kind, row.subject, row.model,
                      dict(row.payload), row.prev_hash, row.hash)
