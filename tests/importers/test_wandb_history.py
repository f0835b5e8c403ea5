"""The fast history reader gives exactly what the general decoder gives, and falls back to it
for any row whose bytes do not fit the remembered layout."""

from __future__ import annotations

import json

import pytest

from governance_app.domain.registry import MetricSeries
from governance_app.importers.wandb_history import HistoryReader
from governance_app.importers.wandb_records import WireError


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        out.append((value & 0x7F) | (0x80 if value > 0x7F else 0))
        value >>= 7
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _row(step: int | None, **values: object) -> bytes:
    items = b"".join(_field(1, _field(1, k.encode()) + _field(16, json.dumps(v).encode()))
                     for k, v in values.items())
    return items + (_field(2, b"\x08" + _varint(step)) if step is not None else b"")


def _reader() -> tuple[HistoryReader, dict[str, MetricSeries]]:
    series: dict[str, MetricSeries] = {}
    return HistoryReader(lambda key: series.setdefault(key, MetricSeries(key))), series


def test_rows_of_one_layout_and_of_changing_layouts() -> None:
    reader, series = _reader()
    rows = [_row(s, _step=s, _timestamp=1000.5 + s, loss=1 / (s + 1), acc=s / 10)
            for s in range(300)]  # steps past 127 take two varint bytes
    rows.insert(5, _row(5, _step=5, _timestamp=1005.5, loss=0.5, image={"_type": "image"}))
    rows.insert(9, _row(None, _timestamp=2000.0, loss=2.0))  # no step: the row's index
    rows.append(_row(300, _step=300, _timestamp=1300.5, loss="x" * 300))  # a long text value
    for row in rows:
        reader.add(row)
    loss = series["loss"]
    assert len(loss) == 302 and len(series["acc"]) == 300
    assert list(loss.steps[:11]) == [0, 1, 2, 3, 4, 5, 5, 6, 7, 9, 8]
    assert loss.values[5] == 0.5 and loss.values[9] == 2.0
    assert loss.timestamps[9] == 2_000_000 and loss.timestamps[0] == 1_000_500
    assert list(loss.steps[-3:]) == [297, 298, 299]
    assert len(series.get("image", ())) == 0 and "_step" not in series  # no points: dropped


def test_a_wrong_length_byte_is_never_accepted_by_the_fast_path() -> None:
    reader, series = _reader()
    reader.add(_row(0, _step=0, loss=0.25))
    good = _row(1, _step=1, loss=0.75)
    # Same layout and same size, but the value's length byte says 3 where 4 bytes follow.
    bad = good.replace(b"\x82\x01\x040.75", b"\x82\x01\x030.75")
    assert len(bad) == len(good)
    with pytest.raises(WireError):
        reader.add(bad)
    assert list(series["loss"].values) == [0.25]


def _series_of(rows: list[bytes], batched: bool) -> dict[str, MetricSeries]:
    reader, series = _reader()
    if batched:
        reader.add(rows[0])  # learns the layout
        for start in range(1, len(rows), 64):
            part = rows[start:start + 64]
            if not reader.add_many(part):
                for row in part:
                    reader.add(row)
    else:
        for row in rows:
            reader.add(row)
    return series


def test_batches_give_exactly_what_rows_one_by_one_give() -> None:
    rows = [_row(s, _step=s, _timestamp=1000.0005 * s + 0.0005, loss=1 / (s + 1), acc=s / 7)
            for s in range(0, 40000, 97)]  # steps of one, two and three varint bytes
    rows[100:100] = [_row(None, _timestamp=5.5, loss=2.0, acc=1.0)] * 3  # another layout
    rows.append(_row(2 ** 60, _step=1, _timestamp=1.0, loss=float("nan"), acc=0.0))
    one_by_one, batched = _series_of(rows, False), _series_of(rows, True)
    assert one_by_one.keys() == batched.keys() == {"loss", "acc"}
    for key, expected in one_by_one.items():
        got = batched[key]
        assert got.steps == expected.steps and got.timestamps == expected.timestamps
        assert got.values.tobytes() == expected.values.tobytes()
    assert batched["loss"].steps[-1] == 2 ** 60


def test_a_batch_with_one_bad_row_is_refused_whole() -> None:
    reader, series = _reader()
    reader.add(_row(0, _step=0, loss=0.25))
    good = [_row(s, _step=s, loss=0.75) for s in range(1, 6)]
    bad = good[2].replace(b"\x82\x01\x040.75", b"\x82\x01\x030.75")
    assert not reader.add_many([*good[:2], bad, *good[3:]])
    assert list(series["loss"].values) == [0.25]  # nothing of the batch was taken
    # A row one byte longer than its lengths say (the batch's rows would not line up).
    longer = good[1][:-1] + good[1][-1:] + b"\x00"
    assert not reader.add_many([good[0], longer])
    assert reader.add_many(good) and list(series["loss"].steps) == [0, 1, 2, 3, 4, 5]


def test_a_bad_history_record_before_damaged_framing_is_the_one_named(tmp_path) -> None:
    """History records are read in batches, after the framing around them: the damage named
    is still the first in the log, and --partial keeps exactly what precedes it."""
    import struct
    import zlib

    from governance_app.importers.wandb_log import read_log
    from governance_app.importers.wandb_records import CorruptLog

    def record(payload: bytes) -> bytes:
        crc = zlib.crc32(payload, zlib.crc32(bytes([1])))
        return struct.pack("<IHB", crc, len(payload), 1) + payload

    rows = [_row(s, _step=s, loss=s / 10) for s in range(3)]
    bad = rows[2].replace(b"\x82\x01\x030.2", b"\x82\x01\x020.2")
    assert bad != rows[2]
    log = b":W&B" + struct.pack("<HB", 0xBEE1, 0)
    offsets = []
    for payload in (rows[0], rows[1], bad):
        offsets.append(len(log))
        log += record(_field(2, payload))
    log += struct.pack("<IHB", 0xDEAD, 5, 1) + b"\x01\x02\x03\x04\x05"  # a bad checksum
    path = tmp_path / "run-x.wandb"
    path.write_bytes(log)
    with pytest.raises(CorruptLog) as raised:
        read_log(path, partial=False)
    assert raised.value.offset == offsets[2]
    run = read_log(path, partial=True)
    assert run.cut_at == offsets[2] and list(run.series["loss"].values) == [0.0, 0.1]
