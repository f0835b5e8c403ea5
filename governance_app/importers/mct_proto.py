"""Model Card Toolkit 2.x's binary card (``data/model_card.proto``), read without protobuf.

MCT 2.0 writes ``ModelCard.to_proto().SerializeToString()`` by default. Its schema
(``model_card_toolkit/proto/model_card.proto``, Apache-2.0, Copyright 2020 The TensorFlow
Authors) has only strings and nested messages, so a small wire-format reader driven by the
table below turns the bytes into the same dict MCT's ``to_json`` would give; the JSON reader
then validates and reads it. Unknown fields (a later toolkit) are skipped, as protobuf does;
anything malformed is refused naming the byte offset and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from governance_app.errors import InputError

Field = tuple[str, str | None, bool]
"""(JSON name, nested message or ``None`` for a string, repeated)."""

SCHEMA: Mapping[str, Mapping[int, Field]] = {
    "ModelCard": {1: ("model_details", "ModelDetails", False),
                  2: ("model_parameters", "ModelParameters", False),
                  3: ("quantitative_analysis", "QuantitativeAnalysis", False),
                  4: ("considerations", "Considerations", False)},
    "ModelDetails": {1: ("name", None, False), 2: ("overview", None, False),
                     3: ("documentation", None, False), 4: ("owners", "Owner", True),
                     5: ("version", "Version", False), 6: ("licenses", "License", True),
                     7: ("references", "Reference", True), 8: ("citations", "Citation", True),
                     9: ("path", None, False)},
    "Owner": {1: ("name", None, False), 2: ("contact", None, False)},
    "Version": {1: ("name", None, False), 2: ("date", None, False), 3: ("diff", None, False)},
    "License": {1: ("identifier", None, False), 2: ("custom_text", None, False)},
    "Reference": {1: ("reference", None, False)},
    "Citation": {1: ("style", None, False), 2: ("citation", None, False)},
    "Graphic": {1: ("name", None, False), 2: ("image", None, False)},
    "GraphicsCollection": {1: ("description", None, False),
                           2: ("collection", "Graphic", True)},
    "SensitiveData": {1: ("sensitive_data", None, True)},
    "Dataset": {1: ("name", None, False), 2: ("link", None, False),
                3: ("sensitive", "SensitiveData", False),
                4: ("graphics", "GraphicsCollection", False), 5: ("description", None, False)},
    "KeyVal": {1: ("key", None, False), 2: ("value", None, False)},
    "ModelParameters": {1: ("model_architecture", None, False), 2: ("data", "Dataset", True),
                        3: ("input_format", None, False),
                        5: ("input_format_map", "KeyVal", True),
                        4: ("output_format", None, False),
                        6: ("output_format_map", "KeyVal", True)},
    "ConfidenceInterval": {1: ("lower_bound", None, False), 2: ("upper_bound", None, False)},
    "PerformanceMetric": {1: ("type", None, False), 2: ("value", None, False),
                          3: ("slice", None, False),
                          4: ("confidence_interval", "ConfidenceInterval", False)},
    "QuantitativeAnalysis": {1: ("performance_metrics", "PerformanceMetric", True),
                             2: ("graphics", "GraphicsCollection", False)},
    "User": {1: ("description", None, False)},
    "UseCase": {1: ("description", None, False)},
    "Limitation": {1: ("description", None, False)},
    "Tradeoff": {1: ("description", None, False)},
    "Risk": {1: ("name", None, False), 2: ("mitigation_strategy", None, False)},
    "Considerations": {1: ("users", "User", True), 2: ("use_cases", "UseCase", True),
                       3: ("limitations", "Limitation", True),
                       4: ("tradeoffs", "Tradeoff", True),
                       5: ("ethical_considerations", "Risk", True)},
}
"""MCT 2.0's ``model_card.proto``: field number → (name, message type, repeated)."""

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class _Malformed(ValueError):
    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(problem)
        self.offset, self.problem = offset, problem


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    start = pos
    while True:
        if pos >= end or shift > 63:
            raise _Malformed(start, "a number runs past its end")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _skip(data: bytes, pos: int, end: int, wire: int) -> int:
    if wire == _VARINT:
        return _varint(data, pos, end)[1]
    if wire == _I64:
        return pos + 8
    if wire == _I32:
        return pos + 4
    if wire == _LEN:
        size, pos = _varint(data, pos, end)
        return pos + size
    raise _Malformed(pos, f"wire type {wire} is not one protobuf writes")


def _message(data: bytes, pos: int, end: int, kind: str, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = SCHEMA[kind]
    while pos < end:
        key_at = pos
        key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        known = fields.get(number)
        if known is None or wire != _LEN:
            if known is not None:
                raise _Malformed(key_at, f"{where}.{known[0]} has wire type {wire}, not a "
                                         "string or message")
            pos = _skip(data, pos, end, wire)
            if pos > end:
                raise _Malformed(key_at, f"field {number} of {where} runs past its end")
            continue
        name, nested, repeated = known
        size, pos = _varint(data, pos, end)
        if pos + size > end:
            raise _Malformed(key_at, f"{where}.{name} runs past its end")
        if nested is None:
            try:
                value: Any = data[pos:pos + size].decode("utf-8")
            except UnicodeDecodeError:
                raise _Malformed(pos, f"{where}.{name} is not UTF-8 text") from None
        else:
            value = _message(data, pos, pos + size, nested, f"{where}.{name}")
        pos += size
        if repeated:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def looks_like_card(data: bytes) -> bool:
    """Whether ``data`` decodes as a ModelCard whose model details carry a name."""
    try:
        card = _message(data, 0, len(data), "ModelCard", "ModelCard")
    except _Malformed:
        return False
    return bool((card.get("model_details") or {}).get("name"))


def decode_card(path: Path, data: bytes) -> dict[str, Any]:
    """The card in ``data`` as the dict MCT's ``ModelCard.to_json()`` gives.

    Raises:
        InputError: the bytes are not a well-formed ModelCard message (offset and field named).
    """
    try:
        return _message(data, 0, len(data), "ModelCard", "ModelCard")
    except _Malformed as exc:
        raise InputError(path, exc.problem, location=f"byte {exc.offset}",
                         expected="a Model Card Toolkit model_card.proto (binary ModelCard), "
                                  "or the card as JSON: ModelCard.to_json()") from exc
