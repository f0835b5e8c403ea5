"""The audit trail for front ends: list events, sign checkpoints, verify the whole workspace.

``verify`` trusts nothing in the database. It recomputes the hash chain, replays every event
from genesis (breaks: acts that fail a signature or a rule), compares every governance table
with the replayed state (mismatches) and the imported registry with the last import's digest,
and, when given them, checks the board's root history against a root file kept outside the
workspace and the heads that witnesses (receipts, checkpoint files, sealed PDFs, minutes) hold.
Without a root file, trust is anchored only by the workspace itself, and the report says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_app.domain.audit import (
    AuditEvent,
    ChainHead,
    Checkpoint,
    Finding,
    VerificationReport,
)
from governance_app.errors import InputError
from governance_app.governance import audit as chain
from governance_app.governance.acts import CHECKPOINT
from governance_app.governance.approval_lapses import ApprovalLapse, approval_lapses
from governance_app.governance.board_state import BoardState, Break, Mismatch
from governance_app.governance.board_tables import mismatches
from governance_app.governance.registry_digest import registry_digest_like, registry_sha256
from governance_app.governance.replay import Replayer
from governance_app.governance.root import Root, compare_roots, read_root_file
from governance_app.services import board, witnesses
from governance_app.services.members import os_user
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace
from governance_app.store.schema_governance import SqlAuditEvent

ProgressFn = Callable[[int, int, str], None]
MAX_ROOT_FILE = 16 * 1024 * 1024


def list_events(
    ws: Workspace,
    model: str | None = None,
    since: datetime | None = None,
    kinds: Sequence[str] | None = None,
    *,
    actor: str | None = None,
) -> list[AuditEvent]:
    """Audit events in chain order, filtered (``since`` is inclusive, an aware datetime)."""
    with ws.session() as session:
        return chain.audit_events(session, model, since, kinds, actor=actor)


def registry_before_import(session: Session) -> str:
    """Take the chain's append lock, then the registry digest before an import writes.

    Recorded with the import (``registry_before``): replay compares it with the previous
    import's digest after, so an edit made between two imports is caught, not only one made
    after the last. The lock comes first, so an honest import that commits meanwhile on a
    shared PostgreSQL cannot make the digest stale.
    """
    chain.lock_chain(session)
    return registry_digest_like(session, _last_import_digest(session))


def _last_import_digest(session: Session) -> str | None:
    """The registry digest the last import recorded after it wrote (``None``: no import yet,
    or none recorded one); its scheme is the one the next *before* is computed in."""
    payloads = session.execute(
        select(SqlAuditEvent.payload).where(SqlAuditEvent.kind == "import")
        .order_by(SqlAuditEvent.seq.desc())).scalars()
    for payload in payloads:
        if isinstance(payload, dict) and "registry_sha256" in payload:
            return str(payload["registry_sha256"])
    return None


def record_import(
    session: Session, kind: str, source: Path | str, sha256: str, counts: dict[str, Any],
    changes: dict[str, Any], import_id: int, model: str | None = None,
    registry_before: str | None = None,
) -> AuditEvent:
    """Append the ``import`` event inside the import's own transaction (all-or-nothing).

    It records the digest of the imported registry after the import (``registry_sha256``),
    so an edit to imported records after it is caught by ``verify``.

    Args:
        model: ``NAME:VERSION`` the evidence was attached to, if any.
    """
    name = model.rsplit(":", 1)[0] if model else None
    return chain.append_event(
        session, "import", os_user(), str(source),
        {"import_id": import_id, "kind": kind, "source": str(source), "sha256": sha256,
         "counts": counts, "changes": changes, "attached_to": model,
         "registry_sha256": registry_sha256(session)}
        | ({"registry_before": registry_before} if registry_before is not None else {}),
        model=name,
    )


def head(ws: Workspace) -> ChainHead:
    with ws.session() as session:
        return chain.chain_head(session)


def checkpoint(
    ws: Workspace, member_name: str, passphrase: PassphraseSource | str,
    key_file: Path | None = None, output: Path | None = None,
) -> tuple[Checkpoint, board.ActResult]:
    """Have ``member_name`` sign the current chain head (a signed act), and write it to
    ``output`` as a checkpoint file to keep outside the workspace (a witness).

    Raises:
        InputError: ``output`` exists (never overwritten).
        NotFoundError: no such member.
        GovernanceError: revoked member, no board, or the key cannot be unlocked.
    """
    if output is not None and Path(output).exists():
        raise InputError(output, "the file exists; nothing was written",
                         expected="a path where no file exists yet")
    member = board.member(ws, member_name)
    signer = board.unlock(member, passphrase, key_file)
    result = board.record(ws, CHECKPOINT, {"purpose": "checkpoint"}, signer,
                          actor=member.name, subject="chain head")
    act = result.detail["act"]
    if output is not None:
        doc = {"format": witnesses.CHECKPOINT_FORMAT, "member": member.name,
               **act.as_payload()}
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(doc, out, indent=2)
            out.write("\n")
    number = len(board.state_of(ws).checkpoints)
    return (Checkpoint(number, act.prev_seq, act.prev_hash, member.name, member.fingerprint,
                       act.signed_at), result)


@dataclass(frozen=True, slots=True)
class BoardVerification:
    """Everything ``verify`` found, and what it was anchored by."""

    chain: VerificationReport
    anchored_by: str
    root: Root | None
    root_problems: tuple[str, ...]
    witnesses: tuple[tuple[witnesses.Witness, bool], ...]
    breaks: tuple[Break, ...]
    mismatches: tuple[Mismatch, ...]
    legacy: int
    board: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    lapses: tuple[ApprovalLapse, ...] = ()
    """Approvals whose expiry or condition has passed: reported, never a chain failure (the
    chain that recorded them holds; the approvals no longer do)."""

    @property
    def ok(self) -> bool:
        return (self.chain.ok and not self.root_problems and not self.breaks
                and not self.mismatches and all(held for _, held in self.witnesses))

    def as_report(self) -> VerificationReport:
        """Everything as one :class:`VerificationReport` (the GUI's and PDF's form)."""
        findings = list(self.chain.findings)
        findings += [Finding("root", None, p) for p in self.root_problems]
        findings += [Finding("event", b.seq, f"{b.kind}: {b.problem}") for b in self.breaks]
        findings += [Finding("table", None, f"{m.table} row {m.row} {m.field}: {m.problem}")
                     for m in self.mismatches]
        findings += [Finding("witness", w.seq, f"{w.source}: the chain does not hold head "
                             f"#{w.seq} {w.head[:20]}") for w, held in self.witnesses
                     if not held]
        findings.sort(key=lambda f: (f.seq is None, f.seq or 0))
        c = self.chain
        return VerificationReport(c.events, c.head, c.checkpoints, c.signatures,
                                  tuple(findings), self.witness_summary())

    def witness_summary(self) -> str:
        """The newest witness and whether the chain holds it, in words."""
        if not self.witnesses:
            return ""
        newest, held = max(self.witnesses, key=lambda pair: pair[0].seq)
        return (f"newest receipt #{newest.seq} {'in the chain' if held else 'NOT in the chain'}"
                if newest.source.startswith("receipt") else
                f"witness #{newest.seq} {'in the chain' if held else 'NOT in the chain'}")


def verify_board(
    ws: Workspace, root_file: Path | None = None, witness_args: Sequence[str] = (),
    progress: ProgressFn | None = None, is_cancelled: Callable[[], bool] | None = None,
    as_of: date | None = None,
) -> BoardVerification:
    """Recompute, replay and compare (see the module docstring).

    Args:
        as_of: the day approvals' lapses are judged on (today, UTC, by default).

    Raises:
        InputError: a malformed root or witness file (exit 2).
    """
    trusted: list[Root] | None = None
    if root_file is not None:
        _, trusted = read_root_file(str(root_file), _read(root_file))
    given = [witnesses.parse_witness(text) for text in witness_args]
    replayer = Replayer()
    with ws.session() as session:  # one pass: recompute the hashes and replay every event
        hashes, _, findings = chain.recompute_chain(
            session, progress, is_cancelled,
            on_event=lambda row: replayer.feed(row[0], row[3], row[6], row[7], row[8]))
        state = replayer.state
        found = mismatches(session, state) if state.board is not None else []
        found += _registry_mismatch(session, state)
    head_seq = max(hashes)
    report = VerificationReport(len(hashes) - 1, ChainHead(head_seq, hashes[head_seq]),
                                len(state.checkpoints), len(state.signatures), tuple(findings))
    problems: list[str] = []
    if trusted is not None:
        if state.board is None:
            problems.append("the workspace has no board, but a root file was given")
        else:
            problems += compare_roots(trusted, state.roots, "the workspace")
    held = [w for w in witnesses.receipts(state.board)] if state.board else []
    checked = [(w, w.held_by(hashes)) for w in [*held, *given]]
    for w, _ in checked:
        if w.board is not None and state.board is not None and w.board != state.board:
            problems.append(f"{w.source} belongs to another board")
    anchored = ("the workspace alone" if trusted is None else "the root file") + \
        (" and witnesses" if checked else "")
    day = as_of or datetime.now(UTC).date()
    return BoardVerification(report, anchored, state.root, tuple(problems), tuple(checked),
                             tuple(state.breaks), tuple(found), state.legacy, state.board,
                             lapses=tuple(approval_lapses(state, day)))


def _registry_mismatch(session: Session, state: BoardState) -> list[Mismatch]:
    found = [Mismatch("registry", f"between import events #{before} and #{after}", "*",
                      "the imported registry (models, versions, aliases, runs, metrics, "
                      "datasets) was changed between these two imports")
             for before, after in state.registry_gaps]
    last = state.last_import
    if last is None:
        return found
    now = registry_digest_like(session, last["registry_sha256"])
    if now == last["registry_sha256"]:
        return found
    return [*found, Mismatch("registry", f"after import event #{last['seq']}", "*",
                     "the imported registry (models, versions, aliases, runs, metrics, "
                     "datasets) changed since the last import recorded its digest")]


def _read(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the root file ({exc.strerror})",
                         expected="a board root file from `board root -o`") from exc
    if len(data) > MAX_ROOT_FILE:
        raise InputError(path, "the root file is too large", expected="at most 16 MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "the root file is not UTF-8", location=f"byte {exc.start}",
                         expected="JSON") from exc


def verify_workspace(
    ws: Workspace, progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> VerificationReport:
    """:func:`verify_board` with this machine's receipts, as one report (GUI, PDF)."""
    return verify_board(ws, progress=progress, is_cancelled=is_cancelled).as_report()
