"""The board: found it, admit, revoke and re-key members, adopt policies, export the root.

Each change is a signed act (:func:`governance.ledger.append_act`): a new root version signed
by a chair of the current one, or a membership request signed by the new member's own key
(proof of possession). Admission happens only when the fingerprint a chair read out of band
(``member export-key`` on the new member's machine, read aloud) equals the request's key, so
whoever writes the database cannot slip another key in. Every act leaves a receipt outside the
workspace (:mod:`~governance_app.services.witnesses`) and returns ``head #N <20 hex>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_app.domain.audit import Member
from governance_app.errors import GovernanceError, InputError, NotFoundError
from governance_app.governance import keys, keystore
from governance_app.governance.acts import REQUEST_KIND, ROOT_KIND
from governance_app.governance.board_state import BoardState, DerivedMember
from governance_app.governance.ledger import Appended, append_act, board_state
from governance_app.governance.policy import parse_policy
from governance_app.governance.review_rules import policy_entry
from governance_app.governance.root import (
    Root,
    RootRefused,
    apply_change,
    founding_root,
    member_entry,
    root_file,
)
from governance_app.importers.safe_io import MAX_YAML_BYTES, read_text
from governance_app.services import key_locations, witnesses
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ActResult:
    """What a signed act did, for the front ends: the head to write in the minutes."""

    seq: int
    head: str
    kind: str
    signer: str
    receipt: str | None
    detail: dict[str, Any]

    @property
    def head_line(self) -> str:
        return f"head #{self.seq} {self.head[:20]}"


def state_of(ws: Workspace) -> BoardState:
    """The board's state replayed from the chain (the only source of governance truth)."""
    with ws.session() as session:
        return board_state(session)


def as_member(member: DerivedMember) -> Member:
    """A derived member as the domain value, with where this machine keeps their key."""
    return Member(member.id, member.name, member.roles, member.email, member.fingerprint,
                  member.public_key, key_locations.location_of(member.fingerprint),
                  member.created_at, member.revoked_at, member.revoked_reason)


def members(ws: Workspace) -> list[Member]:
    return sorted((as_member(m) for m in state_of(ws).members.values()), key=lambda m: m.name)


def member(ws: Workspace, name: str, state: BoardState | None = None) -> Member:
    """Raises NotFoundError naming who is on the board."""
    state = state or state_of(ws)
    found = state.members.get(name)
    if found is None:
        known = ", ".join(sorted(state.members)) or "none yet"
        raise NotFoundError(f"no member named {name!r} on the board (members: {known})")
    return as_member(found)


def source_of(passphrase: PassphraseSource | str) -> PassphraseSource:
    return passphrase if isinstance(passphrase, PassphraseSource) else PassphraseSource(
        passphrase)


def unlock(member_: Member, passphrase: PassphraseSource | str,
           key_file: Path | None = None) -> keystore.Signer:
    """The member's key for one act (asks for their passphrase).

    Raises:
        GovernanceError: the member is revoked (a revoked key is never unlocked).
        KeyStoreError / WrongPassphrase / KeyFormatError: see ``keystore.unlock``.
    """
    if not member_.active:
        raise GovernanceError(f"{member_.name}'s key was revoked; it can no longer sign")
    secret = source_of(passphrase).get(f"{member_.name}'s key")
    return keystore.unlock(member_.fingerprint, member_.key_location, secret, key_file)


def record(ws: Workspace, kind: str, body: dict[str, Any], signer: keystore.Signer, *,
           actor: str, subject: str, model: str | None = None,
           founding: Root | None = None) -> ActResult:
    """Append one signed act, then leave this machine's receipt of it."""
    with ws.session(immediate=True) as session:
        appended: Appended = append_act(session, kind, body, signer, actor=actor,
                                        subject=subject, model=model, founding_root=founding,
                                        precheck=receipts_held)
    event = appended.event
    board = appended.state.board or ""
    try:
        receipt = str(witnesses.write_receipt(board, event.seq, event.hash, actor, kind))
    except OSError:
        receipt = None
    return ActResult(event.seq, event.hash, kind, actor, receipt, {"act": appended.act})


