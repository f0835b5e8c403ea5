"""Private keys in the OS keyring or a 0600 key file; no keyring is a clear error."""

from __future__ import annotations

import json
import stat

import pytest

from governance_app.governance import keys, keystore

FAST = keys.MIN_SCRYPT_N


def test_keyring_round_trip(memory_keyring) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    location = keystore.store(new, "Ana Lima", None)
    assert location == "keyring"
    assert memory_keyring.entries[("governance-app", f"member:{new.fingerprint}")] == new.envelope
    signer = keystore.unlock(new.fingerprint, location, "pw")
    assert keys.verify(new.public_pem, signer.sign(b"hello"), b"hello")


def test_keyring_without_the_entry_points_to_the_key_file(memory_keyring) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    with pytest.raises(keystore.KeyStoreError, match="--key-file"):
        keystore.unlock(new.fingerprint, "keyring", "pw")


def test_no_keyring_is_a_clear_error_pointing_to_key_file(no_keyring) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    with pytest.raises(keystore.KeyStoreError, match=r"no usable OS keyring.*--key-file"):
        keystore.store(new, "Ana Lima", None)
    with pytest.raises(keystore.KeyStoreError, match="--key-file"):
        keystore.unlock(new.fingerprint, "keyring", "pw")


def test_key_file_is_private_and_round_trips(tmp_path, no_keyring) -> None:
    new = keys.generate("pw", scrypt_n=FAST)
    path = tmp_path / "ana.key"
    location = keystore.store(new, "Ana Lima", path)
    assert location == f"file:{path.resolve()}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = json.loads(path.read_text())
    assert doc["member"] == "Ana Lima" and doc["fingerprint"] == new.fingerprint
    assert "PRIVATE KEY" not in path.read_text()
    signer = keystore.unlock(new.fingerprint, location, "pw")
    assert keys.verify(new.public_pem, signer.sign(b"x"), b"x")
    with pytest.raises(keys.WrongPassphrase):
        keystore.unlock(new.fingerprint, location, "nope")


def test_key_file_override_and_refusals(tmp_path, no_keyring) -> None:
    new, other = keys.generate("pw", scrypt_n=FAST), keys.generate("pw", scrypt_n=FAST)
    moved = tmp_path / "usb" / "ana.key"
    moved.parent.mkdir()
    keystore.store(new, "Ana Lima", moved)
    # the workspace remembers a path that no longer exists; --key-file overrides it
    with pytest.raises(keystore.KeyStoreError, match="key file not found"):
        keystore.unlock(new.fingerprint, f"file:{tmp_path / 'gone.key'}", "pw")
    assert keystore.unlock(new.fingerprint, "keyring", "pw", key_file=moved).fingerprint \
        == new.fingerprint
    with pytest.raises(keystore.KeyStoreError, match="already exists"):
        keystore.store(other, "Bo", moved)
    with pytest.raises(keystore.KeyStoreError, match="holds the key"):
        keystore.unlock(other.fingerprint, "keyring", "pw", key_file=moved)
    junk = tmp_path / "junk.key"
    junk.write_text("{}")
    with pytest.raises(keystore.KeyStoreError, match="not a governance-app key file"):
        keystore.unlock(new.fingerprint, "keyring", "pw", key_file=junk)
