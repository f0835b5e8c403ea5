"""DuckDB: the embedded engine for files, folders and globs larger than memory.

DuckDB reads Parquet and CSV with its built-in readers (no extension is installed or loaded at
run time: the app works offline), runs every ``GROUP BY`` in parallel and spills to a private
temporary folder when the ``memory_limit`` is reached, so a table of any size is reduced with
bounded memory. Only counts leave DuckDB: a fairness count table, per column the counts per
distinct value (streamed back in record batches, in value order, for the passes of
:mod:`~governance_app.analytics.ks_from_counts`), or the category counts.

The SQL spelling is in :mod:`~governance_app.engines.duck_sql` and the drift queries in
:mod:`~governance_app.engines.duck_drift` (a mixin of the engine).

A watcher thread reports DuckDB's own query progress and calls ``interrupt()`` as soon as the
caller's ``is_cancelled()`` turns true.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from governance_app.analytics.roc_auc_ranks import (
    NEGATIVES,
    POSITIVES,
    TWICE_U,
    group_code_type,
    rank_sums_in_order,
    score_order,
    subsets_of,
)
from governance_app.analytics.sufficient_stats import (
    COUNT,
    LABEL,
    MAX_EXACT_SCORES,
    PREDICTION,
    SCORE,
    choose_decimals,
)
from governance_app.engines.base import (
    EngineCancelled,
    EngineUnavailable,
    FairnessSpec,
    IsCancelled,
    Progress,
)
from governance_app.engines.duck_drift import DuckDBDriftQueries
from governance_app.engines.duck_sql import is_numeric_type, quote, scan
from governance_app.engines.source import TableSource
from governance_app.errors import InputError

DEFAULT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit; larger intermediate results spill to the temporary folder."""
RANK_IN_MEMORY_ROWS = 4_000_000
"""Rows, or counts per (attribute…, label, exact score), streamed back and ranked in numpy
(about 30 bytes a row); a larger table of counts is ranked by windows in DuckDB, out of core."""
PROOF_ROWS = 10_000
"""Rows read to show that a numeric slice feature has more distinct values than bins."""


