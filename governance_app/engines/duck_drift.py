"""DuckDB's drift queries: per column the counts per distinct value of a reference and a
current table (streamed back in value order for the exact KS and Wasserstein passes of
:mod:`~governance_app.analytics.ks_from_counts`), category counts, and the same per time
window for a drift history. A mixin of :class:`~governance_app.engines.duck.DuckDBEngine`,
which owns the connection; only counts leave DuckDB.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from governance_app.engines.base import ColumnSummary
from governance_app.engines.duck_sql import is_numeric_type, quote, scan
from governance_app.engines.source import TableSource

if TYPE_CHECKING:  # drift's analytics load with the drift methods: a fairness run needs none
    import duckdb

    from governance_app.analytics.drift_from_counts import CategoryTally
    from governance_app.analytics.ks_from_counts import MapParts, ValueCounts

PART_ROWS = 1_000_000
"""Distinct values per record batch streamed back: one part of the numeric passes."""


class DuckDBDriftQueries:
    """The drift methods of the DuckDB engine (see the module docstring)."""

    if TYPE_CHECKING:  # provided by DuckDBEngine
        _con: duckdb.DuckDBPyConnection
        _temp: int

        def _run(self, sql: str, what: str, source: str) -> Any: ...

        def _require(self, source: TableSource, columns: Sequence[str]) -> dict[str, str]: ...

    # -- drift -----------------------------------------------------------------------------

    def _both(self, reference: TableSource, current: TableSource, expr: str) -> str:
        return (f"SELECT {expr} AS v, 0 AS s FROM {scan(reference)} "
                f"UNION ALL SELECT {expr} AS v, 1 AS s FROM {scan(current)}")

    def drift_summaries(self, reference: TableSource, current: TableSource,
                        columns: Sequence[str]) -> list[ColumnSummary]:
        ref_schema = self._require(reference, columns)
        self._require(current, columns)
        out = []
        sides = []
        for source in (reference, current):
            exprs = ["count(*)"]
            for c in columns:
                numeric = is_numeric_type(ref_schema[c])
                exprs.append(f"count(*) FILTER (WHERE isfinite(CAST({quote(c)} AS DOUBLE)))"
                             if numeric else f"count({quote(c)})")
            sides.append(self._run(f"SELECT {', '.join(exprs)} FROM {scan(source)}",
                                   "count the rows", source.text).fetchone())
        for i, c in enumerate(columns, start=1):
            numeric = is_numeric_type(ref_schema[c])
            out.append(ColumnSummary(c, numeric, int(sides[0][i]), int(sides[1][i]),
                                     int(sides[0][0] - sides[0][i]),
                                     int(sides[1][0] - sides[1][i]), -1))
        return out

    def distinct_reference(self, reference: TableSource, column: str, numeric: bool) -> int:
        """Distinct non-null reference values (asked for only when the current side is empty)."""
        expr = quote(column)
        where = f"isfinite(CAST({expr} AS DOUBLE))" if numeric else f"{expr} IS NOT NULL"
        return int(self._run(f"SELECT count(DISTINCT {expr}) FROM {scan(reference)} "
                             f"WHERE {where}", "count distinct values", reference.text)
                   .fetchone()[0])

    def numeric_parts(self, reference: TableSource, current: TableSource,
                      column: str) -> MapParts:
        from governance_app.analytics.ks_from_counts import ValueCounts, iterate_parts

        self._temp += 1
        name = f"value_counts_{self._temp}"
        both = self._both(reference, current, f"CAST({quote(column)} AS DOUBLE)")
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT v, "
                  "count(*) FILTER (WHERE s = 0) AS r, count(*) FILTER (WHERE s = 1) AS c "
                  f"FROM ({both}) WHERE isfinite(v) GROUP BY v ORDER BY v",
                  f"count the values of {column!r}", f"{reference.text}, {current.text}")

        def parts() -> Iterator[ValueCounts]:
            reader = self._con.sql(f"SELECT v, r, c FROM {name}").to_arrow_reader(PART_ROWS)
            for batch in reader:
                yield ValueCounts(batch.column(0).to_numpy(), batch.column(1).to_numpy()
                                  .astype(np.int64), batch.column(2).to_numpy().astype(np.int64))

        return iterate_parts(parts)

    def category_counts(self, reference: TableSource, current: TableSource,
                        column: str) -> CategoryTally:
        from governance_app.analytics.drift_from_counts import CategoryTally, labels_of

        both = self._both(reference, current, quote(column))
        rows = self._run(f"SELECT v, count(*) FILTER (WHERE s = 0), "
                         f"count(*) FILTER (WHERE s = 1) FROM ({both}) GROUP BY v",
                         f"count the categories of {column!r}",
                         f"{reference.text}, {current.text}").fetchall()
        nulls = [r for r in rows if r[0] is None]
        kept = [r for r in rows if r[0] is not None]
        return CategoryTally(labels_of([r[0] for r in kept]),
                             np.array([r[1] for r in kept], dtype=np.int64),
                             np.array([r[2] for r in kept], dtype=np.int64),
                             int(nulls[0][1]) if nulls else 0, int(nulls[0][2]) if nulls else 0)

    # -- drift over time -------------------------------------------------------------------

    @staticmethod
    def _micros(column: str) -> str:
        return f"epoch_us(TRY_CAST({quote(column)} AS TIMESTAMPTZ))"

    def time_range(self, table: TableSource, time_column: str) -> tuple[int, int, int, int]:
        """(rows, rows without a readable time, first and last time in UTC microseconds)."""
        self._require(table, [time_column])
        t = self._micros(time_column)
        row = self._run(f"SELECT count(*), count(*) - count({t}), min({t}), max({t}) "
                        f"FROM {scan(table)}", "read the time column", table.text).fetchone()
        return int(row[0]), int(row[1]), int(row[2] or 0), int(row[3] or 0)

    def window_rows(self, table: TableSource, time_column: str, origin: int,
                    length: int) -> dict[int, int]:
        """Rows per window index (windows of ``length`` microseconds from ``origin``)."""
        w = f"({self._micros(time_column)} - {origin}) // {length}"
        rows = self._run(f"SELECT {w} AS w, count(*) FROM {scan(table)} GROUP BY w",
                         "count rows per window", table.text).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    def windowed_counts(self, table: TableSource, column: str, numeric: bool,
                        window: tuple[str, int, int] | None,
                        bounds: tuple[int, int] | None = None) -> Any:
        """Counts per (window, value) of one column, nulls as value NULL; sorted by both.

        ``window`` is ``(time column, origin, length)`` in microseconds, or ``None`` for one
        window holding every row (a reference table); ``bounds`` keeps rows whose time is in
        ``[start, end)`` (a reference window).
        """
        v = quote(column)
        if numeric:
            raw = f"CAST({v} AS DOUBLE)"
            v = f"CASE WHEN isfinite({raw}) THEN {raw} ELSE NULL END"
        w = ("0" if window is None or bounds is not None  # a reference: one window
             else f"({self._micros(window[0])} - {window[1]}) // {window[2]}")
        where = ""
        if bounds is not None:
            assert window is not None
            t = self._micros(window[0])
            where = f"WHERE {t} >= {bounds[0]} AND {t} < {bounds[1]}"
        sql = (f"SELECT {w} AS w, {v} AS v, count(*) AS n FROM {scan(table)} {where} "
               "GROUP BY ALL ORDER BY w, v NULLS FIRST")
        return self._run(sql, f"count the values of {column!r} per window",
                         table.text).fetchnumpy() if numeric else self._run(
            sql, f"count the values of {column!r} per window", table.text).fetchall()
