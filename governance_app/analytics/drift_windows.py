"""Drift over time: split a monitoring table into windows and compare each to one reference.

The reference - a separate table, or one window ``[start, end)`` of the same table - is
prepared once (sorted, counted); every window is then compared against it, so a year of daily
windows costs one reference sort plus 365 small comparisons.

Windows have a fixed length (``"1h"``, ``"6h"``, ``"1D"``, ``"7D"``, ``"1W"``) and are aligned
to the clock: hours and days to midnight UTC, weeks to Monday 00:00 UTC, so the same data always
yields the same windows. Every window from the first timestamp to the last is reported, empty
ones included (their scores are undefined, with the reason), so a gap in the data shows as a gap.

Timestamps without a zone are taken as UTC. A row whose timestamp is missing or unreadable
cannot be placed in a window: that is an :class:`~governance_app.errors.InputError` naming the
row, not a silently dropped row.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from governance_app.analytics.drift_columns import column_type_of
from governance_app.analytics.drift_select import (
    DriftPolicy,
    IsCancelled,
    Progress,
    check_policy_columns,
    check_schemas,
    compare_prepared,
    prepare_reference,
)
from governance_app.domain.drift import ColumnType, DriftHistory, DriftWindow
from governance_app.errors import ImportCancelled, InputError

WEEK = pd.Timedelta(days=7)
MONDAY = pd.Timestamp("2024-01-01", tz="UTC")  # any Monday 00:00 UTC serves as the week origin


def window_length(frequency: str, source: str = "window") -> pd.Timedelta:
    """The length of a window given as ``"1h"``, ``"1D"``, ``"7D"``, ``"1W"``...

    Raises:
        InputError: not a positive fixed length.
    """
    try:
        length = pd.Timedelta(frequency)
    except (ValueError, TypeError) as exc:
        raise InputError(source, f"{frequency!r} is not a window length", location="--window",
                         expected="a length such as 1h, 6h, 1D, 7D or 1W") from exc
    if length <= pd.Timedelta(0):
        raise InputError(source, f"{frequency!r} is not a positive length", location="--window",
                         expected="a length such as 1h, 1D or 1W")
    return length


def read_times(table: pd.DataFrame, time_column: str, source: str) -> pd.Series:
    """The timestamp column as UTC times.

    Raises:
        InputError: the column is missing, or a row's timestamp is missing or unreadable.
    """
    if time_column not in table.columns:
        raise InputError(source, f"no time column {time_column!r}", location="header",
                         expected=f"one of {list(map(str, table.columns))}")
    raw = table[time_column]
    times = pd.to_datetime(raw, utc=True, errors="coerce", format="mixed")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise InputError(source, f"{bad.size} row(s) without a readable timestamp",
                         location=f"row {row + 1}, column {time_column}",
                         expected=f"a date-time (found {raw.iloc[row]!r})")
    return times


def window_origin(first: pd.Timestamp, length: pd.Timedelta) -> pd.Timestamp:
    """Where the first window starts: the clock-aligned boundary at or before ``first``."""
    if length % WEEK == pd.Timedelta(0):
        return MONDAY + ((first - MONDAY) // WEEK) * WEEK
    day = first.floor("D")
    if length >= pd.Timedelta(days=1):
        return day
    return day + ((first - day) // length) * length


def split_windows(
    table: pd.DataFrame, time_column: str, frequency: str, source: str = "table"
) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.DataFrame]]:
    """The table's rows per window ``[start, end)``, every window from first to last row.

    Raises:
        InputError: no rows, missing time column, an unreadable timestamp, a bad length.
    """
    bounds, cuts, ordered = _window_cuts(table, time_column, frequency, source)
    return [(bounds[i], bounds[i + 1], ordered.iloc[cuts[i]:cuts[i + 1]])
            for i in range(len(bounds) - 1)]


def _window_cuts(
    table: pd.DataFrame, time_column: str, frequency: str, source: str
) -> tuple[list[pd.Timestamp], np.ndarray, pd.DataFrame]:
    """Window bounds, the row offsets where each window starts in the time-ordered table
    (one more at the end), and that table."""
    length = window_length(frequency, source)
    times = read_times(table, time_column, source)
    if times.empty:
        raise InputError(source, "the table has no rows", expected="at least one data row")
    naive = times.dt.tz_localize(None).to_numpy()  # UTC as datetime64, sortable and searchable
    order = np.argsort(naive, kind="stable")
    ordered = table.iloc[order].reset_index(drop=True)
    stamps = naive[order]
    first = pd.Timestamp(stamps[0]).tz_localize("UTC")
    origin = window_origin(first, length)
    count = int((pd.Timestamp(stamps[-1]).tz_localize("UTC") - origin) // length) + 1
    bounds = [origin + i * length for i in range(count + 1)]
    edges = np.array([b.tz_localize(None).to_datetime64() for b in bounds])
    cuts = np.searchsorted(stamps, edges, side="left")
    return bounds, cuts, ordered


def _columns_once(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, Any]:
    """Each compared column extracted once, so a window is a slice, not a DataFrame.

    Numbers become one numpy array (a window is a view); anything else one ``Categorical``,
    whose codes a window counts with a ``bincount`` instead of hashing its strings again.
    """
    out: dict[str, Any] = {}
    for name in names:
        series = frame[name]
        if column_type_of(series) is ColumnType.NUMERICAL:
            out[name] = series.to_numpy()
        else:
            out[name] = pd.Categorical(series)
    return out


def parse_window(text: str, source: str = "reference window") -> tuple[datetime, datetime]:
    """``"START/END"`` (ISO dates or date-times; no zone means UTC) as two UTC datetimes.

    Raises:
        InputError: not two readable times with START before END.
    """
    parts = text.split("/")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        start, end = (pd.Timestamp(p.strip()) for p in parts)
    except ValueError as exc:
        raise InputError(source, f"{text!r} is not START/END", location="--reference-window",
                         expected="two ISO dates such as 2026-01-01/2026-01-08") from exc
    start, end = (t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
                  for t in (start, end))
    if not start < end:
        raise InputError(source, f"{text!r} ends before it starts",
                         location="--reference-window", expected="START before END")
    return start.to_pydatetime(), end.to_pydatetime()


def drift_history(
    table: pd.DataFrame,
    time_column: str,
    frequency: str,
    *,
    reference: pd.DataFrame | None = None,
    reference_window: tuple[datetime, datetime] | None = None,
    policy: DriftPolicy | None = None,
    columns: Sequence[str] | None = None,
    sources: tuple[str, str] = ("table", "reference"),
    workers: int = 2,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> DriftHistory:
    """Compare every window of ``table`` with a reference table or a reference window.

    Args:
        table: the monitoring table, one row per observation, with ``time_column``.
        time_column: the timestamp column to split on (not itself compared).
        frequency: the window length (see :func:`window_length`).
        reference: the reference table (its ``time_column``, if any, is ignored); or
        reference_window: ``(start, end)`` of ``table`` to use as the reference.
        policy: methods, thresholds, overrides; Evidently's defaults when ``None``.
        columns: the columns to compare; every column but the time column when ``None``.
        sources: names of the table and the reference, for error messages.
        workers: windows compared at once (threads; numpy releases the GIL).
        progress: ``progress(done, total, window_start)`` after each window.
        is_cancelled: polled between windows.

    Raises:
        InputError: neither or both references given, an empty reference window, missing time
            column, mismatched schemas, an all-null reference column.
        ImportCancelled: cancelled.
    """
    if (reference is None) == (reference_window is None):
        raise InputError(sources[1], "give either a reference table or a reference window",
                         expected="exactly one of --reference, --reference-window")
    policy = policy or DriftPolicy()
    bounds, cuts, ordered = _window_cuts(table, time_column, frequency, sources[0])
    data = table.drop(columns=[time_column])
    if reference_window is not None:
        start, end = (pd.Timestamp(t) for t in reference_window)
        times = read_times(table, time_column, sources[0])
        ref = data[((times >= start) & (times < end)).to_numpy()]
        if ref.empty:
            raise InputError(sources[0], "no rows in the reference window",
                             location="--reference-window",
                             expected=f"rows between {start.isoformat()} and {end.isoformat()}")
        described = f"window {start.isoformat()}/{end.isoformat()}"
    else:
        assert reference is not None
        ref = reference.drop(columns=[time_column], errors="ignore")
        described = sources[1]
    names = check_schemas(ref, data, columns, (sources[1], sources[0]))
    check_policy_columns(policy, names)
    prepared = prepare_reference(ref, names, policy, sources[1], max(workers, 1))
    extracted = _columns_once(ordered, names)
    windows = range(len(bounds) - 1)

    def one(i: int) -> DriftWindow:
        if is_cancelled is not None and is_cancelled():
            raise ImportCancelled("drift history cancelled")
        lo, hi = int(cuts[i]), int(cuts[i + 1])
        frame = {name: values[lo:hi] for name, values in extracted.items()}
        drift = compare_prepared(prepared, frame, policy, workers=1)
        return DriftWindow(bounds[i].to_pydatetime(), bounds[i + 1].to_pydatetime(), drift,
                           hi - lo)

    done: list[DriftWindow] = []
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        for window in pool.map(one, windows):
            done.append(window)
            if progress is not None:
                progress(len(done), len(windows), window.start.isoformat())
    return DriftHistory(tuple(done), described, time_column, frequency, len(ref))
