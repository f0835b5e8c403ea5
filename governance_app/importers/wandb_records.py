"""A reader of the W&B transaction log (``run-<id>.wandb``), without wandb or protobuf.

The log written by ``wandb`` (0.2x–0.3x) in offline mode is LevelDB's log format with a W&B
header, each record a serialized ``wandb_internal.Record`` protocol buffer:

.. code-block:: text

    file    = header(7) chunk*
    header  = b":W&B"  uint16-LE 0xBEE1  uint8 version (0)
    chunk   = uint32-LE crc  uint16-LE length  uint8 type  payload[length]
              crc  = CRC-32 (zlib) of the type byte followed by the payload
              type = 1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST
    The file is cut in blocks of 32,768 bytes (the header counts); a chunk never crosses a
    block boundary; fewer than 7 bytes left in a block are zero padding. A record is one FULL
    payload, or FIRST + MIDDLE* + LAST payloads joined.

Payloads are decoded with the protobuf wire format (varint, 64-bit, length-delimited, 32-bit
fields) by :func:`fields`; the field numbers used are those of W&B's ``wandb_internal.proto``
(wandb, MIT licence, https://github.com/wandb/wandb, ``wandb/proto/wandb_internal.proto``),
listed in :class:`F`. Unknown fields are skipped, as protobuf readers do, so newer logs with
more record types still read.

A damaged log (bad header, a CRC that does not match, a chunk cut short, a FIRST without its
LAST) raises :class:`CorruptLog` naming the byte offset where the damage starts; the caller may
keep what came before it (``--partial``).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from governance_app.errors import InputError

MAGIC = b":W&B"
HEADER = struct.Struct("<4sHB")
CHUNK = struct.Struct("<IHB")
BLOCK = 32768
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
_TYPE_CRC = [zlib.crc32(bytes([t])) for t in range(256)]


class F:
    """Field numbers of ``wandb_internal.proto`` that the importer reads (wandb 0.31.0)."""

    # Record: the oneof ``record_type``
    REC_HISTORY, REC_SUMMARY, REC_CONFIG, REC_ARTIFACT = 2, 3, 5, 8
    REC_RUN, REC_EXIT, REC_USE_ARTIFACT, REC_ENVIRONMENT = 17, 18, 25, 26
    # RunRecord
    RUN_ID, RUN_ENTITY, RUN_PROJECT, RUN_CONFIG, RUN_SUMMARY = 1, 2, 3, 4, 5
    RUN_GROUP, RUN_JOB_TYPE, RUN_DISPLAY_NAME, RUN_NOTES, RUN_TAGS = 6, 7, 8, 9, 10
    RUN_SWEEP_ID, RUN_HOST, RUN_START_TIME, RUN_GIT = 12, 13, 17, 21
    # ConfigRecord / SummaryRecord, and their items (ConfigItem, SummaryItem, HistoryItem)
    UPDATE, REMOVE = 1, 2
    ITEM_KEY, ITEM_NESTED_KEY, ITEM_VALUE_JSON = 1, 2, 16
    # HistoryRecord, HistoryStep
    HISTORY_ITEM, HISTORY_STEP, STEP_NUM = 1, 2, 1
    # RunExitRecord
    EXIT_CODE, EXIT_RUNTIME = 1, 2
    # ArtifactRecord, ArtifactManifest, ArtifactManifestEntry
    ART_RUN_ID, ART_PROJECT, ART_ENTITY, ART_TYPE, ART_NAME, ART_DIGEST = 1, 2, 3, 4, 5, 6
    ART_DESCRIPTION, ART_METADATA, ART_ALIASES, ART_MANIFEST = 7, 8, 11, 12
    ART_TAGS, ART_DIGEST_ALGORITHM = 19, 20
    MANIFEST_VERSION, MANIFEST_STORAGE_POLICY, MANIFEST_CONTENTS = 1, 2, 4
    ENTRY_PATH, ENTRY_DIGEST, ENTRY_REF, ENTRY_SIZE = 1, 2, 3, 4
    # UseArtifactRecord
    USE_ID, USE_TYPE, USE_NAME = 1, 2, 3
    # EnvironmentRecord
    ENV_OS, ENV_PYTHON, ENV_PROGRAM, ENV_HOST, ENV_USERNAME, ENV_GIT = 1, 2, 6, 12, 13, 9
    # GitRepoRecord; google.protobuf.Timestamp
    GIT_REMOTE, GIT_COMMIT = 1, 2
    TS_SECONDS, TS_NANOS = 1, 2


class CorruptLog(InputError):
    """The log is damaged at ``offset``; records before it were read whole."""

    def __init__(self, source: Path, offset: int, problem: str) -> None:
        self.offset = offset
        super().__init__(source, problem, location=f"byte offset {offset}",
                         expected="an intact W&B transaction log (wandb offline run)")


class WireError(ValueError):
    """A protocol buffer payload that does not decode."""


def read_records(path: Path, data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, payload)`` of every record in a log, in order.

    Raises:
        CorruptLog: naming the offset of the first damaged chunk (records before it have
            been yielded already).
    """
    if len(data) < HEADER.size:
        raise CorruptLog(path, 0, "is too short for a W&B log header")
    ident, magic, version = HEADER.unpack_from(data, 0)
    if ident != MAGIC or magic != 0xBEE1:
        raise CorruptLog(path, 0, "does not start with the W&B log header")
    if version != 0:
        raise CorruptLog(path, 6, f"is W&B log format version {version}, not 0")
    pos, size = HEADER.size, len(data)
    pending: list[bytes] | None = None
    start = pos
    while pos < size:
        left = BLOCK - pos % BLOCK
        if left < CHUNK.size:
            pos += left
            continue
        if pos + CHUNK.size > size:
            if any(data[pos:]):
                raise CorruptLog(path, pos, "ends inside a chunk header")
            break
        crc, length, kind = CHUNK.unpack_from(data, pos)
        if kind == 0 and length == 0 and crc == 0:  # zero padding up to the block's end
            pos += left
            continue
        body = pos + CHUNK.size
        if body + length > size:
            raise CorruptLog(path, pos, f"a chunk of {length} bytes is cut short at the end")
        if length > left - CHUNK.size:
            raise CorruptLog(path, pos, "a chunk crosses a 32 KiB block boundary")
        payload = data[body:body + length]
        if zlib.crc32(payload, _TYPE_CRC[kind]) != crc:
            raise CorruptLog(path, pos, "a chunk's CRC-32 does not match its content")
        if kind == FULL and pending is None:
            yield pos, payload
        elif kind == FIRST and pending is None:
            pending, start = [payload], pos
        elif kind == MIDDLE and pending is not None:
            pending.append(payload)
        elif kind == LAST and pending is not None:
            pending.append(payload)
            yield start, b"".join(pending)
            pending = None
        else:
            raise CorruptLog(path, pos, f"chunk type {kind} out of order")
        pos = body + length
    if pending is not None:
        raise CorruptLog(path, start, "the log ends inside a record split across blocks")