def check_receipts(ws: Workspace) -> None:
    """Refuse to sign on a workspace that lost a head this machine holds a receipt of.

    Raises:
        GovernanceError: the chain no longer holds a receipt's head (rolled back, truncated
            or rewritten); signing on it would bury the evidence.
    """
    receipts_held(state_of(ws))


def receipts_held(state: BoardState) -> None:
    """:func:`check_receipts` on a state already replayed (under the append lock)."""
    if state.board is None:
        return
    for receipt in witnesses.receipts(state.board, newest_only=True):
        if not receipt.held_by(state.hashes, state.head_seq):
            raise GovernanceError(
                f"this workspace no longer holds head #{receipt.seq} {receipt.head[:20]} that "
                f"this machine signed ({receipt.source}): it was rolled back or rewritten; "
                "nothing was signed. Run `governance-app verify`.")


def _new_key(name: str, passphrase: PassphraseSource | str, key_file: Path | None,
             scrypt_n: int) -> tuple[keys.NewKey, str, str]:
    if key_file is None:
        keystore.usable_keyring()  # no keyring: say so before asking for a passphrase
    secret = source_of(passphrase).get(f"{name}'s new key", confirm=True)
    new_key = keys.generate(secret, scrypt_n=scrypt_n)
    location = keystore.store(new_key, name, key_file)
    key_locations.remember(new_key.fingerprint, location)
    return new_key, location, secret


def found(ws: Workspace, name: str, passphrase: PassphraseSource | str, *,
          email: str = "", key_file: Path | None = None,
          scrypt_n: int = keys.DEFAULT_SCRYPT_N) -> ActResult:
    """Found the board with ``name`` as its first chair (a new key pair).

    The chain may already hold data events (imports): they decide nothing. Governance events
    made without a board are an existing history, which ``board adopt`` takes over instead.

    Raises:
        GovernanceError: a board exists, or the chain holds governance events.
    """
    state = state_of(ws)
    if state.board is not None:
        raise GovernanceError("this workspace already has a board; it cannot be founded twice")
    if state.legacy:
        raise GovernanceError(f"the audit chain already holds {state.legacy} governance "
                              "event(s) made without a board: `governance-app board adopt` "
                              "takes over an existing history")
    entry = member_entry(name, ["chair"], email, "", "")
    new_key, location, secret = _new_key(entry["name"], passphrase, key_file, scrypt_n)
    entry.update(public_key=new_key.public_pem, fingerprint=new_key.fingerprint)
    root = founding_root(entry)
    signer = keystore.unlock(new_key.fingerprint, location, secret, key_file)
    return record(ws, ROOT_KIND, {"change": {"type": "found", "member": entry},
                                  "root": root.document},
                  signer, actor=entry["name"], subject=f"board {root.board[:12]}", founding=root)


def request_membership(ws: Workspace, name: str, roles: Sequence[str],
                       passphrase: PassphraseSource | str, *, email: str = "",
                       key_file: Path | None = None,
                       scrypt_n: int = keys.DEFAULT_SCRYPT_N) -> ActResult:
    """A new key pair and a request, signed by it, to join (or, for a member, to re-key).

    Raises:
        InputError: bad name or no role (for a new member).
        GovernanceError: no board yet.
    """
    state = state_of(ws)
    if state.root is None:
        raise GovernanceError("this workspace has no board yet: found one with "
                              "`governance-app board init NAME`")
    existing = state.root.member(name.strip())
    purpose = "rekey" if existing is not None else "admit"
    roles = list(existing.roles) if existing is not None else list(roles)
    entry = member_entry(name, roles, email, "", "")
    new_key, location, secret = _new_key(entry["name"], passphrase, key_file, scrypt_n)
    signer = keystore.unlock(new_key.fingerprint, location, secret, key_file)
    body = {"purpose": purpose, "name": entry["name"], "roles": entry["roles"],
            "email": entry["email"], "public_key": new_key.public_pem,
            "fingerprint": new_key.fingerprint}
    result = record(ws, REQUEST_KIND, body, signer, actor=entry["name"],
                    subject=f"member {entry['name']}")
    result.detail.update(purpose=purpose, fingerprint=new_key.fingerprint)
    return result


