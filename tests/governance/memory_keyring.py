"""An in-memory keyring backend for tests (installed with ``keyring.set_keyring``)."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict: nothing touches the real OS keyring during tests."""

    priority = 1  # type: ignore[assignment]
    # keyring auto-detects every loaded backend class; not viable keeps this one out of that,
    # so a test that wants "no keyring" really gets none. Tests install it explicitly.
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