def fields(buf: bytes) -> dict[int, list[int | bytes]]:
    """Decode one message's fields: number → values (ints for varint/fixed, bytes otherwise).

    Fixed 64/32-bit values are returned as their raw little-endian integer; the caller that
    knows a field is a double converts it with :func:`as_double`.

    Raises:
        WireError: the bytes are not a valid protobuf message.
    """
    out: dict[int, list[int | bytes]] = {}
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError(f"field number 0 at byte {pos}")
        value: int | bytes
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise WireError(f"a field of {length} bytes runs past the message end")
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 1:
            if pos + 8 > end:
                raise WireError("a 64-bit field runs past the message end")
            value, pos = int.from_bytes(buf[pos:pos + 8], "little"), pos + 8
        elif wire == 5:
            if pos + 4 > end:
                raise WireError("a 32-bit field runs past the message end")
            value, pos = int.from_bytes(buf[pos:pos + 4], "little"), pos + 4
        else:
            raise WireError(f"wire type {wire} (groups are not used by W&B)")
        out.setdefault(number, []).append(value)
    return out


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("a varint runs past the message end")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("a varint longer than 10 bytes")


def history_row(buf: bytes) -> tuple[int | None, list[tuple[bytes, bytes | None]]]:
    """A HistoryRecord as ``(step, [(key, value_json)])``, decoded in one pass.

    The general :func:`fields` builds a dict per message; a run logs a million rows, so this
    reads the two fields of each item (``key`` 1 or ``nested_key`` 2, ``value_json`` 16) and the
    step in place. Nested keys are joined with dots. Anything else is skipped by its wire type.

    Raises:
        WireError: the bytes are not a valid HistoryRecord.
    """
    try:
        return _history_row(buf)
    except IndexError:  # a length byte promised more than the record holds
        raise WireError("a history record ends inside a field") from None


