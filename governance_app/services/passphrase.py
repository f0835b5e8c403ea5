"""Where a member's passphrase comes from: a value, a file, the environment, or a prompt.

Automation passes it in ``GOVERNANCE_APP_PASSPHRASE`` or ``--passphrase-file`` (as cosign does
with ``COSIGN_PASSWORD``); people are prompted without echo (the CLI supplies ``getpass``, the
GUI a password field). It is asked for every signature: no key is ever used without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from governance_app.errors import GovernanceError, InputError

ENV_PASSPHRASE = "GOVERNANCE_APP_PASSPHRASE"
MAX_PASSPHRASE_FILE = 4096

Prompt = Callable[[str], str]
"""``prompt(text) -> passphrase`` without echo (``getpass.getpass`` in a terminal)."""


@dataclass(frozen=True, slots=True)
class PassphraseSource:
    """The first of: ``value``, ``file``, ``$GOVERNANCE_APP_PASSPHRASE``, ``prompt``."""

    value: str | None = None
    file: Path | None = None
    prompt: Prompt | None = None

    def get(self, purpose: str, *, confirm: bool = False) -> str:
        """The passphrase for ``purpose`` (e.g. ``"Ana Lima's key"``).

        Args:
            confirm: when prompting, ask twice (choosing a new passphrase).

        Raises:
            InputError: the passphrase file is unreadable or empty.
            GovernanceError: no source gave one, or the two prompts differ.
        """
        if self.value is not None:
            return _non_empty(self.value, "the given passphrase")
        if self.file is not None:
            return _read_file(Path(self.file))
        from_env = os.environ.get(ENV_PASSPHRASE)
        if from_env:
            return from_env
        if self.prompt is None:
            raise GovernanceError(
                f"no passphrase for {purpose}: set {ENV_PASSPHRASE} or pass --passphrase-file"
            )
        first = _non_empty(self.prompt(f"Passphrase for {purpose}: "), "the passphrase")
        if confirm and self.prompt(f"Repeat the passphrase for {purpose}: ") != first:
            raise GovernanceError("the two passphrases differ; nothing was changed")
        return first


def _non_empty(value: str, what: str) -> str:
    if not value:
        raise GovernanceError(f"{what} is empty")
    return value


def _read_file(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PASSPHRASE_FILE + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read the passphrase file ({exc.strerror})") from exc
    if len(data) > MAX_PASSPHRASE_FILE:
        raise InputError(path, "passphrase file is too large",
                         expected=f"at most {MAX_PASSPHRASE_FILE} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "passphrase file is not UTF-8",
                         location=f"byte {exc.start}") from exc
    # One trailing newline is how editors and `echo` end a file; it is not part of the secret.
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise InputError(path, "passphrase file is empty", expected="the passphrase on line 1")
    return text
