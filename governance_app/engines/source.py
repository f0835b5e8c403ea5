"""Where the rows are: a file, a folder or glob of Parquet files, or a catalogue table.

An engine reads a :class:`TableSource`; the stored result names it by a *fingerprint* that
changes whenever the rows can have changed: a single file's SHA-256; for a folder or glob the
list of its files with their sizes and modification times (hashing hundreds of gigabytes to
attach a result would cost more than the analysis); for a catalogue table its name and the
snapshot the engine reports, when it reports one.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.file_checks import require_regular
from governance_app.importers.safe_io import sha256_of_path

FILE_SUFFIXES = (".csv", ".parquet", ".pq")
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class TableSource:
    """Rows to analyse.

    Attributes:
        text: the path, glob or ``db.name`` as the user gave it.
        kind: ``"file"``, ``"files"`` (a folder or glob of Parquet files) or ``"table"``.
        files: the files read, sorted (empty for a table).
        format: ``"csv"`` or ``"parquet"`` (``"table"`` for a catalogue table).
    """

    text: str
    kind: str
    files: tuple[str, ...]
    format: str

    @property
    def size_bytes(self) -> int:
        """Total size of the files (0 for a table)."""
        return sum(os.stat(f).st_size for f in self.files)

    def fingerprint(self, snapshot: str | None = None,
                    file_sha256: str | None = None) -> dict[str, Any]:
        """What the result was computed from, precisely enough to notice any change.

        ``file_sha256`` is a file's digest the caller has just taken (an import takes it to
        recognise a re-import), so that a large file is not read twice to hash it.
        """
        if self.kind == "file":
            digest = file_sha256 or sha256_of_path(Path(self.files[0]))
            return {"kind": "file", "path": self.text, "sha256": digest}
        if self.kind == "table":
            return {"kind": "table", "name": self.text, "snapshot": snapshot}
        listing = [[os.path.relpath(f, os.path.commonpath(self.files)) if len(self.files) > 1
                    else os.path.basename(f), os.stat(f).st_size, os.stat(f).st_mtime_ns]
                   for f in self.files]
        digest = hashlib.sha256(json.dumps(listing, separators=(",", ":")).encode()).hexdigest()
        return {"kind": "files", "path": self.text, "files": listing, "listing_sha256": digest}

    def digest(self, snapshot: str | None = None) -> str:
        """One SHA-256 naming the source: the file's own, or that of its fingerprint."""
        return digest_of(self.fingerprint(snapshot))


def digest_of(fingerprint: dict[str, Any]) -> str:
    """A fingerprint's SHA-256: a file's own digest, else that of the fingerprint's JSON."""
    if fingerprint["kind"] == "file":
        return str(fingerprint["sha256"])
    text = json.dumps(fingerprint, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _format_of(files: list[str], text: str) -> str:
    suffixes = {Path(f).suffix.lower() for f in files}
    if suffixes <= {".parquet", ".pq"}:
        return "parquet"
    if suffixes == {".csv"}:
        return "csv"
    raise InputError(text, f"mixes file kinds {sorted(suffixes)}",
                     expected="only .parquet files, or only .csv files")


CSV_SNIFF_BYTES = 64 * 1024


def require_text(path: Path) -> None:
    """Refuse a "CSV" whose first bytes hold a NUL: binary data (a disk image, a sparse file of
    zeros) that an engine would otherwise scan to its end before failing.

    Raises:
        InputError: the file's head is not text (the offset of the first NUL named).
    """
    with path.open("rb") as handle:
        head = handle.read(CSV_SNIFF_BYTES)
    offset = head.find(b"\0")
    if offset >= 0:
        raise InputError(path, f"holds binary data (a NUL byte at offset {offset})",
                         expected="a text CSV file")


def resolve_source(path: str | Path | None = None, *, table: str | None = None) -> TableSource:
    """A path, a folder, a glob (``data/*.parquet``) or a catalogue table, checked.

    Raises:
        InputError: both or neither given, nothing found, an unknown suffix, or mixed formats.
    """
    if (path is None) == (table is None):
        raise InputError("--table", "give a file, folder or glob, or --table db.name",
                         expected="exactly one source")
    if table is not None:
        if not table.strip() or any(c.isspace() for c in table.strip()):
            raise InputError("--table", f"{table!r}", expected="a table name such as db.name")
        return TableSource(table.strip(), "table", (), "table")
    text = os.fspath(path)  # type: ignore[arg-type]
    p = Path(text)
    if p.exists() and not p.is_file() and not p.is_dir():
        require_regular(p)  # a FIFO or a device: named as what it is
    if p.is_file():
        if p.suffix.lower() not in FILE_SUFFIXES:
            raise InputError(p, f"unknown suffix {p.suffix!r}", expected="a .csv or .parquet file")
        fmt = _format_of([text], text)
        if fmt == "csv":
            require_text(p)
        return TableSource(text, "file", (str(p.resolve()),), fmt)
    if p.is_dir():
        files = sorted(str(Path(f).resolve()) for f in glob.glob(os.path.join(text, "**", "*"),
                                                                 recursive=True)
                       if Path(f).suffix.lower() in (".parquet", ".pq") and Path(f).is_file())
        if not files:
            raise InputError(p, "holds no .parquet file", expected="a folder of Parquet files")
        return TableSource(text, "files", tuple(files), "parquet")
    if GLOB_CHARS & set(text):
        files = sorted(str(Path(f).resolve()) for f in glob.glob(text, recursive=True)
                       if Path(f).is_file())
        if not files:
            raise InputError(text, "matches no file", expected="a glob matching Parquet files")
        return TableSource(text, "files", tuple(files), _format_of(files, text))
    raise InputError(p, "does not exist", expected="a .csv or .parquet file, a folder or a glob")
