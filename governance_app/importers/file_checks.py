"""What kind of file a path is, and how large a table may be: checked before anything is read.

A FIFO blocks its reader until a writer comes, ``/dev/zero`` never ends, and a 2 GB CSV read
into pandas takes several times its size in memory: each would hang the app or grow it until
the operating system kills it (and whatever else runs beside it). They are refused here by
their type or size, with the file named and, for the size, the documented override.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from governance_app.errors import InputError

MAX_TABLE_BYTES_ENV = "GOVERNANCE_APP_MAX_TABLE_BYTES"
"""Environment variable that raises (or lowers) :data:`DEFAULT_MAX_TABLE_BYTES`."""

DEFAULT_MAX_TABLE_BYTES = 1024 * 1024 * 1024
"""Largest CSV or Parquet table read into memory (pandas needs several times the file's size).
A larger table is refused before a byte is read, instead of the process growing until the
operating system kills it; set ``GOVERNANCE_APP_MAX_TABLE_BYTES`` to read one anyway."""

_FILE_TYPES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def limit_from_env(name: str, default: int) -> int:
    """A size limit: ``default``, or the whole number of bytes the environment variable gives.

    Raises:
        InputError: the variable is set to something other than a positive whole number.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise InputError(name, f"is {raw!r}", expected="a positive whole number of bytes")
    return int(raw)


def max_table_bytes() -> int:
    """The table size limit: :data:`DEFAULT_MAX_TABLE_BYTES` or the environment's override."""
    return limit_from_env(MAX_TABLE_BYTES_ENV, DEFAULT_MAX_TABLE_BYTES)


def require_regular(path: Path, *, folders: bool = False) -> os.stat_result:
    """Refuse anything that is not a regular file (or a folder, when ``folders``).

    A FIFO blocks the reader forever, ``/dev/zero`` never ends and a socket cannot be opened:
    they are refused by their type before anything is opened. Links are followed, so a link
    named ``data.csv`` that points at ``/dev/zero`` is refused as well.

    Raises:
        InputError: the path is missing or is another kind of file (named).
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if stat.S_ISREG(info.st_mode) or (folders and stat.S_ISDIR(info.st_mode)):
        return info
    kind = next((name for test, name in _FILE_TYPES if test(info.st_mode)), "not a regular file")
    if stat.S_ISDIR(info.st_mode):
        kind = "a folder"
    raise InputError(path, f"is {kind}",
                     expected="a regular file or a folder" if folders else "a regular file")


def require_table_size(path: Path) -> None:
    """Refuse a table over :func:`max_table_bytes` (after :func:`require_regular`).

    Raises:
        InputError: not a regular file, or larger than the limit (naming the override).
    """
    size = require_regular(path).st_size
    limit = max_table_bytes()
    if size > limit:
        raise InputError(
            path, f"is {size:,} bytes, over the {limit:,}-byte limit for tables read in memory",
            expected=f"a smaller table, or {MAX_TABLE_BYTES_ENV} set to a larger limit",
        )