def _history_row(buf: bytes) -> tuple[int | None, list[tuple[bytes, bytes | None]]]:
    items: list[tuple[bytes, bytes | None]] = []
    step: int | None = None
    pos, end = 0, len(buf)
    while pos < end:
        tag = buf[pos]
        if tag == 0x0A:  # item (1, length-delimited)
            # The layout wandb writes, checked byte by byte: 0x0A L 0x0A K key 0x82 0x01 V
            # value, every length under 128 and the item ending exactly where L says.
            length = buf[pos + 1]
            if length < 0x80 and buf[pos + 2] == 0x0A:
                key_end = pos + 4 + buf[pos + 3]
                if (buf[pos + 3] < 0x80 and buf[key_end] == 0x82 and buf[key_end + 1] == 0x01
                        and buf[key_end + 2] < 0x80
                        and key_end + 3 + buf[key_end + 2] == pos + 2 + length <= end):
                    items.append((buf[pos + 4:key_end], buf[key_end + 3:pos + 2 + length]))
                    pos += 2 + length
                    continue
            length = buf[pos + 1] if pos + 1 < end else 0x80
            if length < 0x80:
                pos += 2
            else:
                length, pos = _varint(buf, pos + 1)
            stop = pos + length
            if stop > end:
                raise WireError("a history item runs past the record's end")
            key: bytes = b""
            nested: list[bytes] = []
            value: bytes | None = None
            while pos < stop:
                # The three tags W&B writes here, inline: key (0x0A), nested_key (0x12) and
                # value_json (0x82 0x01), all length-delimited.
                tag = buf[pos]
                if tag == 0x0A:
                    number, wire, pos = 1, 2, pos + 1
                elif tag == 0x12:
                    number, wire, pos = 2, 2, pos + 1
                elif tag == 0x82 and pos + 1 < stop and buf[pos + 1] == 0x01:
                    number, wire, pos = 16, 2, pos + 2
                else:
                    number, wire, pos = _tag(buf, pos)
                if wire == 2:
                    size = buf[pos] if pos < stop else 0x80
                    if size < 0x80:
                        pos += 1
                    else:
                        size, pos = _varint(buf, pos)
                    if pos + size > stop:
                        raise WireError("a history item field runs past the item's end")
                    if number == 1:
                        key = buf[pos:pos + size]
                    elif number == 2:
                        nested.append(buf[pos:pos + size])
                    elif number == 16:
                        value = buf[pos:pos + size]
                    pos += size
                else:
                    pos = _skip(buf, pos, wire, stop)
            if pos != stop:
                raise WireError("a history item does not end where its length says")
            items.append((b".".join(nested) if nested else key, value))
        else:
            number, wire, pos = _tag(buf, pos)
            if number == 2 and wire == 2:  # step: HistoryStep { num = 1 }
                length, pos = _varint(buf, pos)
                if pos + length > end:
                    raise WireError("the history step runs past the record's end")
                if length and buf[pos] == 0x08:  # num, the only field: read it in place
                    step, after = _varint(buf, pos + 1)
                    if after != pos + length:
                        step = integer(fields(buf[pos:pos + length]), 1)
                    elif step >= 1 << 63:
                        step -= 1 << 64
                else:
                    step = integer(fields(buf[pos:pos + length]), 1)
                pos += length
            else:
                pos = _skip(buf, pos, wire, end)
    return step, items


