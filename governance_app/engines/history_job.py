"""A drift history run by an engine: every window of a monitoring table in one pass per column.

The engine counts each compared column per (window, value) in one ``GROUP BY`` over the whole
table (windows are clock-aligned as in :mod:`~governance_app.analytics.drift_windows`: the same
data gives the same windows whichever engine runs), and the reference per value once. Each
window is then judged from its counts beside the reference's by
:mod:`~governance_app.analytics.drift_from_counts`; empty windows are reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from governance_app.analytics.drift_columns import integer_as_categories
from governance_app.analytics.drift_from_counts import (
    CategoryTally,
    categorical_column,
    labels_of,
    numeric_column,
)
from governance_app.analytics.drift_select import DriftPolicy, check_policy_columns, dataset_drift
from governance_app.analytics.drift_windows import window_length, window_origin
from governance_app.analytics.ks_from_counts import ValueCounts, iterate_parts
from governance_app.domain.drift import ColumnDrift, DriftHistory, DriftWindow
from governance_app.engines.base import ColumnSummary, EngineCancelled, IsCancelled, Progress
from governance_app.engines.source import TableSource
from governance_app.errors import InputError


def _micros(t: datetime | pd.Timestamp) -> int:
    return int(pd.Timestamp(t).value // 1000)


def _numeric_side(found: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(window, value, count, null?) arrays from the engine's sorted counts."""
    w = np.asarray(found["w"], dtype=np.int64)
    v = found["v"]
    null = np.ma.getmaskarray(v) if isinstance(v, np.ma.MaskedArray) else np.isnan(
        np.asarray(v, dtype=np.float64))
    values = np.ma.getdata(v).astype(np.float64)
    return w, values, np.asarray(found["n"], dtype=np.int64), null


INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                           "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "INT", "LONG", "SHORT",
                           "BYTE"})
"""Integer column types as DuckDB and Spark name them (case aside)."""


def _numeric_windows(name: str, ref: dict[str, Any], cur: dict[str, Any], n_windows: int,
                     policy: DriftPolicy, integer: bool = False
                     ) -> list[tuple[ColumnDrift, dict[str, Any]]]:
    _, rv, rn, rnull = _numeric_side(ref)
    ref_values, ref_counts = rv[~rnull], rn[~rnull]
    nulls_ref = int(rn[rnull].sum())
    n_ref = int(ref_counts.sum())
    w, cv, cn, cnull = _numeric_side(cur)
    starts = np.searchsorted(w, np.arange(n_windows + 1), side="left")
    out = []
    for i in range(n_windows):
        lo, hi = starts[i], starts[i + 1]
        keep = ~cnull[lo:hi]
        values, counts = cv[lo:hi][keep], cn[lo:hi][keep]
        nulls = (nulls_ref, int(cn[lo:hi][~keep].sum()))
        n_cur = int(counts.sum())
        union = np.union1d(ref_values, values)
        if integer_as_categories(policy, name, integer, int(values.size)):
            tally = CategoryTally(labels_of(union.astype(np.int64)),
                                  _aligned(union, ref_values, ref_counts),
                                  _aligned(union, values, counts), nulls[0], nulls[1])
            out.append(categorical_column(name, tally, policy))
            continue
        part = ValueCounts(union, _aligned(union, ref_values, ref_counts),
                           _aligned(union, values, counts))
        out.append(numeric_column(name, iterate_parts(lambda p=part: [p]), nulls, n_ref, n_cur,
                                  int(ref_values.size), policy))
    return out


