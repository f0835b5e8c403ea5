"""W&B history rows into metric histories, fast enough for a run of a million rows.

Each ``wandb.log`` call is one ``HistoryRecord``: items of ``key`` and ``value_json`` and the
step. A long run logs the same keys in the same order row after row, so after decoding one row
the general way (:func:`~governance_app.importers.wandb_records.history_row`) the reader
compiles a regular expression of that row's exact layout, tags, keys and all, with the lengths
and values as groups, and reads the next rows with one match each. A row only counts as matched
when every length byte equals the length of what it frames, so a match means the same bytes the
general decoder would accept; any other row (new keys, long values, nested keys) is decoded the
general way. JSON text never holds a raw control byte, which is what lets a value end where the
next item's tag begins.

:meth:`HistoryReader.add_many` takes the rows a log holds one after another in batches: when
every row of a batch matches the last layout, the same checks run column by column (all the
rows' value lengths compared with all their length bytes at once, the steps' varints decoded
with numpy), so a million rows cost a few thousand calls instead of a million. A batch with
any row the column checks do not accept is handed back, untouched, to be read row by row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import repeat
from operator import add
from typing import Any

from governance_app.domain.registry import MetricSeries
from governance_app.importers import wandb_records as wr

STEP, TIMESTAMP, SKIP = object(), object(), None
_VALUE = rb"([^\x00-\x1f]*)"
_STEP = rb"(?:\x12([\x00-\x7f])\x08([\x80-\xff]{0,9}[\x00-\x7f]))?"
MAX_TEMPLATES = 64


class _Template:
    """A row layout: its pattern, what each key's value does, each item's fixed overhead, and
    (worked out once) where the step, the timestamp and each metric are in the row."""

    def __init__(self, pattern: re.Pattern[bytes], actions: list[object],
                 overheads: list[int]) -> None:
        self.pattern = pattern
        self.batch_pattern = _batch_pattern(pattern)
        self.actions = actions
        self.overheads = overheads
        self.step = next((i for i, a in enumerate(actions) if a is STEP), None)
        self.timestamp = next((i for i, a in enumerate(actions) if a is TIMESTAMP), None)
        self.series = [(i, a) for i, a in enumerate(actions) if isinstance(a, MetricSeries)]


def _batch_pattern(pattern: re.Pattern[bytes]) -> re.Pattern[bytes]:
    """The row pattern for a joined batch: the length bytes and the step's length byte not
    captured (they are checked by position), each row followed by its zero separator."""
    text = (pattern.pattern.replace(rb"\x0a([\x00-\x7f])\x0a", rb"\x0a[\x00-\x7f]\x0a")
            .replace(rb"\x82\x01([\x00-\x7f])", rb"\x82\x01[\x00-\x7f]")
            .replace(rb"\x12([\x00-\x7f])\x08", rb"\x12[\x00-\x7f]\x08"))
    return re.compile(text + rb"\x00", re.DOTALL)


class HistoryReader:
    """Accumulates one run's history rows into :class:`MetricSeries` by key."""

    def __init__(self, new_series: Callable[[str], MetricSeries]) -> None:
        self.new_series = new_series
        self.rows = 0
        self._templates: dict[tuple[bytes, ...], _Template] = {}
        self._last: _Template | None = None
        self._series: dict[bytes, MetricSeries] = {}

    def add(self, payload: bytes) -> None:
        """Decode one HistoryRecord payload and append its numeric values.

        Raises:
            WireError: the payload is not a valid HistoryRecord.
        """
        last = self._last
        if last is not None:
            match = last.pattern.fullmatch(payload)
            if match is not None and self._add_matched(match.groups(), last):
                return
        step, items = wr.history_row(payload)
        keys = tuple(key for key, _ in items)
        self._append(step, [value for _, value in items], self._actions(keys))
        template = self._templates.get(keys)
        if template is None and len(self._templates) < MAX_TEMPLATES and all(
                len(key) < 0x80 for key in keys):
            template = self._templates[keys] = _Template(
                self._compile(keys), self._actions(keys), [len(key) + 5 for key in keys])
        self._last = template

    def add_many(self, payloads: list[bytes]) -> bool:
        """Append a batch of HistoryRecord payloads when every one is laid out as the last
        row was and passes the checks :meth:`add` makes; otherwise change nothing and return
        False (the caller then reads them one by one with :meth:`add`).

        The batch is joined with a zero byte after each payload and searched once for rows
        of the layout, capturing only the values and the step's varint. Every other byte is
        then checked by position: from the values' lengths each row's length is computed and
        must equal its payload's (so the rows found are exactly the payloads, no more, no
        less), and each item's two length bytes and the step's length byte are read where
        they must be and compared with what they frame.
        """
        template = self._last
        if template is None or not payloads:
            return False
        import numpy as np  # only for long histories; the importer loads without it

        joined = b"\0".join(payloads) + b"\0"
        found = template.batch_pattern.findall(joined)
        if len(found) != len(payloads):
            return False
        columns: list[tuple[bytes, ...]] = list(zip(*found, strict=True))
        try:
            steps = self._checked_steps(np, joined, payloads, columns, template)
            if steps is None:
                return False
            numbers = {i: list(map(float, columns[i])) for i, action in enumerate(
                template.actions) if action is not SKIP}
            if steps == b"" and template.step is not None:
                steps = np.array(list(map(int, numbers[template.step])), np.int64).tobytes()
            elif steps == b"":
                steps = np.arange(self.rows, self.rows + len(payloads), dtype=np.int64).tobytes()
            stamps = self._stamps(np, template, numbers, len(payloads))
        except (ValueError, OverflowError):  # a value that is not a number, or too large
            return False
        if stamps is None:
            return False
        self.rows += len(payloads)
        for index, series in template.series:
            series.steps.frombytes(steps)
            series.timestamps.frombytes(stamps)
            series.values.extend(numbers[index])
        return True

    @staticmethod
    def _checked_steps(np: Any, joined: bytes, payloads: list[bytes],
                       columns: list[tuple[bytes, ...]], template: _Template) -> bytes | None:
        """Check every framing byte of the batch (see :meth:`add_many`); the steps' varints
        decoded as int64 bytes, ``b""`` when no row has one, ``None`` when a check fails."""
        rows = len(payloads)
        buf = np.frombuffer(joined, dtype=np.uint8)
        lengths = np.fromiter(map(len, payloads), dtype=np.int64, count=rows)
        starts = np.zeros(rows, dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        at = starts.copy()  # where each row's current item starts
        for item, overhead in enumerate(template.overheads):
            sizes = np.fromiter(map(len, columns[item]), dtype=np.int64, count=rows)
            key = overhead - 5
            if not (np.array_equal(buf[at + 1], sizes + overhead)
                    and np.array_equal(buf[at + 6 + key], sizes)):
                return None
            at += 7 + key + sizes
        varints = columns[-1]
        widths = np.fromiter(map(len, varints), dtype=np.int64, count=rows)
        if not widths.any():
            return b"" if np.array_equal(at - starts, lengths) else None
        if not widths.all() or widths.max() > 9:
            return None
        if not (np.array_equal(buf[at + 1], widths + 1)
                and np.array_equal(at + 3 + widths - starts, lengths)):
            return None
        padded = b"".join(map(bytes.ljust, varints, repeat(9), repeat(b"\0")))
        digits = np.frombuffer(padded, dtype=np.uint8).reshape(rows, 9)
        shifts = np.arange(0, 63, 7, dtype=np.uint64)
        decoded = ((digits & 0x7F).astype(np.uint64) << shifts).sum(axis=1, dtype=np.uint64)
        return bytes(decoded.view(np.int64).tobytes())

    @staticmethod
    def _stamps(np: Any, template: _Template, numbers: dict[int, list[float]], rows: int
                ) -> bytes | None:
        """Milliseconds as ``round(seconds * 1000)`` (half to even, as numpy's ``rint``)."""
        if template.timestamp is None:
            return bytes(8 * rows)
        millis = np.rint(np.array(numbers[template.timestamp], dtype=np.float64) * 1000)
        if not np.all(np.abs(millis) < 2.0 ** 63):  # NaN and infinity fail too
            return None
        return bytes(millis.astype(np.int64).tobytes())

    @staticmethod
    def _compile(keys: tuple[bytes, ...]) -> re.Pattern[bytes]:
        parts = [rb"\x0a([\x00-\x7f])\x0a" + re.escape(bytes([len(key)]) + key)
                 + rb"\x82\x01([\x00-\x7f])" + _VALUE for key in keys]
        return re.compile(b"".join(parts) + _STEP, re.DOTALL)

    def _actions(self, keys: tuple[bytes, ...]) -> list[object]:
        out: list[object] = []
        for key in keys:
            if key == b"_step":
                out.append(STEP)
            elif key == b"_timestamp":
                out.append(TIMESTAMP)
            elif key.startswith(b"_"):
                out.append(SKIP)
            else:
                series = self._series.get(key)
                if series is None:
                    series = self._series[key] = self.new_series(key.decode("utf-8"))
                out.append(series)
        return out

    def _add_matched(self, groups: tuple[bytes | None, ...], template: _Template) -> bool:
        """Check the lengths of a template match; append the row when they all hold.

        Each item is ``0x0A L 0x0A K key 0x82 0x01 V value``: ``V`` must be the value's length
        and ``L`` the item's (``K + V + 5``, the overhead kept per key). The checks and the
        number parsing run as whole-row ``bytes``/``map`` operations: a million rows.
        """
        values = groups[2:-2:3]
        try:
            sizes = bytes(map(len, values))  # type: ignore[arg-type]
            outers = bytes(map(add, sizes, template.overheads))
            numbers = list(map(float, values))  # type: ignore[arg-type]
        except ValueError:  # a value over 255 bytes, or one that is not a number
            return False
        if sizes != b"".join(groups[1:-2:3]) or outers != b"".join(groups[0:-2:3]):  # type: ignore[arg-type]
            return False
        step: int | None = None
        if groups[-2] is not None:
            length, varint = groups[-2], groups[-1]
            assert varint is not None
            if length[0] != len(varint) + 1:
                return False
            step = 0
            for shift, byte in enumerate(varint):  # the step's varint, least significant first
                step |= (byte & 0x7F) << (7 * shift)
            if step >= 1 << 63:
                step -= 1 << 64
        if template.step is not None and step is None:
            step = int(numbers[template.step])
        if step is None:
            step = self.rows
        self.rows += 1
        stamp = 0 if template.timestamp is None else round(numbers[template.timestamp] * 1000)
        for index, series in template.series:
            series.steps.append(step)
            series.timestamps.append(stamp)
            series.values.append(numbers[index])
        return True

    def _append(self, step: int | None, values: list[bytes | None],
                actions: list[object]) -> None:
        stamp = 0
        points: list[tuple[MetricSeries, float]] = []
        for action, text in zip(actions, values, strict=True):
            if action is SKIP or text is None:
                continue
            try:
                value = float(text)
            except ValueError:
                continue  # media, tables, histograms: JSON objects, not metric points
            if action is TIMESTAMP:
                stamp = round(value * 1000)
            elif action is STEP:
                if step is None:
                    step = int(value)
            else:
                points.append((action, value))  # type: ignore[arg-type]
        if step is None:
            step = self.rows
        self.rows += 1
        for series, value in points:
            series.steps.append(step)
            series.timestamps.append(stamp)
            series.values.append(value)
