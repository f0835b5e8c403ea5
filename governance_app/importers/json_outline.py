"""The top-level keys of a JSON file, found by streaming its bytes: what detection needs.

Detection must not depend on where a key sits or how large the file is: the OpenLineage Java
client writes ``producer`` and ``schemaURL`` after facets that can run to megabytes, and a
hostile file may nest 100,000 levels deep. So nothing here parses: a small tokenizer walks the
bytes in chunks, keeps a depth counter (no recursion, so no depth limit to hit) and notes the
keys of the outermost object (or of the first object of an outermost array, or of the first
line of JSON Lines), with their string values. It stops as soon as the caller has what it asked
for, or when the first top-level value ends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 1 << 20
"""Bytes read at a time."""

MAX_SCAN_BYTES = 512 * 1024 * 1024
"""Never scan further than the largest JSON file an importer would read."""

MAX_VALUE_CHARS = 4096
"""Longer string values are not kept (detection needs names and URLs, not documents)."""

# A complete string, a structural character, or the start of a string that the chunk cuts.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]|"')
# Below the recorded level only brackets matter (and strings, which may hold brackets): commas
# and colons, most of a large facet's tokens, are skipped at the regular expression's speed.
_DEEP = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]]|"')
_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class JsonOutline:
    """What the outermost JSON value of a file looks like.

    Attributes:
        container: ``object``, ``array`` or ``""`` (empty, not JSON, or a bare scalar).
        keys: the keys of the outermost object, in file order, or of the first object of an
            outermost array.
        strings: the string values of those keys (others are left out).
        complete: whether the scan reached the end of that value (or of that first object).
    """

    container: str = ""
    keys: list[str] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)
    complete: bool = False

    def has(self, *names: str) -> bool:
        return all(name in self.keys for name in names)


def _decode_string(token: bytes) -> str | None:
    try:
        value = json.loads(token)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


class _Walker:
    """Feeds tokens one at a time; ``depth`` counts open brackets of any kind."""

    def __init__(self, outline: JsonOutline, wanted: frozenset[str],
                 only: frozenset[str] | None) -> None:
        self.outline = outline
        self.wanted = wanted
        self.only = only
        self.depth = 0
        self.target = 1  # the depth whose object keys are recorded (2 inside an array)
        self.expect_key = False
        self.pending_key: str | None = None
        self.done = False

    def _satisfied(self) -> bool:
        return bool(self.wanted) and self.wanted.issubset(self.outline.keys)

    def feed(self, token: bytes) -> None:
        first = token[:1]
        outline = self.outline
        if first == b'"':
            if self.depth == self.target and outline.container:
                if self.expect_key:
                    key = _decode_string(token)
                    if key is not None:
                        outline.keys.append(key)
                        self.pending_key = key
                        self.done = self._satisfied() or (self.only is not None
                                                          and key not in self.only)
                    self.expect_key = False
                elif self.pending_key is not None and len(token) <= MAX_VALUE_CHARS:
                    value = _decode_string(token)
                    if value is not None:
                        outline.strings.setdefault(self.pending_key, value)
                    self.pending_key = None
            elif self.depth == 0:
                self.done = True  # a bare string: not a container
            return
        if first in (b"{", b"["):
            self.depth += 1
            if self.depth == 1:
                outline.container = "object" if first == b"{" else "array"
                self.target = 1 if first == b"{" else 2
                self.expect_key = first == b"{"
            elif self.depth == 2 and self.target == 2 and first == b"{" and not outline.keys:
                self.expect_key = True
            self.pending_key = None
            return
        if first in (b"}", b"]"):
            self.depth -= 1
            if self.depth < self.target or self.depth <= 0:
                outline.complete = True
                self.done = True
            return
        if first == b",":
            self.pending_key = None
            if self.depth == self.target:
                self.expect_key = True
        # ':' needs nothing: the key before it is pending until its value is seen.


def outline(path: Path, wanted: Iterable[str] = (),
            only: Iterable[str] | None = None) -> JsonOutline:
    """The outline of the JSON (or first JSON Lines record) in ``path``.

    Stops early once every key in ``wanted`` has been seen, or at the first key not in
    ``only`` (when given): a detector that knows its format's keys need not walk the rest of
    a 500 MB export of another kind. Never raises for bad content:
    what it cannot read is simply not in the outline (detection says "no"); an unreadable file
    gives an empty outline.
    """
    result = JsonOutline()
    if not path.is_file():  # a FIFO would block the open below; a device never ends
        return result
    walker = _Walker(result, frozenset(wanted), None if only is None else frozenset(only))
    scanned = 0
    carry = b""
    try:
        with path.open("rb") as handle:
            while not walker.done and scanned < MAX_SCAN_BYTES:
                chunk = handle.read(CHUNK_BYTES)
                if not chunk:
                    break
                if scanned == 0 and chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM):]
                scanned += len(chunk)
                buffer = carry + chunk
                carry = b""
                if not result.container and buffer.lstrip()[:1] not in (b"{", b"[", b""):
                    break  # not JSON text at all: nothing to outline
                position = 0
                while not walker.done:
                    pattern = _TOKEN if walker.depth <= walker.target else _DEEP
                    match = pattern.search(buffer, position)
                    if match is None:
                        break
                    token = match.group()
                    if token == b'"':  # a string the chunk cut: finish it with the next one
                        carry = buffer[match.start():]
                        break
                    walker.feed(token)
                    position = match.end()
    except OSError:
        return JsonOutline()
    return result