def _root_change(ws: Workspace, chair: str, passphrase: PassphraseSource | str,
                 key_file: Path | None, change: dict[str, Any], subject: str,
                 extra: dict[str, Any] | None = None) -> ActResult:
    state = state_of(ws)
    if state.root is None:
        raise GovernanceError("this workspace has no board yet: found one with "
                              "`governance-app board init NAME`")
    acting = member(ws, chair, state)
    if not state.root.may_change_root(acting.fingerprint):
        raise GovernanceError(f"{chair} is not an active chair: only a chair changes the "
                              "board's root")
    request = None
    if change["type"] in ("admit", "rekey"):
        pending = state.requests.get(change["name"])
        if pending is None or pending[0].get("purpose") != change["type"]:
            raise NotFoundError(f"no pending request from {change['name']!r} to "
                                f"{change['type']}: they run `governance-app member add` first")
        request = pending[0]
        change["request"] = pending[1]
    try:
        new_root = apply_change(state.root, change, request)
    except RootRefused as exc:
        raise GovernanceError(f"refused: {exc}; nothing was changed") from exc
    signer = unlock(acting, passphrase, key_file)
    body = {"change": change, "root": new_root.document, **(extra or {})}
    result = record(ws, ROOT_KIND, body, signer, actor=acting.name, subject=subject)
    result.detail.update(root_version=new_root.version, root_digest=new_root.digest)
    return result


def admit(ws: Workspace, name: str, fingerprint: str, chair: str,
          passphrase: PassphraseSource | str, key_file: Path | None = None) -> ActResult:
    """Admit ``name`` when ``fingerprint`` (checked out of band) is their request's key."""
    return _root_change(ws, chair, passphrase, key_file,
                        {"type": "admit", "name": name, "fingerprint": _fp(fingerprint)},
                        f"member {name}")


def rekey(ws: Workspace, name: str, fingerprint: str, chair: str,
          passphrase: PassphraseSource | str, key_file: Path | None = None) -> ActResult:
    """Replace ``name``'s lost key by the key of their new request (same out-of-band check)."""
    return _root_change(ws, chair, passphrase, key_file,
                        {"type": "rekey", "name": name, "fingerprint": _fp(fingerprint)},
                        f"member {name}")


def revoke(ws: Workspace, name: str, reason: str, chair: str,
           passphrase: PassphraseSource | str, key_file: Path | None = None) -> ActResult:
    """Revoke ``name``'s key (old acts still verify; none can be made with it again)."""
    if not reason.strip():
        raise InputError("revocation", "no reason given", expected="--reason TEXT")
    return _root_change(ws, chair, passphrase, key_file,
                        {"type": "revoke", "name": name, "reason": reason.strip()},
                        f"member {name}")


def add_policy(ws: Workspace, path: Path, chair: str, passphrase: PassphraseSource | str,
               key_file: Path | None = None) -> tuple[Any, int, ActResult | None]:
    """Make the policy file the active version of its name (unchanged: nothing to sign).

    Returns:
        The policy, its version, and the act (None when the text was already active).
    """
    text = read_text(path, limit=MAX_YAML_BYTES)
    policy = parse_policy(path, text)
    parsed = policy.as_dict()
    state = state_of(ws)
    current = state.root.policies.get(policy.name) if state.root else None
    entry = policy_entry(parsed, current["version"] + 1 if current else 1)
    if current is not None and current["digest"] == entry["digest"]:
        return policy, int(current["version"]), None
    result = _root_change(ws, chair, passphrase, key_file, {"type": "policy", "policy": entry},
                          f"policy:{policy.name}",
                          {"policy_document": {"parsed": parsed, "yaml_text": text}})
    return policy, int(entry["version"]), result


def export_root(ws: Workspace) -> dict[str, Any]:
    """The root file: the board's whole signed root history.

    Raises:
        GovernanceError: no board yet.
    """
    state = state_of(ws)
    if not state.root_acts:
        raise GovernanceError("this workspace has no board yet: nothing to export")
    return root_file(state.root_acts)


def _fp(text: str) -> str:
    clean = "".join(text.split()).lower()
    if len(clean) != 64 or any(c not in "0123456789abcdef" for c in clean):
        raise InputError("--fingerprint", f"{text!r} is not a key fingerprint",
                         expected="64 hex digits (spaces allowed), as `member add` printed")
    return clean

