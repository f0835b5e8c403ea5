"""The three ways a sealed report is tampered with in the issue, shared by every report test.

A flipped byte must break the seal; appended bytes and an incremental update (which pyHanko's
``bottom_line`` alone would still accept) must fail the whole-file coverage check.
"""

from __future__ import annotations

import io

import pytest


def incremental_update(data: bytes) -> bytes:
    """A metadata-only incremental update, as a PDF editor would append it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/Lang"] = generic.TextStringObject("de")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flip(data: bytes) -> bytes:
    """One bit changed a third of the way in (inside the signed ranges)."""
    middle = len(data) // 3
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


def append(data: bytes) -> bytes:
    return data + b"\n% appended after sealing\n"


TAMPERINGS = pytest.mark.parametrize(("tamper", "failing"), [
    (flip, "seal intact"),
    (append, "covers the whole file"),
    (incremental_update, "covers the whole file"),
], ids=["flipped-byte", "appended-bytes", "incremental-update"])
"""Parametrises a test with ``tamper(bytes) -> bytes`` and the check that must then fail."""