def _tag(buf: bytes, pos: int) -> tuple[int, int, int]:
    key, pos = _varint(buf, pos)
    if key >> 3 == 0:
        raise WireError(f"field number 0 at byte {pos}")
    return key >> 3, key & 7, pos


def _skip(buf: bytes, pos: int, wire: int, end: int) -> int:
    """Past one field's value of wire type ``wire`` (not read)."""
    if wire == 0:
        return _varint(buf, pos)[1]
    if wire == 2:
        length, pos = _varint(buf, pos)
        pos += length
    elif wire == 1:
        pos += 8
    elif wire == 5:
        pos += 4
    else:
        raise WireError(f"wire type {wire} (groups are not used by W&B)")
    if pos > end:
        raise WireError("a field runs past the message end")
    return pos


def record_type(buf: bytes) -> tuple[int, bytes] | None:
    """The ``record_type`` oneof of a Record: (field number, payload), or ``None``.

    The first field of a record W&B writes is its ``record_type`` (fields in number order,
    ``num`` 1 being zero and so omitted): that fast path reads one tag and one length. Any other
    layout is decoded whole, skipping ``num``, ``control``, ``uuid`` and ``_info``.
    """
    if buf and buf[0] & 7 == 2 and buf[0] < 0x80 and buf[0] >> 3 not in (1, 16, 19):
        length, pos = _varint(buf, 1)
        if pos + length == len(buf):
            return buf[0] >> 3, buf[pos:]
    for number, values in fields(buf).items():
        if number in (1, 16, 19, 200):
            continue
        value = values[-1]
        if isinstance(value, bytes):
            return number, value
    return None


def text(msg: dict[int, list[int | bytes]], number: int) -> str:
    """The last value of a string field, "" when absent (proto3 default)."""
    values = msg.get(number)
    if not values:
        return ""
    value = values[-1]
    if not isinstance(value, bytes):
        raise WireError(f"field {number} is a number where text was expected")
    return value.decode("utf-8")


def texts(msg: dict[int, list[int | bytes]], number: int) -> list[str]:
    return [v.decode("utf-8") for v in msg.get(number, []) if isinstance(v, bytes)]


def integer(msg: dict[int, list[int | bytes]], number: int, *, signed: bool = True) -> int:
    """A varint field (int32/int64 two's complement when ``signed``); 0 when absent."""
    values = msg.get(number)
    if not values:
        return 0
    value = values[-1]
    if not isinstance(value, int):
        raise WireError(f"field {number} is bytes where a number was expected")
    if signed and value >= 1 << 63:
        value -= 1 << 64
    return value


def as_double(raw: int) -> float:
    """A fixed 64-bit field read by :func:`fields` as the double it holds."""
    return struct.unpack("<d", raw.to_bytes(8, "little"))[0]


def message(msg: dict[int, list[int | bytes]], number: int) -> dict[int, list[int | bytes]]:
    """A sub-message field decoded (empty when absent)."""
    values = msg.get(number)
    if not values:
        return {}
    value = values[-1]
    if not isinstance(value, bytes):
        raise WireError(f"field {number} is a number where a message was expected")
    return fields(value)


def messages(msg: dict[int, list[int | bytes]], number: int) -> list[dict[int, list[int | bytes]]]:
    return [fields(v) for v in msg.get(number, []) if isinstance(v, bytes)]
