"""Repository paths of a DVC project, confined to the project folder.

DVC names files relative to a stage's ``wdir``; the importer needs one spelling per file (the
POSIX path from the project root) so that a stage reading ``../data/x.csv`` from ``wdir: src``
meets the stage writing ``data/x.csv``. Anything that would leave the project folder (an
absolute path or ``wdir``, ``..`` past the root, a link pointing outside) is refused: the
importer reads only what the project holds. Remote URLs (``s3://…``) are external
dependencies, kept as written and never fetched.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from pathlib import Path

from governance_app.errors import InputError
from governance_app.importers import safe_io

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    """A remote location (``s3://``, ``gs://``, ``https://``…), not a project file."""
    return bool(_URL.match(path))


def repo_path(root: Path, wdir: str, path: str, where: Path, field: str) -> str:
    """The project-relative POSIX path of ``path`` written in a stage working in ``wdir``.

    Args:
        root: the project folder.
        wdir: the stage's working directory, itself a repository path (``.`` for the root).
        path: the path as the file writes it.
        where: the file being read, for the error message.
        field: the field being read (``stages.train.deps[0]``), for the error message.

    Raises:
        InputError: the path is absolute, leaves the project folder, or is a link (or lies
            under one) that resolves outside it.
    """
    if not isinstance(path, str) or not path.strip():
        raise InputError(where, f"{field} is {path!r}", location=field,
                         expected="a non-empty path")
    if is_url(path):
        return path
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        raise InputError(where, f"{field} is the absolute path {path!r}", location=field,
                         expected="a path relative to the project folder")
    joined = posixpath.normpath(posixpath.join(wdir, path.replace("\\", "/")))
    if joined == ".." or joined.startswith("../"):
        raise InputError(where, f"{field} {path!r} leads outside the project folder",
                         location=field, expected="a path inside the project folder")
    _confined(root, joined, where, field)
    return joined


def _confined(root: Path, rel: str, where: Path, field: str) -> None:
    """Refuse a path whose existing part passes through a link leading outside ``root``.

    Inside a folder walked from its root only a link can lead out, so each existing component
    is checked with one ``lstat`` and only links are resolved: a 2,000-stage project names
    20,000 paths, and resolving each one cost seconds.
    """
    probe = os.fspath(root)
    for part in rel.split("/"):
        probe = os.path.join(probe, part)
        try:
            mode = os.lstat(probe).st_mode
        except OSError:
            return  # not there (an output not produced yet): nothing below can be a link
        if stat.S_ISLNK(mode):
            try:
                safe_io.ensure_within(root, Path(probe))
            except InputError as exc:
                raise InputError(where, f"{field} {rel!r}: {exc.problem}", location=field,
                                 expected="a path inside the project folder") from exc


def wdir_path(root: Path, base: str, wdir: object, where: Path, field: str) -> str:
    """A stage's ``wdir`` as a repository path (``.`` when absent).

    Raises:
        InputError: ``wdir`` is not a string, is absolute or leaves the project folder.
    """
    if wdir is None:
        return base
    if not isinstance(wdir, str):
        raise InputError(where, f"{field} is {wdir!r}", location=field,
                         expected="a folder path")
    if is_url(wdir):
        raise InputError(where, f"{field} is the URL {wdir!r}", location=field,
                         expected="a folder inside the project")
    return repo_path(root, base, wdir, where, field)


def overlaps(a: str, b: str) -> bool:
    """Whether two repository paths are the same or one lies inside the other (as DVC links
    an output folder to a dependency on a file in it, and the reverse)."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")
