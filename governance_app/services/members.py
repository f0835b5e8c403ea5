"""Board members: add (with a new key pair), list, export a public key, revoke.

The private key is generated here, encrypted with the member's passphrase and handed to the
keystore; only the public key and fingerprint reach the workspace. Every change is recorded
as an audit event in the same transaction.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path

from governance_app.domain.audit import Member
from governance_app.errors import GovernanceError
from governance_app.governance import keys, keystore
from governance_app.governance import members as member_store
from governance_app.services.passphrase import PassphraseSource
from governance_app.services.workspace import Workspace


def os_user() -> str:
    """Who is at the keyboard, for audit events not made by a member."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (containers)
        return "unknown"


def add_member(
    ws: Workspace,
    name: str,
    roles: Sequence[str],
    email: str,
    passphrase: PassphraseSource | str,
    key_file: Path | None = None,
    *,
    scrypt_n: int = keys.DEFAULT_SCRYPT_N,
) -> Member:
    """Create a member with a fresh Ed25519 key pair.

    The key is stored (keyring or ``key_file``) before the member row is committed; if the
    workspace then refuses (duplicate name), the orphaned keyring entry holds only an
    encrypted key nobody refers to.

    Raises:
        KeyStoreError: no usable keyring (pass ``key_file``) or the key file exists.
        GovernanceError: the name is taken; the passphrase is missing or empty.
        InputError: bad name or no role.
    """
    source = passphrase if isinstance(passphrase, PassphraseSource) else PassphraseSource(
        passphrase)
    with ws.session() as session:  # fail early, before a key is made, on a taken name
        if name.strip() in {m.name for m in member_store.list_members(session)}:
            raise GovernanceError(f"a member named {name.strip()!r} already exists")
    if key_file is None:
        keystore.usable_keyring()  # no keyring: say so before asking for a passphrase
    secret = source.get(f"{name}'s new key", confirm=True)
    new_key = keys.generate(secret, scrypt_n=scrypt_n)
    location = keystore.store(new_key, name, key_file)
    with ws.session(immediate=True) as session:
        return member_store.create_member(session, name, roles, email, new_key, location,
                                          actor=os_user())


def list_members(ws: Workspace) -> list[Member]:
    with ws.session() as session:
        return member_store.list_members(session)


def get_member(ws: Workspace, name: str) -> Member:
    """Raises NotFoundError when there is no such member."""
    with ws.session() as session:
        return member_store.get_member(session, name)


def export_public_key(ws: Workspace, name: str) -> str:
    """The member's public key as PEM (for ``verify-attestation --public-key`` and DSSE tools)."""
    return get_member(ws, name).public_key_pem


def revoke_member(ws: Workspace, name: str, reason: str) -> Member:
    """Revoke a member's key (old signatures still verify; no new ones can be made)."""
    with ws.session(immediate=True) as session:
        return member_store.revoke_member(session, name, reason, actor=os_user())


def unlock(
    member: Member, passphrase: PassphraseSource | str, key_file: Path | None = None
) -> keystore.Signer:
    """The member's key, decrypted for one signature.

    Raises:
        GovernanceError: the member is revoked.
        KeyStoreError / WrongPassphrase / KeyFormatError: see ``keystore.unlock``.
    """
    if not member.active:
        raise GovernanceError(f"{member.name}'s key was revoked; it can no longer sign")
    source = passphrase if isinstance(passphrase, PassphraseSource) else PassphraseSource(
        passphrase)
    secret = source.get(f"{member.name}'s key")
    return keystore.unlock(member.fingerprint, member.key_location, secret, key_file)
