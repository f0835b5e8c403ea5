"""DuckDB: the embedded engine for files, folders and globs larger than memory.

DuckDB reads Parquet and CSV with its built-in readers (no extension is installed or loaded at
run time: the app works offline), runs every ``GROUP BY`` in parallel and spills to a private
temporary folder when the ``memory_limit`` is reached, so a table of any size is reduced with
bounded memory. Only counts leave DuckDB: a fairness count table, per column the counts per
distinct value (streamed back in record batches, in value order, for the passes of
:mod:`~governance_app.analytics.ks_from_counts`), or the category counts.

A watcher thread reports DuckDB's own query progress and calls ``interrupt()`` as soon as the
caller's ``is_cancelled()`` turns true.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from governance_app.analytics.drift_from_counts import CategoryTally, labels_of
from governance_app.analytics.ks_from_counts import MapParts, ValueCounts, iterate_parts
from governance_app.analytics.sufficient_stats import (
    COUNT,
    LABEL,
    MAX_EXACT_SCORES,
    PREDICTION,
    SCORE,
    SCORE_DECIMALS,
)
from governance_app.engines.base import (
    ColumnSummary,
    EngineCancelled,
    EngineUnavailable,
    FairnessSpec,
    IsCancelled,
    Progress,
)
from governance_app.engines.source import TableSource
from governance_app.errors import InputError

DEFAULT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit; larger intermediate results spill to the temporary folder."""
PART_ROWS = 1_000_000
"""Distinct values per record batch streamed back: one part of the numeric passes."""
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scan(source: TableSource) -> str:
    """The table function reading ``source`` (built-in readers only)."""
    files = "[" + ", ".join(_literal(f) for f in source.files) + "]"
    if source.format == "csv":
        return f"read_csv({files}, header = true)"
    if source.format == "parquet":
        return f"read_parquet({files})"
    raise InputError(source.text, "DuckDB reads files, not catalogue tables",
                     expected="--engine spark for --table")


def is_numeric_type(type_name: str) -> bool:
    """Numbers (not booleans): compared as distributions, as pandas' numeric dtypes are."""
    return type_name.upper().startswith(NUMERIC_TYPES)


