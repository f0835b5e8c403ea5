"""RFC 8785 (JSON Canonicalization Scheme) bytes for everything that is hashed or signed.

Why not ``json.dumps(sort_keys=True)``: it is not canonical for numbers (``1.0`` vs ``1``,
``1e2`` vs ``100.0``) nor for non-ASCII strings, so two honest programs could sign different
bytes for the same document. Every digest and signature in the app goes through this module.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

import rfc8785

from governance_app.errors import GovernanceError


class NotCanonicalError(GovernanceError):
    """A value cannot be put into canonical JSON (NaN, infinity, bytes, non-string keys...)."""


def canonical_bytes(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        NotCanonicalError: ``obj`` holds NaN or an infinity (JSON has neither), an integer
            outside IEEE-754's exact range, a non-string object key, or a non-JSON type
            (bytes, datetime, set...). The message names the offending value.
    """
    try:
        try:
            return rfc8785.dumps(obj)
        except rfc8785.IntegerDomainError:
            # JSON numbers are IEEE doubles (RFC 8785 §3.2.2.3): a large integral float such
            # as 2**53 is written "9007199254740992" and parses back as an int; treat such
            # an int as the double it denotes. Ints no double holds exactly are refused below.
            return rfc8785.dumps(_ints_as_doubles(obj))
    except rfc8785.IntegerDomainError as exc:
        raise NotCanonicalError(
            f"integer {exc} cannot be held exactly by a JSON number; store it as a string"
        ) from exc
    except rfc8785.FloatDomainError as exc:
        raise NotCanonicalError(
            f"cannot sign or hash a non-finite number ({exc}); JSON has no NaN or infinity"
        ) from exc
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalError(
            f"value is not plain JSON ({exc}); expected dict/list/str/int/float/bool/None "
            "with string keys"
        ) from exc
    except RecursionError as exc:  # a self-referencing container
        raise NotCanonicalError("value is nested too deeply or refers to itself") from exc


def _ints_as_doubles(obj: Any) -> Any:
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int) and abs(obj) >= 2**53:
        as_double = float(obj) if abs(obj) < 2**1024 else None
        # Only an int that is some double's exact value, or exactly how RFC 8785 writes
        # one, stands for it; 2**53 + 1 would silently change, so it is refused.
        if as_double is not None and (
            as_double == obj or rfc8785.dumps(as_double) == str(obj).encode()
        ):
            return as_double
        return obj
    if isinstance(obj, dict):
        return {k: _ints_as_doubles(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_ints_as_doubles(v) for v in obj]
    return obj


def sha256_hex(obj: Any) -> str:
    """Hex SHA-256 of :func:`canonical_bytes` (``obj``); raises like it."""
    return hashlib.sha256(canonical_bytes(obj)).hexdigest()


def normalised(obj: Any) -> Any:
    """``obj`` as it reads back from its canonical bytes (e.g. ``1.0`` becomes ``1``).

    Store this form, so that what the database returns hashes exactly as what was hashed.
    """
    return json.loads(canonical_bytes(obj))


def iso_utc(moment: datetime) -> str:
    """The one text form of an instant inside signed documents: ``2026-11-25T10:16:43.123456Z``.

    Raises:
        ValueError: ``moment`` is naive (its instant would be ambiguous).
    """
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: signed times must be aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def parse_iso_utc(text: str) -> datetime:
    """Inverse of :func:`iso_utc`.

    Raises:
        ValueError: ``text`` is not in that form.
    """
    if type(text) is str and len(text) == 27 and _ISO_UTC.fullmatch(text):
        # the one form iso_utc writes: fromisoformat reads it as strptime would, 10x faster
        return datetime.fromisoformat(text[:26]).replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


_ISO_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


_ESCAPE = json.encoder.encode_basestring  # type: ignore[attr-defined]
_MAX_SAFE = 2**53 - 1


def fast_canonical_bytes(obj: Any) -> bytes:
    """The same bytes as :func:`canonical_bytes`, several times faster, for the hot path.

    Only checks use it, and only as a shortcut: a hash computed from these bytes that does not
    match is recomputed with :func:`canonical_bytes` before anything is reported, and a signed
    act whose signature fails over them is checked again over the reference bytes
    (:meth:`~governance_app.governance.acts.SignedAct.verifies_with`), so a difference here
    could cost time but never change a verdict. Strings go through
    the C JSON escaper (RFC 8785 §3.2.2.2 escapes exactly what ECMAScript's JSON.stringify
    does: ``"``, ``\\``, and C0 controls, short forms where they exist, else ``\\u00xx``);
    floats use Python's shortest repr when it has no exponent (ECMAScript's
    digits, same notation); other numbers, non-ASCII keys and lone surrogates defer to ``rfc8785``.
    """
    parts: list[str] = []
    _fast(obj, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: let the reference implementation decide
        return canonical_bytes(obj)


def _fast(obj: Any, out: list[str]) -> None:
    kind = type(obj)
    if kind is str:
        out.append(_ESCAPE(obj))
    elif kind is int and -_MAX_SAFE <= obj <= _MAX_SAFE:
        out.append(str(obj))
    elif kind is dict:
        try:
            ascii_keys = "".join(obj).isascii()
        except TypeError:  # a non-string key: the reference implementation refuses it
            ascii_keys = False
        if not ascii_keys:
            out.append(canonical_bytes(obj).decode("utf-8"))
            return
        out.append("{")
        first = True
        for key in sorted(obj):  # ASCII keys: code-point order is UTF-16 order
            if first:
                first = False
            else:
                out.append(",")
            out.append(_ESCAPE(key))
            out.append(":")
            _fast(obj[key], out)
        out.append("}")
    elif kind is list:
        out.append("[")
        for i, item in enumerate(obj):
            if i:
                out.append(",")
            _fast(item, out)
        out.append("]")
    elif kind is float and math.isfinite(obj):
        if obj.is_integer():
            # Whole floats print without ".0" in ECMAScript; beyond 2**53 - 1 the reference
            # implementation decides (it also knows where the exponent notation starts).
            small = abs(obj) <= _MAX_SAFE
            out.append(str(int(obj)) if small else canonical_bytes(obj).decode("ascii"))
            return
        text = repr(obj)  # shortest round-trip digits, as ECMAScript's Number#toString
        # without an exponent the two notations agree; with one they differ in the cut-offs
        out.append(text if "e" not in text else canonical_bytes(obj).decode("ascii"))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    else:  # large ints, tuples, anything unusual: the reference implementation decides
        out.append(canonical_bytes(obj).decode("utf-8"))
