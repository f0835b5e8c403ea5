"""Decode a serialised ``google.protobuf.Struct`` without the protobuf package.

KFP keeps structured metadata in ML Metadata as ``mlmd-struct::<base64 of a Struct>`` strings.
The wire format of ``Struct``/``Value``/``ListValue`` is small and fixed (struct.proto): a
Struct is ``map<string, Value> fields = 1``; a Value is one of null 1, number 2 (double),
string 3, bool 4, struct 5, list 6; a ListValue is ``repeated Value values = 1``. Reading it
here keeps protobuf out of the dependencies; malformed bytes raise :class:`ValueError`.
"""

from __future__ import annotations

import struct as _struct
from typing import Any

MAX_DEPTH = 64


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """``(field number, wire type, value)`` of every field; length-delimited as bytes."""
    out = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 1:
            if pos + 8 > len(data):
                raise ValueError("truncated double")
            value = data[pos:pos + 8]
            pos += 8
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated field")
            value = data[pos:pos + length]
            pos += length
        elif wire == 5:
            value = data[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def decode_struct(data: bytes, depth: int = 0) -> dict[str, Any]:
    """A ``Struct`` as a plain dictionary."""
    if depth > MAX_DEPTH:
        raise ValueError("struct nests too deep")
    out: dict[str, Any] = {}
    for number, wire, entry in _fields(data):
        if number != 1 or wire != 2:
            continue
        key, value = "", None
        for n, w, v in _fields(entry):
            if n == 1 and w == 2:
                key = v.decode("utf-8")
            elif n == 2 and w == 2:
                value = decode_value(v, depth + 1)
        out[key] = value
    return out


def decode_value(data: bytes, depth: int = 0) -> Any:
    """A ``Value`` as a plain Python value (``None``, float, str, bool, dict, list)."""
    if depth > MAX_DEPTH:
        raise ValueError("value nests too deep")
    value: Any = None
    for number, wire, v in _fields(data):
        if number == 1:
            value = None
        elif number == 2 and wire == 1:
            value = _struct.unpack("<d", v)[0]
        elif number == 3 and wire == 2:
            value = v.decode("utf-8")
        elif number == 4 and wire == 0:
            value = bool(v)
        elif number == 5 and wire == 2:
            value = decode_struct(v, depth + 1)
        elif number == 6 and wire == 2:
            value = [decode_value(item, depth + 1)
                     for n, w, item in _fields(v) if n == 1 and w == 2]
    return value