class DuckDBEngine:
    """One DuckDB connection with its own spill folder; close it when done."""

    name = "duckdb"

    def __init__(self, *, memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None,
                 progress: Progress | None = None,
                 is_cancelled: IsCancelled | None = None) -> None:
        try:
            import duckdb
        except ImportError as exc:  # a runtime dependency; only a broken install lacks it
            raise EngineUnavailable("--engine duckdb", "the duckdb package is not installed",
                                    expected="pip install duckdb") from exc
        self._duckdb = duckdb
        self._spill = tempfile.mkdtemp(prefix="governance-app-duckdb-")
        config: dict[str, Any] = {
            "memory_limit": memory_limit, "temp_directory": self._spill,
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
            "enable_external_access": True,
        }
        if threads:
            config["threads"] = threads
        self._con = duckdb.connect(":memory:", config=config)
        self._con.execute("SET TimeZone = 'UTC'")  # times without a zone are UTC, as in memory
        self._progress = progress
        self._is_cancelled = is_cancelled
        self._temp = 0

    def version(self) -> str:
        return str(self._duckdb.__version__)

    def is_numeric(self, type_name: str) -> bool:
        """Numbers (not booleans): compared as distributions."""
        return is_numeric_type(type_name)

    def close(self) -> None:
        self._con.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    # -- running queries -------------------------------------------------------------------

    def _run(self, sql: str, what: str, source: str) -> Any:
        """Execute with progress and cancellation; map DuckDB's errors to ours."""
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.05):
                if self._is_cancelled is not None and self._is_cancelled():
                    self._con.interrupt()
                    return
                if self._progress is not None:
                    share = self._con.query_progress()
                    if share >= 0:
                        self._progress(int(share), 100, what)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            return self._con.execute(sql)
        except self._duckdb.InterruptException as exc:
            raise EngineCancelled(f"{what} cancelled; nothing was stored") from exc
        except self._duckdb.Error as exc:
            raise InputError(source, f"DuckDB could not {what}: {str(exc).splitlines()[0]}",
                             expected="a readable table with the named columns") from None
        finally:
            done.set()
            watcher.join()

    def schema(self, source: TableSource) -> dict[str, str]:
        rows = self._run(f"DESCRIBE SELECT * FROM {scan(source)}", "read the schema",
                         source.text).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def _require(self, source: TableSource, columns: Sequence[str]) -> dict[str, str]:
        schema = self.schema(source)
        missing = [c for c in columns if c not in schema]
        if missing:
            raise InputError(source.text, f"missing column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(map(repr, missing))}", location="columns",
                             expected=f"the table's columns {list(schema)[:30]}")
        return schema

    # -- fairness --------------------------------------------------------------------------

    def _outcomes(self, source: TableSource, schema: dict[str, str], spec: FairnessSpec,
                  score_decimals: int | None, want_score: bool) -> tuple[list[str], int | None]:
        """Label, prediction (and score) expressions, with the score rounding decided."""
        table = scan(source)
        score_sql = None
        if spec.score is not None:
            if not is_numeric_type(schema[spec.score]):
                raise InputError(source.text, f"{spec.score!r} is not numeric",
                                 location=f"column {spec.score!r}", expected="a numeric score")
            raw = f"CAST({quote(spec.score)} AS DOUBLE)"
            score_sql = f"CASE WHEN isnan({raw}) THEN NULL ELSE {raw} END"
            if score_decimals is None and want_score:
                distinct = self._run(f"SELECT approx_count_distinct({score_sql}) FROM {table}",
                                     "count distinct scores", source.text).fetchone()[0]
                score_decimals = SCORE_DECIMALS if distinct > MAX_EXACT_SCORES else None
        if spec.prediction is not None:
            pred_sql = quote(spec.prediction)
        else:
            pred_sql = (f"CASE WHEN {score_sql} IS NULL THEN NULL "
                        f"WHEN {score_sql} >= {float(spec.threshold)!r} THEN 1 ELSE 0 END")
        label_sql = quote(spec.label)
        if schema[spec.label].upper() in ("FLOAT", "DOUBLE", "REAL"):
            label_sql = f"CASE WHEN isnan({label_sql}) THEN NULL ELSE {label_sql} END"
        parts = [f"{label_sql} AS {LABEL}", f"{pred_sql} AS {PREDICTION}"]
        if score_sql is not None and want_score:
            shown = (score_sql if score_decimals is None
                     else f"round({score_sql}, {int(score_decimals)})")
            parts.append(f"{shown} AS {SCORE}")
        return parts, score_decimals

    def fairness_counts(self, source: TableSource, spec: FairnessSpec,
                        score_decimals: int | None = None) -> tuple[Any, int | None]:
        schema = self._require(source, spec.columns())
        outcomes, score_decimals = self._outcomes(source, schema, spec, score_decimals, True)
        parts = [quote(a) for a in spec.attributes] + outcomes
        sql = (f"SELECT {', '.join(parts)}, count(*) AS {COUNT} FROM {scan(source)} "
               "GROUP BY ALL")
        frame = self._run(sql, "count the prediction table", source.text).df()
        return frame, score_decimals

    def slice_counts(self, source: TableSource, spec: FairnessSpec, features: Sequence[str],
                     n_bins: int) -> tuple[Any, dict[str, np.ndarray]]:
        """Counts per (feature level…, label, prediction) and the numeric features' bin edges.

        A numeric feature with more than ``n_bins`` distinct values is cut at its quantiles
        (linear interpolation, as numpy's default) over the non-missing values; its level is
        the bin code, ``-1`` when missing. Other features are grouped by value.
        """
        schema = self._require(source, [*spec.columns(), *features])
        table = scan(source)
        numeric = [f for f in features if is_numeric_type(schema[f])]
        edges: dict[str, np.ndarray] = {}
        if numeric:
            probs = "[" + ", ".join(repr(float(q)) for q in np.linspace(0, 1, n_bins + 1)) + "]"
            exprs = []
            for f in numeric:
                v = f"CAST({quote(f)} AS DOUBLE)"
                keep = f"FILTER (WHERE NOT isnan({v}))"
                exprs += [f"count(DISTINCT {v}) {keep}", f"quantile_cont({v}, {probs}) {keep}"]
            row = self._run(f"SELECT {', '.join(exprs)} FROM {table}", "bin the features",
                            source.text).fetchone()
            for i, f in enumerate(numeric):
                if row[2 * i] > n_bins:
                    edges[f] = np.unique(np.asarray(row[2 * i + 1], dtype=np.float64))
        levels = []
        for f in features:
            if f not in edges:
                levels.append(f"{quote(f)} AS {quote(f)}")
                continue
            v = f"CAST({quote(f)} AS DOUBLE)"
            inner = " + ".join(f"CAST({v} >= {float(e)!r} AS INTEGER)" for e in edges[f][1:-1])
            levels.append(f"CASE WHEN {v} IS NULL OR isnan({v}) THEN {-1} "
                          f"ELSE {inner or '0'} END AS {quote(f)}")
        outcomes, _ = self._outcomes(source, schema, spec, None, False)
        sql = (f"SELECT {', '.join(levels + outcomes)}, count(*) AS {COUNT} FROM {table} "
               "GROUP BY ALL")
        return self._run(sql, "count the slices", source.text).df(), edges

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
