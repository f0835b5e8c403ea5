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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import add

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
        self.actions = actions
        self.overheads = overheads
        self.step = next((i for i, a in enumerate(actions) if a is STEP), None)
        self.timestamp = next((i for i, a in enumerate(actions) if a is TIMESTAMP), None)
        self.series = [(i, a) for i, a in enumerate(actions) if isinstance(a, MetricSeries)]


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
