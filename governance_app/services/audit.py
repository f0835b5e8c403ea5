"""The audit trail for front ends: list events, sign checkpoints, verify the whole workspace."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from governance_app.domain.audit import AuditEvent, ChainHead, Checkpoint, VerificationReport
from governance_app.governance import audit as chain
from governance_app.governance import members as member_store
from governance_app.services.members import os_user, unlock
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace

ProgressFn = Callable[[int, int, str], None]


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


def record_import(
    session: Session, kind: str, source: Path | str, sha256: str, counts: dict[str, Any],
    changes: dict[str, Any], import_id: int, model: str | None = None,
) -> AuditEvent:
    """Append the ``import`` event inside the import's own transaction (all-or-nothing).

    Args:
        model: ``NAME:VERSION`` the evidence was attached to, if any.
    """
    name = model.rsplit(":", 1)[0] if model else None
    return chain.append_event(
        session, "import", os_user(), str(source),
        {"import_id": import_id, "kind": kind, "source": str(source), "sha256": sha256,
         "counts": counts, "changes": changes, "attached_to": model},
        model=name,
    )


def head(ws: Workspace) -> ChainHead:
    with ws.session() as session:
        return chain.chain_head(session)


def checkpoint(
    ws: Workspace, member_name: str, passphrase: PassphraseSource | str,
    key_file: Path | None = None,
) -> Checkpoint:
    """Have ``member_name`` sign the current chain head (asks for their passphrase).

    Raises:
        NotFoundError: no such member.
        GovernanceError: revoked member, empty trail, or the key cannot be unlocked
            (``WrongPassphrase``, ``KeyStoreError``).
    """
    with ws.session() as session:
        member = member_store.get_member(session, member_name)
    signer = unlock(member, passphrase, key_file)
    with ws.session(immediate=True) as session:
        return chain.checkpoint(session, member, signer)


def verify_workspace(
    ws: Workspace, progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> VerificationReport:
    """Recompute the chain and check every checkpoint and review signature against it.

    Checks: each event's hash and link (an edited or deleted row); each checkpoint's and
    signature's Ed25519 signature over its stored bytes with the member's public key; that a
    signature's review id and evidence digest match its review (a moved signature, evidence
    changed after signing); that nothing was signed after its key's revocation; and that every
    signed chain head matches the recomputed chain (a recomputed forgery).
    """
    with ws.session() as session:
        return chain.verify_chain(session, progress, is_cancelled)
