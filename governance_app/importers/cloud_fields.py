"""Typed access to the JSON answers of cloud CLIs and APIs, every error naming file and field.

The same answer reaches us in several renderings, and all must give the same records:

* timestamps: AWS CLI v2 prints ISO 8601 (``2024-03-11T16:07:52.018000+00:00``), AWS CLI v1
  epoch seconds (``1710173272.018``), boto3 answers saved with ``json.dumps(default=str)``
  Python's ``str(datetime)`` (``2024-03-11 16:07:52.018000+00:00``), Google's protobuf JSON
  RFC 3339 with ``Z`` and up to nanoseconds;
* numbers: protobuf JSON writes int64 as a string (``"116"``) and a double that happens to be
  integral as ``116`` or ``116.0``; both are accepted where a number is expected.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance_app.errors import InputError
from governance_app.importers.json_paths import Places

_FRACTION = re.compile(r"\.(\d+)")
_NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?\Z")


def parse_time(value: Any) -> datetime | None:
    """A UTC datetime from any rendering above; ``None`` for ``None``/"".

    Raises:
        ValueError: the value is none of the renderings (the caller names the field).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError("not finite")
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str):
        raise ValueError(type(value).__name__)
    text = value.strip()
    if _NUMBER_TEXT.match(text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    # Python 3.11 reads at most microseconds: cut nanoseconds (RFC 3339 from protobuf).
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str:
    """ISO 8601 UTC text of a datetime, "" for ``None``; how external times are stored."""
    return moment.astimezone(UTC).isoformat() if moment else ""


class Fields:
    """One JSON object of an answer, with typed getters that name file, field path and line."""

    def __init__(self, places: Places, parts: tuple[str | int, ...], data: Any) -> None:
        if not isinstance(data, dict):
            raise places.error(parts, f"is {type(data).__name__}", expected="a JSON object")
        self.places, self.parts, self.data = places, parts, data

    @classmethod
    def top(cls, file: Path, data: Any, *, within: Path | None = None) -> Fields:
        return cls(Places(file, root="$", within=within), (), data)

    def error(self, key: str | int, problem: str, expected: str) -> InputError:
        return self.places.error((*self.parts, key), problem, expected=expected)

    def _fail(self, key: str, expected: str) -> InputError:
        return self.error(key, f"{key} is {self.data.get(key)!r}", expected)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None and not required:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self._fail(key, "text")
        if required and value == "":
            raise self._fail(key, "non-empty text")
        return str(value)

    def integer(self, key: str, *, required: bool = True) -> int | None:
        """An integer, also from int64-as-text (``"116"``) and integral doubles (``116.0``)."""
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer")
        return value

    def number(self, key: str, *, required: bool = True) -> float | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, str) and _NUMBER_TEXT.match(value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            raise self._fail(key, "a finite number")
        return float(value)

    def time(self, key: str) -> datetime | None:
        try:
            return parse_time(self.data.get(key))
        except (ValueError, OverflowError, OSError) as exc:
            raise self._fail(key, "a timestamp (ISO 8601 or seconds since the epoch)") from exc

    def obj(self, key: str, *, required: bool = False) -> Fields | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self._fail(key, "a JSON object")
            return None
        return Fields(self.places, (*self.parts, key), value)

    def objects(self, key: str) -> list[Fields]:
        """The objects of a list field (absent: empty, as protobuf JSON omits empty lists)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a JSON list")
        return [Fields(self.places, (*self.parts, key, i), item) for i, item in enumerate(value)]

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of text")
        return list(value)

    def string_map(self, key: str) -> dict[str, str]:
        """A ``{text: scalar}`` object as text values (labels, customer metadata)."""
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, (dict, list)) for v in value.values()):
            raise self._fail(key, "an object of text values")
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
