"""safe_io.sha256_of_path: the fast folder walk gives exactly the plain walk's digest."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from governance_app.importers import safe_io

Digest = Callable[[Path], str]


def _tree(root: Path, outside: Path) -> Path:
    """Nested folders, names that sort differently as bytes and as paths, links, a FIFO."""
    (root / "b" / "deep" / "deeper").mkdir(parents=True)
    (root / "a-b").mkdir()
    (root / "a").mkdir()
    (root / "empty").mkdir()
    (root / "a" / "x").write_bytes(b"")
    (root / "a-b" / "y").write_bytes(b"second")
    (root / "b" / "deep" / "deeper" / "z").write_bytes(os.urandom(3 * safe_io.HASH_BLOCK + 7))
    (root / "b" / "Z").write_text("upper case sorts first")
    (root / "b" / "ünï").write_text("non-ASCII name", encoding="utf-8")
    (root / "top.txt").write_text("top")
    (root / ".hidden").write_text("dot files count")
    outside.mkdir()
    (outside / "secret").write_text("not part of the export")
    (root / "b" / "file-link").symlink_to(outside / "secret")
    (root / "b" / "dir-link").symlink_to(outside, target_is_directory=True)
    (root / "b" / "dangling").symlink_to(root / "missing")
    os.mkfifo(root / "a" / "fifo")
    return root


def test_folder_digest_equals_the_plain_walk(tmp_path: Path, reference_sha256: Digest) -> None:
    root = _tree(tmp_path / "export", tmp_path / "outside")
    assert safe_io.sha256_of_path(root) == reference_sha256(root)
    assert safe_io.sha256_of_path(root / "b") == reference_sha256(root / "b")
    # A link is skipped, not followed: what it points at never changes the digest.
    before = safe_io.sha256_of_path(root)
    (tmp_path / "outside" / "secret").write_text("changed")
    assert safe_io.sha256_of_path(root) == before


def test_file_digest_is_the_content_sha256(tmp_path: Path, reference_sha256: Digest) -> None:
    for size in (0, 1, safe_io.HASH_BLOCK, 2 * safe_io.HASH_BLOCK + 1):
        path = tmp_path / f"f{size}"
        data = os.urandom(size)
        path.write_bytes(data)
        assert safe_io.sha256_of_path(path) == hashlib.sha256(data).hexdigest()
        assert safe_io.sha256_of_path(path) == reference_sha256(path)


def test_empty_missing_and_odd_paths(tmp_path: Path, reference_sha256: Digest) -> None:
    (tmp_path / "empty").mkdir()
    os.mkfifo(tmp_path / "fifo")
    for path in (tmp_path / "empty", tmp_path / "missing", tmp_path / "fifo"):
        assert safe_io.sha256_of_path(path) == reference_sha256(path)
        assert safe_io.sha256_of_path(path) == hashlib.sha256().hexdigest()
