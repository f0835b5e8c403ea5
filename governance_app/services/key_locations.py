"""Which file or keyring entry holds a member's private key on this machine.

Per-user configuration, never the workspace: a shared database must not tell an attacker where
each member keeps their key, and the same member signs from different machines. The map
(fingerprint → ``"keyring"`` or ``"file:/path"``) lives in the user's configuration folder
(``$GOVERNANCE_APP_CONFIG_DIR`` overrides it, as tests do).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from governance_app.governance.keystore import KEYRING_LOCATION

ENV_CONFIG_DIR = "GOVERNANCE_APP_CONFIG_DIR"
FILE_NAME = "key-locations.json"


def config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("governance-app", appauthor=False))


def _path() -> Path:
    return config_dir() / FILE_NAME


def _read() -> dict[str, str]:
    try:
        doc = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def remember(fingerprint: str, location: str) -> None:
    """Record where this machine keeps the key ``fingerprint``."""
    locations = _read()
    locations[fingerprint] = location
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file of its own, then an atomic rename: two processes remembering keys at
    # once never write into each other's file, and a reader never sees half of one.
    handle, tmp = tempfile.mkstemp(prefix=".key-locations-", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(locations, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def location_of(fingerprint: str) -> str:
    """Where the key is kept on this machine (the OS keyring when nothing is recorded)."""
    return _read().get(fingerprint, KEYRING_LOCATION)
