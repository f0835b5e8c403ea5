"""``board adopt``: a board takes over a governance history that predates boards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from governance_app.errors import GovernanceError
from governance_app.governance import keystore
from governance_app.governance.acts import ROOT_KIND
from governance_app.governance.root import founding_root, member_entry
from governance_app.services import key_locations
from governance_app.services.board import ActResult, record, source_of, state_of
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Adoption:
    """What ``board adopt`` did and found: the act, the legacy history and what to confirm."""

    result: ActResult
    legacy_events: int
    problems: tuple[str, ...]
    """What does not hold in the legacy history (the pre-board verification's findings)."""
    to_confirm: tuple[tuple[str, str, str], ...]
    """(name, roles, fingerprint) of the legacy members to re-admit through a request."""


def adopt(ws: Workspace, chair: str, passphrase: PassphraseSource | str,
          key_file: Path | None = None) -> Adoption:
    """Found the board over an existing history, with ``chair`` (a legacy chair) as root v1.

    The legacy history is checked by the rules it was made under and reported; its events
    stay in the chain, marked legacy. The governance tables become the chain's cache: they
    then list the board's members (the chair; the others re-join by request and admission,
    their fingerprints confirmed out of band) and what the board decides from here on.

    Raises:
        GovernanceError: a board exists, there is no legacy history (use ``board init``), or
            ``chair`` is not an active legacy chair.
    """
    from sqlalchemy import select

    from governance_app.governance.audit import verify_chain
    from governance_app.store.schema_governance import SqlMember

    state = state_of(ws)
    if state.board is not None:
        raise GovernanceError("this workspace already has a board")
    if not state.legacy:
        raise GovernanceError("there is no governance history to adopt: found a board with "
                              "`governance-app board init NAME`")
    with ws.session() as session:
        rows = session.scalars(select(SqlMember).order_by(SqlMember.name)).all()
        legacy = [(r.name, tuple(r.roles), r.email, r.public_key_pem, r.fingerprint,
                   r.revoked_at, r.key_location) for r in rows]
        problems = tuple(f.describe() for f in verify_chain(session).findings)
    found_chair = next((m for m in legacy if m[0] == chair), None)
    if found_chair is None or "chair" not in found_chair[1] or found_chair[5] is not None:
        raise GovernanceError(f"{chair!r} is not an active chair of the existing history")
    name, _, email, pem, fingerprint, _, location = found_chair
    entry = member_entry(name, ["chair"], email, pem, fingerprint)
    secret = source_of(passphrase).get(f"{name}'s key")
    signer = keystore.unlock(fingerprint, key_locations.location_of(fingerprint)
                             if location in ("", None) else location, secret, key_file)
    key_locations.remember(fingerprint, f"file:{key_file}" if key_file else location)
    with ws.session() as session:
        from governance_app.governance.audit import chain_head

        head = chain_head(session)
    root = founding_root(entry)
    others = tuple((m[0], ", ".join(m[1]), m[4]) for m in legacy
                   if m[0] != name and m[5] is None)
    change = {"type": "adopt", "member": entry, "legacy_until": head.seq,
              "legacy_members": [{"name": n, "fingerprint": fp} for n, _, fp in others]}
    result = record(ws, ROOT_KIND, {"change": change, "root": root.document}, signer,
                    actor=name, subject=f"board {root.board[:12]}", founding=root)
    return Adoption(result, state.legacy, problems, others)

