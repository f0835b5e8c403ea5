"""Where members' encrypted private keys live: the OS keyring, or a key file.

The workspace records each member's key *location* (``"keyring"`` or ``"file:/abs/path"``);
``--key-file`` on a later command overrides it (a key file carried on a USB stick, say).
The envelope stored in either place is already passphrase-encrypted (``keys.encrypt``), so the
keyring adds "something you have" to the passphrase's "something you know".

We never fall back to ``keyrings.alt``: it silently keeps secrets in plain files. A machine
without a usable keyring gets a :class:`KeyStoreError` that points to ``--key-file``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance_app.errors import GovernanceError
from governance_app.governance import keys

if TYPE_CHECKING:  # keyring loads on use: reading a board's state never touches a key
    import keyring.backend

KEYRING_SERVICE = "governance-app"
KEY_FILE_FORMAT = "governance-app/member-key/1"
KEYRING_LOCATION = "keyring"


class KeyStoreError(GovernanceError):
    """The private key cannot be stored or found (no keyring, missing or unreadable file)."""


def keyring_username(fingerprint: str) -> str:
    """The keyring entry's user name for a key: ``member:<fingerprint>``."""
    return f"member:{fingerprint}"


def file_location(path: Path) -> str:
    """The location string recorded for a key file (absolute path)."""
    return f"file:{Path(path).expanduser().resolve()}"


def usable_keyring() -> keyring.backend.KeyringBackend:
    """The OS keyring backend, if it is a real one.

    Raises:
        KeyStoreError: no backend (``keyring.backends.fail.Keyring``), a chainer with nothing
            in it, or a ``keyrings.alt`` plain-text backend; the message points to --key-file.
    """
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    module = type(backend).__module__
    empty_chain = hasattr(backend, "backends") and not backend.backends
    if module.startswith(("keyring.backends.fail", "keyrings.alt")) or empty_chain:
        raise KeyStoreError(
            f"no usable OS keyring on this machine (backend {name}); keep the key in a "
            "passphrase-protected file instead with --key-file PATH"
        )
    return backend


def store(new_key: keys.NewKey, member: str, key_file: Path | None = None) -> str:
    """Keep ``new_key``'s encrypted private half; return its location string for the DB.

    Args:
        key_file: write a key file (mode 0600, refused if it exists) instead of the keyring.

    Raises:
        KeyStoreError: no usable keyring, the keyring refused, or the file cannot be written.
    """
    if key_file is not None:
        return _write_key_file(Path(key_file), new_key, member)
    from keyring.errors import KeyringError

    backend = usable_keyring()
    try:
        backend.set_password(KEYRING_SERVICE, keyring_username(new_key.fingerprint),
                             new_key.envelope)
    except KeyringError as exc:
        raise KeyStoreError(
            f"the OS keyring refused to store the key ({exc}); use --key-file PATH instead"
        ) from exc
    return KEYRING_LOCATION


def load_envelope(fingerprint: str, location: str, key_file: Path | None = None) -> str:
    """The encrypted private key for ``fingerprint`` from ``key_file`` or the recorded location.

    Raises:
        KeyStoreError: the keyring has no such entry / is unusable, or the file is missing,
            unreadable or holds another key.
    """
    if key_file is not None:
        return _read_key_file(Path(key_file), fingerprint)
    if location.startswith("file:"):
        return _read_key_file(Path(location.removeprefix("file:")), fingerprint)
    from keyring.errors import KeyringError

    backend = usable_keyring()
    try:
        text = backend.get_password(KEYRING_SERVICE, keyring_username(fingerprint))
    except KeyringError as exc:
        raise KeyStoreError(f"the OS keyring failed ({exc}); use --key-file PATH") from exc
    if text is None:
        raise KeyStoreError(
            f"the OS keyring of this machine holds no private key for {keys.grouped(fingerprint)}"
            " (was the member added on another machine? pass its --key-file)"
        )
    return text


@dataclass(frozen=True, slots=True)
class Signer:
    """An unlocked private key, held only for the one operation that needed the passphrase."""

    fingerprint: str
    _private: Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature of exactly ``data``."""
        return self._private.sign(data)


def unlock(
    fingerprint: str, location: str, passphrase: str, key_file: Path | None = None
) -> Signer:
    """Load and decrypt a member's key for one signature.

    Raises:
        KeyStoreError: the key cannot be found.
        WrongPassphrase: the passphrase is wrong.
        KeyFormatError: the stored key is damaged or is another member's.
    """
    envelope = load_envelope(fingerprint, location, key_file)
    return Signer(fingerprint, keys.decrypt(envelope, passphrase, fingerprint))


def _write_key_file(path: Path, new_key: keys.NewKey, member: str) -> str:
    path = path.expanduser().resolve()
    doc = {
        "format": KEY_FILE_FORMAT,
        "member": member,
        "fingerprint": new_key.fingerprint,
        "public_key": new_key.public_pem,
        "private_key": json.loads(new_key.envelope),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyStoreError(f"{path}: already exists; choose a new key file") from exc
    except OSError as exc:
        raise KeyStoreError(f"{path}: cannot create the key file ({exc.strerror})") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(doc, out, indent=2)
        out.write("\n")
    return file_location(path)


def _read_key_file(path: Path, fingerprint: str) -> str:
    path = path.expanduser()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KeyStoreError(f"{path}: key file not found (pass --key-file PATH)") from exc
    except (OSError, ValueError) as exc:
        raise KeyStoreError(f"{path}: not a readable governance-app key file ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != KEY_FILE_FORMAT:
        raise KeyStoreError(f"{path}: not a governance-app key file (format {KEY_FILE_FORMAT})")
    if doc.get("fingerprint") != fingerprint:
        raise KeyStoreError(
            f"{path}: holds the key {keys.grouped(str(doc.get('fingerprint')))}, not "
            f"{keys.grouped(fingerprint)}"
        )
    return json.dumps(doc["private_key"])
