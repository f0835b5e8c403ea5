"""Field paths in JSON documents, and the line each one is on.

Importers of JSON exports (the bundle, saved MLflow REST answers) report errors against the
parsed document, where positions are gone: ``json.loads`` keeps no line numbers. The person
fixing the export wants ``runs[2].metrics.val_auc[3].value, line 812``, so this module writes a
field path in that form and finds where it is in the text. Finding costs a second pass over the
file, so it happens on error only, never on the success path. It lives apart from any one format
because every JSON importer needs the same thing and should word it the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from governance_app.errors import InputError
from governance_app.importers.safe_io import line_col, read_text

FieldPath = Sequence[str | int]

LOCATE_LIMIT = 64 * 1024 * 1024
"""Files up to this size are read a second time, on error only, to name the line of a field."""

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WS = re.compile(r"[ \t\n\r]*")


def field_path(parts: FieldPath, root: str = "") -> str:
    """``runs[2].metrics.val_auc[3].value``; keys that are not identifiers are quoted.

    ``root`` starts the path (``"$"`` gives JSONPath's ``$.runs[2]``); an empty path with no
    root is ``top level``.
    """
    out = root
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "top level"


def _skip(text: str, pos: int) -> int:
    """Index of the first non-whitespace character at or after ``pos``."""
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def locate(text: str, parts: FieldPath) -> int | None:
    """Character offset of the value at ``parts`` in a valid JSON text, or ``None``.

    Walks the text and skips sibling values with the C decoder, so finding one field in a big
    file costs about one parse of what comes before it.
    """
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    try:
        for part in parts:
            if isinstance(part, int):
                if text[pos] != "[":
                    return None
                pos = _skip(text, pos + 1)
                for _ in range(part):
                    _, pos = decoder.raw_decode(text, pos)
                    pos = _skip(text, pos)
                    if text[pos] != ",":
                        return None
                    pos = _skip(text, pos + 1)
                if text[pos] == "]":
                    return None
                continue
            if text[pos] != "{":
                return None
            pos = _skip(text, pos + 1)
            while True:
                if text[pos] != '"':
                    return None
                key, pos = json.decoder.scanstring(text, pos + 1)
                pos = _skip(text, _skip(text, pos) + 1)  # past the ':'
                if key == part:
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = _skip(text, pos)
                if text[pos] != ",":
                    return None
                pos = _skip(text, pos + 1)
    except (IndexError, ValueError):
        return None
    return pos


class Places:
    """Turns field paths of one JSON file into ``path, line N`` locations and errors naming them.

    The file is read again (through ``within`` when given, as the first read was) only when a
    location is asked for, and at most once; past ``LOCATE_LIMIT`` bytes, or when it cannot be
    read, locations are the field path alone.
    """

    def __init__(self, path: Path, *, root: str = "", within: Path | None = None) -> None:
        self.path = path
        self.root = root
        self.within = within
        self._text: str | None = None
        self._loaded = False

    def _source_text(self) -> str | None:
        if not self._loaded:
            self._loaded = True
            try:
                if self.path.stat().st_size <= LOCATE_LIMIT:
                    self._text = read_text(self.path, root=self.within)
            except (OSError, InputError):
                self._text = None
        return self._text

    def where(self, parts: FieldPath) -> str:
        """``field path, line N``, or the field path alone when the line cannot be found."""
        path = field_path(parts, self.root)
        text = self._source_text()
        offset = locate(text, parts) if text is not None else None
        if offset is None:
            return path
        return f"{path}, line {line_col(text, offset)[0]}"  # type: ignore[arg-type]

    def error(self, parts: FieldPath, problem: str, expected: str | None = None) -> InputError:
        return InputError(self.path, problem, location=self.where(parts), expected=expected)
