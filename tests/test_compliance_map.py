"""docs/compliance.md names the tests that show each requirement is met: they must exist.

A compliance map that cites a renamed or deleted test would tell an auditor something the
suite no longer shows, so every citation is checked against the test files themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAP = REPO / "docs" / "compliance.md"
CITATION = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`(?: \(((?:`[\w\[\]-]+`(?:, )?)+)\))?")


def _citations() -> list[tuple[str, str | None, list[str]]]:
    found = []
    for match in CITATION.finditer(MAP.read_text(encoding="utf-8")):
        path, function, extra = match.groups()
        names = re.findall(r"`([\w\[\]-]+)`", extra or "")
        found.append((path, function, names))
    return found


def test_the_map_cites_tests() -> None:
    assert len(_citations()) >= 20


def test_every_cited_test_file_function_and_case_exists() -> None:
    missing = []
    for path, function, names in _citations():
        source_file = REPO / path
        if not source_file.is_file():
            missing.append(path)
            continue
        source = source_file.read_text(encoding="utf-8")
        if function and not re.search(rf"def {function}\(", source):
            missing.append(f"{path}::{function}")
        for name in names:
            # after file::function the names are parametrize cases; after a file, functions
            ok = (f'"{name}"' in source) if function else bool(
                re.search(rf"def {re.escape(name)}\(", source))
            if not ok:
                missing.append(f"{path} {function or ''} {name}")
    assert not missing, f"docs/compliance.md cites what the tests do not have: {missing}"
