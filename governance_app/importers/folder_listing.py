"""The JSON files under a folder, listed once per detection and shared by the detectors.

Detection asks every format whether a path is its own, and four of them (SageMaker, Vertex,
MLflow REST, Evidently) read folders of JSON answers. Each walked the folder itself, making,
statting and sorting a ``Path`` a file: half a second of a 10,000-answer folder before a byte
was read. A listing holds names and what ``os.scandir`` already knows of each entry (no stat
a file, except for links), sorted as text; a ``Path`` is made only for a file that is opened.

Inside :func:`shared_listings` (``registry.detect`` opens one) a folder is walked once and its
listing reused by every detector; outside, each call walks afresh, so a reader never works
from a listing older than its own call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from governance_app.errors import InputError

MAX_LISTED = 100_001
"""Files listed at most: one more than the largest folder an importer reads (SageMaker's
100,000), so that importer can still say the folder holds too many."""


@dataclass(frozen=True, slots=True)
class ListedFile:
    """One ``*.json`` entry that is not a folder (a link to a folder is not followed)."""

    path: str
    """The path as text, ``os.path.join`` of the folder listed and :attr:`rel`."""
    rel: str
    """Relative to the folder listed, ``/``-separated."""
    link: bool
    """A symbolic link (to a file, or dangling)."""
    is_file: bool
    """A regular file, following a link as ``Path.is_file`` does."""
    hidden: bool
    """Its name or a folder on the way starts with a dot."""

    def as_path(self) -> Path:
        return Path(self.path)


_SHARED: ContextVar[dict[str, tuple[ListedFile, ...]] | None] = ContextVar(
    "folder_listings", default=None)


@contextmanager
def shared_listings() -> Iterator[None]:
    """Within the body, each folder is walked once and its listing shared."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def json_files(folder: Path) -> tuple[ListedFile, ...]:
    """Every ``*.json`` file under ``folder`` at any depth, as ``os.walk`` meets them with
    sorted names (a folder's files, then its subfolders one by one); links to folders are not
    entered, and a folder that cannot be listed is passed over (as ``os.walk`` does). Stops
    after :data:`MAX_LISTED` files.
    """
    shared = _SHARED.get()
    key = os.fspath(folder)
    if shared is not None and key in shared:
        return shared[key]
    found: list[ListedFile] = []
    _walk(key, "", False, found)
    listing = tuple(found)
    if shared is not None:
        shared[key] = listing
    return listing


def visible_json_files(folder: Path, most: int, expected: str) -> list[ListedFile]:
    """:func:`json_files` but those hidden (``.name``, or inside a ``.folder``).

    Raises:
        InputError: more than ``most`` of them; ``expected`` says what the folder should hold.
    """
    files = [f for f in json_files(folder) if not f.hidden]
    if len(files) > most:
        raise InputError(folder, f"holds more than {most} JSON files", expected=expected)
    return files


def _walk(folder: str, rel: str, hidden: bool, found: list[ListedFile]) -> None:
    try:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
    except OSError:  # as os.walk: a folder that cannot be listed holds nothing listed
        return
    folders = []
    for entry in listed:
        if entry.is_dir():  # follows links, as os.walk sorts entries
            if not entry.is_symlink():
                folders.append(entry)
            continue
        if not entry.name.endswith(".json") or len(found) >= MAX_LISTED:
            continue
        link = entry.is_symlink()
        found.append(ListedFile(
            entry.path, rel + entry.name, link,
            entry.is_file(),  # follows a link, as Path.is_file does
            hidden or entry.name.startswith(".")))
    for entry in folders:
        if len(found) >= MAX_LISTED:
            return
        _walk(entry.path, f"{rel}{entry.name}/", hidden or entry.name.startswith("."), found)