def _aligned(union: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    out = np.zeros(union.size, dtype=np.int64)
    out[np.searchsorted(union, values)] = counts
    return out


def _categorical_windows(name: str, ref: list[tuple], cur: list[tuple], n_windows: int,
                         policy: DriftPolicy) -> list[tuple[ColumnDrift, dict[str, Any]]]:
    ref_counts = {v: int(n) for _, v, n in ref if v is not None}
    nulls_ref = sum(int(n) for _, v, n in ref if v is None)
    per_window: list[dict[Any, int]] = [{} for _ in range(n_windows)]
    nulls_cur = [0] * n_windows
    for w, v, n in cur:
        if v is None:
            nulls_cur[int(w)] += int(n)
        else:
            per_window[int(w)][v] = int(n)
    out = []
    for i in range(n_windows):
        labels = list(ref_counts) + [v for v in per_window[i] if v not in ref_counts]
        tally = CategoryTally(labels_of(labels),
                              np.array([ref_counts.get(v, 0) for v in labels], dtype=np.int64),
                              np.array([per_window[i].get(v, 0) for v in labels],
                                       dtype=np.int64), nulls_ref, nulls_cur[i])
        out.append(categorical_column(name, tally, policy))
    return out


def history_with_engine(
    engine: Any,
    table: TableSource,
    time_column: str,
    frequency: str,
    policy: DriftPolicy,
    *,
    reference: TableSource | None = None,
    reference_window: tuple[datetime, datetime] | None = None,
    columns: Sequence[str] | None = None,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
) -> tuple[DriftHistory, list[dict[str, Any]]]:
    """Compare every window of ``table`` with a reference table or window, counted by an engine
    (DuckDB or Spark).

    Returns:
        The history and, per window, the counts each column's verdict came from.

    Raises:
        InputError: as :func:`~governance_app.analytics.drift_windows.drift_history`.
        EngineCancelled: ``is_cancelled()`` turned true.
    """
    if (reference is None) == (reference_window is None):
        raise InputError(table.text, "give either a reference table or a reference window",
                         expected="exactly one of --reference, --reference-window")
    length = window_length(frequency, table.text)
    length_us = int(length.value // 1000)
    rows, bad, first, last = engine.time_range(table, time_column)
    if rows == 0:
        raise InputError(table.text, "the table has no rows", expected="at least one data row")
    if bad:
        raise InputError(table.text, f"{bad} row(s) without a readable timestamp",
                         location=f"column {time_column}", expected="a date-time on every row")
    origin = window_origin(pd.Timestamp(first, unit="us", tz="UTC"), length)
    origin_us = _micros(origin)
    n_windows = (last - origin_us) // length_us + 1
    bounds = [origin + i * length for i in range(n_windows + 1)]
    table_schema = {k: v for k, v in engine.schema(table).items() if k != time_column}
    ref_source = reference if reference is not None else table
    ref_schema = {k: v for k, v in engine.schema(ref_source).items() if k != time_column}
    names = list(columns) if columns else [c for c in table_schema if c in ref_schema]
    for name in names:
        for schema, src in ((ref_schema, ref_source), (table_schema, table)):
            if name not in schema:
                raise InputError(src.text, f"no column {name!r}", location="header",
                                 expected=f"one of {list(schema)}")
    check_policy_columns(policy, names)
    ref_bounds = None
    described = reference.text if reference is not None else ""
    if reference_window is not None:
        ref_bounds = (_micros(reference_window[0]), _micros(reference_window[1]))
        described = (f"window {pd.Timestamp(reference_window[0]).isoformat()}/"
                     f"{pd.Timestamp(reference_window[1]).isoformat()}")
    timed = (time_column, origin_us, length_us)
    window_rows = engine.window_rows(table, time_column, origin_us, length_us)
    per_column = []
    n_ref_rows = 0
    for done, name in enumerate(names, start=1):
        if is_cancelled is not None and is_cancelled():
            raise EngineCancelled("drift history cancelled; nothing was stored")
        numeric = engine.is_numeric(ref_schema[name])
        ref = engine.windowed_counts(ref_source, name, numeric,
                                     timed if ref_bounds else None, ref_bounds)
        cur = engine.windowed_counts(table, name, numeric, timed)
        n_ref_rows = int(np.sum(ref["n"])) if numeric else sum(int(r[2]) for r in ref)
        if n_ref_rows == 0 and ref_bounds is not None:
            raise InputError(table.text, "no rows in the reference window",
                             location="--reference-window", expected=f"rows in {described}")
        summary = _non_null(ref, numeric)
        if summary.n_ref == 0:
            raise InputError(ref_source.text, f"column {name!r} has no non-null value",
                             location=f"column {name}",
                             expected="at least one non-null reference value")
        if numeric:
            integer = ref_schema[name].upper() in INTEGER_TYPES and \
                table_schema[name].upper() in INTEGER_TYPES
            per_column.append(_numeric_windows(name, ref, cur, n_windows, policy, integer))
        else:
            per_column.append(_categorical_windows(name, ref, cur, n_windows, policy))
        if progress is not None:
            progress(done, len(names), name)
    windows, records = [], []
    for i in range(n_windows):
        drift = dataset_drift([col[i][0] for col in per_column], policy.drift_share)
        windows.append(DriftWindow(bounds[i].to_pydatetime(), bounds[i + 1].to_pydatetime(),
                                   drift, window_rows.get(i, 0)))
        records.append({name: col[i][1] for name, col in zip(names, per_column, strict=True)})
    return (DriftHistory(tuple(windows), described, time_column, frequency, n_ref_rows),
            records)


def _non_null(ref: Any, numeric: bool) -> ColumnSummary:
    if numeric:
        _, _, n, null = _numeric_side(ref)
        kept = int(n[~null].sum())
    else:
        kept = sum(int(r[2]) for r in ref if r[1] is not None)
    return ColumnSummary("", numeric, kept, 0, 0, 0, -1)