class DuckDBEngine(DuckDBDriftQueries):
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
        self._scored_tables: dict[tuple[str, FairnessSpec], str] = {}
        self._stats: dict[tuple[str, FairnessSpec], tuple[int, Any, Any]] = {}
        self._rows: dict[TableSource, int] = {}
        self._schemas: dict[TableSource, dict[str, str]] = {}

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
        """Column name -> DuckDB type, read once per source for the connection's life (every
        query of an analysis checks its columns)."""
        if source not in self._schemas:
            rows = self._run(f"DESCRIBE SELECT * FROM {scan(source)}", "read the schema",
                             source.text).fetchall()
            self._schemas[source] = {str(r[0]): str(r[1]) for r in rows}
        return dict(self._schemas[source])

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
        """Label, prediction (and score) expressions, the score rounded to ``score_decimals``."""
        score_sql = self._score_sql(source, schema, spec)
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

    @staticmethod
    def _score_sql(source: TableSource, schema: dict[str, str], spec: FairnessSpec) -> str | None:
        """The score as a double, NaN read as missing; ``None`` without a score column."""
        if spec.score is None:
            return None
        if not is_numeric_type(schema[spec.score]):
            raise InputError(source.text, f"{spec.score!r} is not numeric",
                             location=f"column {spec.score!r}", expected="a numeric score")
        raw = f"CAST({quote(spec.score)} AS DOUBLE)"
        return f"CASE WHEN isnan({raw}) THEN NULL ELSE {raw} END"

    def _parquet_rows(self, source: TableSource) -> int | None:
        """A Parquet source's rows, which DuckDB reads from the files' footers; ``None`` for
        CSV, whose count would be a pass over the text."""
        if source.format != "parquet":
            return None
        if source not in self._rows:
            self._rows[source] = int(self._run(f"SELECT count(*) FROM {scan(source)}",
                                               "count the rows", source.text).fetchone()[0])
        return self._rows[source]

    def _ranks_as_is(self, source: TableSource, spec: FairnessSpec) -> bool:
        """Whether the rows are ranked as they are, not counted per exact score first: they are
        few (:meth:`_few_rows`) and more than half of them have a score of their own, so
        counting per score would leave nearly every row alone in its group (a pass for
        little)."""
        return (self._few_rows(source, spec)
                and 2 * self._score_stats(source, spec)[0] > (self._parquet_rows(source) or 0))

    def _few_rows(self, source: TableSource, spec: FairnessSpec) -> bool:
        """No counts per exact score were made, and the rows are known without a pass over them
        to be at most :data:`RANK_IN_MEMORY_ROWS`."""
        rows = self._parquet_rows(source)
        return ((source.text, spec) not in self._scored_tables and rows is not None
                and rows <= RANK_IN_MEMORY_ROWS)

    def _as_is(self, source: TableSource, spec: FairnessSpec) -> str:
        """The rows as a subquery shaped as :meth:`_scored`'s table, each counting one."""
        outcomes, _ = self._outcomes(source, self._require(source, spec.columns()), spec, None,
                                     True)
        return (f"(SELECT {', '.join([quote(a) for a in spec.attributes] + outcomes)}, "
                f"1 AS {COUNT} FROM {scan(source)})")

    def _score_stats(self, source: TableSource, spec: FairnessSpec) -> tuple[int, Any, Any]:
        """Approximate distinct scores, least and greatest: from the rows as they are while they
        are known to be at most :data:`RANK_IN_MEMORY_ROWS` (one column read), else from the
        counts per exact score."""
        key = (source.text, spec)
        if key not in self._stats:
            table = (self._as_is(source, spec) if self._few_rows(source, spec)
                     else self._scored(source, spec))
            row = self._run(f"SELECT approx_count_distinct({SCORE}), min({SCORE}), "
                            f"max({SCORE}) FROM {table}", "count distinct scores",
                            source.text).fetchone()
            self._stats[key] = (int(row[0]), row[1], row[2])
        return self._stats[key]

    def _score_decimals(self, source: TableSource, spec: FairnessSpec) -> int | None:
        """``None`` when the scores are few enough to count exactly (an approximate distinct
        count), else the rounding :func:`~.sufficient_stats.choose_decimals` picks from their
        range."""
        distinct, low, high = self._score_stats(source, spec)
        if distinct <= MAX_EXACT_SCORES:
            return None
        return choose_decimals(float(low), float(high))

    def _scored(self, source: TableSource, spec: FairnessSpec) -> str:
        """A temporary table of counts per (attribute…, label, prediction, exact score), made
        by one pass over the rows and kept for the connection's life: the fairness counts of a
        table with few distinct scores, and the rank sums of a table too large to rank as it
        is, are both sums over it."""
        key = (source.text, spec)
        if key in self._scored_tables:
            return self._scored_tables[key]
        schema = self._require(source, spec.columns())
        outcomes, _ = self._outcomes(source, schema, spec, None, True)
        self._temp += 1
        name = f"scored_{self._temp}"
        attrs = [quote(a) for a in spec.attributes]
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {', '.join(attrs + outcomes)}, "
                  f"count(*) AS {COUNT} FROM {scan(source)} GROUP BY ALL",
                  "count the prediction table", source.text).fetchall()
        self._scored_tables[key] = name
        return name

    def rank_sums(self, source: TableSource, spec: FairnessSpec,
                  bins: Mapping[str, Sequence[float]] | None = None) -> dict[tuple[str, ...], Any]:
        """Per attribute set (and ``()``, overall): twice the Mann–Whitney U, positives and
        negatives of every group, from the exact scores (:mod:`~.roc_auc_ranks`).

        The table's rows as they are (:meth:`_ranks_as_is`), or else its counts per
        (attribute…, label, prediction, exact score), are ranked per attribute set: streamed
        back once, sorted by score once and summed in numpy while they are at most
        :data:`RANK_IN_MEMORY_ROWS` rows, else summed in DuckDB by a window over each group's
        distinct scores. Only a few integers per group leave the engine. Call it after the
        count table was validated
        (binary labels, no missing score or attribute). A binned attribute is grouped by its
        bin's index, as :func:`~.fairness_counts.encode_groups` numbers the bins.
        """
        assert spec.score is not None
        if self._ranks_as_is(source, spec):
            name, rows = self._as_is(source, spec), self._parquet_rows(source) or 0
        else:
            name = self._scored(source, spec)
            rows = self._con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        attrs = []
        for a in spec.attributes:
            if bins and a in bins:
                edges = [float(e) for e in bins[a]]
                v = f"CAST({quote(a)} AS DOUBLE)"
                inner = " + ".join(f"CAST({v} >= {e!r} AS BIGINT)" for e in edges[1:-1])
                attrs.append(f"CASE WHEN {v} = {edges[-1]!r} THEN {len(edges) - 2} "
                             f"ELSE {inner or '0'} END AS {quote(a)}")
            else:
                attrs.append(f"{quote(a)} AS {quote(a)}")
        ranked = (f"(SELECT {', '.join(attrs)}, CAST({LABEL} AS DOUBLE) = 1 AS y, {SCORE} AS s, "
                  f"{COUNT} AS n FROM {name})")
        if rows <= RANK_IN_MEMORY_ROWS:
            return self._rank_sums_fetched(ranked, spec.attributes)
        return self._rank_sums_in_sql(ranked, spec.attributes, source)

    def _rank_sums_in_sql(self, ranked: str, attributes: Sequence[str],
                          source: TableSource) -> dict[tuple[str, ...], Any]:
        """Each attribute set summed in DuckDB: a window over each group's distinct scores."""
        out: dict[tuple[str, ...], Any] = {}
        for names in subsets_of(attributes):
            cols = [quote(a) for a in names]
            keys = ", ".join(cols)
            by = f"GROUP BY {keys}" if cols else ""
            over = f"PARTITION BY {keys} " if cols else ""
            pick = f"{keys}, " if cols else ""
            sql = (f"WITH h AS (SELECT {pick}s, "
                   "CAST(coalesce(sum(n) FILTER (WHERE y), 0) AS BIGINT) AS p, "
                   "CAST(coalesce(sum(n) FILTER (WHERE NOT y), 0) AS BIGINT) AS q "
                   f"FROM {ranked} GROUP BY {pick}s), "
                   f"w AS (SELECT {pick}p, q, CAST(coalesce(sum(q) OVER ({over}ORDER BY s ROWS "
                   "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS below FROM h) "
                   f"SELECT {pick}CAST(sum(CAST(p AS HUGEINT) * (2 * below + q)) AS VARCHAR) "
                   f"AS {TWICE_U}, CAST(sum(p) AS VARCHAR) AS {POSITIVES}, "
                   f"CAST(sum(q) AS VARCHAR) AS {NEGATIVES} FROM w {by}")
            out[names] = self._run(sql, "rank the scores", source.text).df()
        return out

    def _rank_sums_fetched(self, ranked: str,
                           attributes: Sequence[str]) -> dict[tuple[str, ...], Any]:
        """Each attribute set summed in numpy over the counts streamed back once (at most
        :data:`RANK_IN_MEMORY_ROWS` rows), put in score order once for every set."""
        import pandas as pd
        import pyarrow.compute as pc

        cols = ", ".join(quote(a) for a in attributes)
        table = self._con.sql(f"SELECT {cols}, y, s, n FROM {ranked}").to_arrow_table()
        n = table.column("n").to_numpy().astype(np.int64)
        y = table.column("y").to_numpy(zero_copy_only=False).astype(bool)
        ordered = score_order(table.column("s").to_numpy(zero_copy_only=False)
                              .astype(np.float64), n * y, n * ~y)
        codes, values = [], []
        for a in attributes:
            encoded = pc.dictionary_encode(table.column(a).combine_chunks())
            values.append(encoded.dictionary.to_pylist())
            codes.append(encoded.indices.to_numpy(zero_copy_only=False)
                         .astype(group_code_type(len(values[-1])))[ordered.order])
        out: dict[tuple[str, ...], Any] = {}
        for names in subsets_of(attributes):
            picked = [attributes.index(a) for a in names]
            sizes = [len(values[i]) for i in picked]
            n_groups = int(np.prod(sizes)) if names else 1
            code = np.zeros(len(n), dtype=group_code_type(n_groups))
            for i, size in zip(picked, sizes, strict=True):
                code = code * size + codes[i]  # below n_groups: no overflow in its type
            twice, p, q = rank_sums_in_order(ordered, code, n_groups)
            seen = np.flatnonzero((p + q) > 0)
            parts = np.unravel_index(seen, tuple(sizes)) if names else ()
            frame = {a: [values[i][k] for k in part.tolist()]
                     for a, i, part in zip(names, picked, parts, strict=True)}
            frame[TWICE_U] = [str(twice[k]) for k in seen.tolist()]
            frame[POSITIVES] = p[seen]
            frame[NEGATIVES] = q[seen]
            out[names] = pd.DataFrame(frame)
        return out

    def fairness_counts(self, source: TableSource, spec: FairnessSpec,
                        score_decimals: int | None = None) -> tuple[Any, int | None]:
        decimals = None
        if spec.score is not None:
            decimals = (score_decimals if score_decimals is not None
                        else self._score_decimals(source, spec))
            if decimals is None:  # few distinct scores: the exact counts, kept for ranking
                name = self._scored(source, spec)
                return self._run(f"SELECT * FROM {name}", "read the counts",
                                 source.text).df(), None
            if not self._ranks_as_is(source, spec):  # the counts per exact score: fewer rows
                name = self._scored(source, spec)
                keys = [quote(a) for a in spec.attributes] + [LABEL, PREDICTION]
                sql = (f"SELECT {', '.join(keys)}, round({SCORE}, {int(decimals)}) AS {SCORE}, "
                       f"sum({COUNT}) AS {COUNT} FROM {name} GROUP BY ALL")
                return self._run(sql, "count the prediction table", source.text).df(), decimals
        schema = self._require(source, spec.columns())
        outcomes, _ = self._outcomes(source, schema, spec, decimals, True)
        parts = [quote(a) for a in spec.attributes] + outcomes
        sql = (f"SELECT {', '.join(parts)}, count(*) AS {COUNT} FROM {scan(source)} "
               "GROUP BY ALL")
        return self._run(sql, "count the prediction table", source.text).df(), decimals

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
            many = self._many_values(table, numeric, n_bins, source)
            exprs = []
            for f in numeric:
                v = f"CAST({quote(f)} AS DOUBLE)"
                keep = f"FILTER (WHERE NOT isnan({v}))"
                distinct = str(n_bins + 1) if f in many else f"count(DISTINCT {v}) {keep}"
                exprs += [distinct, f"quantile_cont({v}, {probs}) {keep}"]
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

    def _many_values(self, table: str, features: Sequence[str], n_bins: int,
                     source: TableSource) -> set[str]:
        """The features with more than ``n_bins`` distinct values among the first
        :data:`PROOF_ROWS` rows: they have at least as many in the whole table, so only the
        others need an exact distinct count over every row (a hash of every value)."""
        exprs = []
        for f in features:
            v = f"CAST({quote(f)} AS DOUBLE)"
            exprs.append(f"count(DISTINCT {v}) FILTER (WHERE NOT isnan({v}))")
        cols = ", ".join(quote(f) for f in features)
        row = self._run(f"SELECT {', '.join(exprs)} FROM (SELECT {cols} FROM {table} "
                        f"LIMIT {PROOF_ROWS})", "bin the features", source.text).fetchone()
        return {f for f, seen in zip(features, row, strict=True) if seen > n_bins}
