"""Fixture helpers for the importer tests: the MLflow fixture set and writable copies of it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

MLFLOW_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mlflow"


@pytest.fixture(scope="session")
def mlflow_expected() -> dict[str, Any]:
    """What MLflow's own search API returned for the fixture registry (the oracle)."""
    return json.loads((MLFLOW_FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def mlruns_copy(tmp_path: Path) -> Path:
    """A writable copy of the file-store fixture, for tests that break it on purpose."""
    target = tmp_path / "mlruns"
    shutil.copytree(MLFLOW_FIXTURES / "mlruns", target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return target


@pytest.fixture
def rest_copy(tmp_path: Path) -> Path:
    """A writable copy of the REST-answer fixture folder."""
    target = tmp_path / "rest"
    shutil.copytree(MLFLOW_FIXTURES / "rest", target)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    return target


def _reference_sha256(path: Path) -> str:
    """The folder digest written the plain way: os.walk top-down, names sorted, links skipped,
    each file as ``relative/name NUL hex-digest LF``; anything not a regular file hashes empty."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(filenames):
            file_path = Path(dirpath, name)
            if file_path.is_symlink():
                continue
            rel = file_path.relative_to(path).as_posix()
            h.update(rel.encode() + b"\0" + _reference_sha256(file_path).encode() + b"\n")
    return h.hexdigest()


@pytest.fixture
def reference_sha256() -> Callable[[Path], str]:
    """What safe_io.sha256_of_path must return, computed slowly and obviously."""
    return _reference_sha256
