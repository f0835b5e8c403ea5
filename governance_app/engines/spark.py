"""Spark: counts computed on the user's cluster, where the rows live; only counts come back.

Fairness is one ``groupBy`` whose (small) result is collected. For numeric drift, the counts
per distinct value are range-partitioned by value and sorted within each partition; the passes
of :mod:`~governance_app.analytics.ks_from_counts` then run *on the executors*, one call per
partition: the first returns each partition's totals, the driver turns them into offsets, and
the following passes (exact KS gap, Wasserstein area, order statistics, bins) use them. No
partition ever holds more than its own range of values, and what travels back is a few numbers
per partition.

PySpark is an optional extra (``governance-app[spark]``) and Spark needs a Java 17 runtime; a
missing one is a clear :class:`EngineUnavailable`, never a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from governance_app.analytics.drift_from_counts import CategoryTally, labels_of
from governance_app.analytics.ks_from_counts import MapParts, ValueCounts
from governance_app.analytics.roc_auc_ranks import NEGATIVES, POSITIVES, TWICE_U, subsets_of
from governance_app.analytics.sufficient_stats import (
    COUNT,
    LABEL,
    MAX_EXACT_SCORES,
    PREDICTION,
    SCORE,
    choose_decimals,
)
from governance_app.engines.base import (
    ColumnSummary,
    EngineCancelled,
    EngineUnavailable,
    FairnessSpec,
    IsCancelled,
)
from governance_app.engines.source import TableSource
from governance_app.errors import InputError

INSTALL = ('pip install "governance-app[spark]" and a Java 17 runtime (e.g. apt-get install '
           "openjdk-17-jre-headless)")
NUMERIC = ("tinyint", "smallint", "int", "bigint", "float", "double", "decimal")


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(home and os.path.exists(
        os.path.join(home, "bin", "java")))


def local_cores(master: str) -> int | None:
    """The cores of a ``local``, ``local[N]`` or ``local[*]`` master; ``None`` for a cluster
    (whose own shuffle settings are left alone)."""
    match = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?", master.strip())
    if match is None:
        return None
    found = match.group(1)
    if found is None:
        return 1
    return (os.cpu_count() or 1) if found == "*" else max(int(found), 1)


def _run_part(index: int, rows: Any, fn: Callable[[ValueCounts, int], Any],
              ordinal: dict[int, int]) -> list[tuple[int, Any]]:
    """On an executor: one partition's rows as a :class:`ValueCounts`, then ``fn`` on it."""
    got = list(rows)
    if not got:
        return []
    part = ValueCounts(np.array([r[0] for r in got], dtype=np.float64),
                       np.array([r[1] for r in got], dtype=np.int64),
                       np.array([r[2] for r in got], dtype=np.int64))
    return [(index, fn(part, ordinal.get(index, 0)))]


class SparkEngine:
    """A Spark session (created, or the active one reused) and the reductions run on it."""

    name = "spark"

    def __init__(self, session: Any, owns: bool, is_cancelled: IsCancelled | None) -> None:
        self._spark = session
        self._owns = owns
        self._is_cancelled = is_cancelled
        self._frames: dict[str, Any] = {}  # one DataFrame per source: CSV schema inferred once

    @classmethod
    def connect(cls, master: str, *, is_cancelled: IsCancelled | None = None) -> SparkEngine:
        """Start (or reuse) a session on ``master``.

        Raises:
            EngineUnavailable: PySpark or Java is missing, or Spark does not start.
        """
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineUnavailable("--engine spark", "PySpark is not installed",
                                    expected=INSTALL) from None
        if not _java_found():
            raise EngineUnavailable("--engine spark", "no Java runtime found (java on PATH or "
                                    "JAVA_HOME)", expected=INSTALL)
        active = SparkSession.getActiveSession()
        if active is not None:
            return cls(active, False, is_cancelled)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        try:
            builder = (SparkSession.builder.master(master).appName("governance-app")
                       .config("spark.ui.enabled", "false")
                       .config("spark.sql.session.timeZone", "UTC"))
            cores = local_cores(master)
            if cores is not None:  # Spark's 200 shuffle partitions: 200 files per task per
                # stage, which dominates a local run; two per core keep both cores busy
                builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
            session = builder.getOrCreate()
        except Exception as exc:  # the JVM's errors arrive as py4j/Runtime errors of any kind
            raise EngineUnavailable("--spark-master", f"Spark did not start on {master!r}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else exc!r}",
                                    expected=INSTALL) from None
        return cls(session, True, is_cancelled)

    def version(self) -> str:
        return str(self._spark.version)

    def close(self) -> None:
        if self._owns:
            self._spark.stop()

    def _check(self) -> None:
        if self._is_cancelled is not None and self._is_cancelled():
            raise EngineCancelled("cancelled; nothing was stored")

    def _read(self, source: TableSource) -> Any:
        self._check()
        found = self._frames.get(source.text)
        if found is not None:
            return found
        try:
            if source.kind == "table":
                frame = self._spark.table(source.text)
            elif source.format == "csv":
                frame = self._spark.read.csv(list(source.files), header=True, inferSchema=True)
            else:
                frame = self._spark.read.parquet(*source.files)
        except Exception as exc:  # AnalysisException: no such table, unreadable files
            raise InputError(source.text, f"Spark cannot read it: {str(exc).splitlines()[0]}",
                             expected="a readable Parquet/CSV path or catalogue table") from None
        self._frames[source.text] = frame
        return frame

    def fingerprint(self, source: TableSource) -> dict[str, Any]:
        """A catalogue table's files (``inputFiles``) with sizes and modification times where
        they are local; paths are fingerprinted as usual."""
        if source.kind != "table":
            return source.fingerprint()
        listing: list[list[Any]] = []
        for uri in sorted(self._read(source).inputFiles()):
            local = uri[len("file:"):] if uri.startswith("file:") else None
            if local is not None and os.path.exists(local):
                stat = os.stat(local)
                listing.append([uri, stat.st_size, stat.st_mtime_ns])
            else:
                listing.append([uri, None, None])
        return {"kind": "table", "name": source.text, "files": listing}

    def schema(self, source: TableSource) -> dict[str, str]:
        return {name: kind for name, kind in self._read(source).dtypes}

    def _require(self, source: TableSource, columns: Sequence[str]) -> tuple[Any, dict[str, str]]:
        frame = self._read(source)
        schema = dict(frame.dtypes)
        missing = [c for c in columns if c not in schema]
        if missing:
            raise InputError(source.text, f"missing column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(map(repr, missing))}", location="columns",
                             expected=f"the table's columns {list(schema)[:30]}")
        return frame, schema

    @staticmethod
    def _numeric(kind: str) -> bool:
        return kind.lower().startswith(NUMERIC)

    def is_numeric(self, type_name: str) -> bool:
        """Numbers (not booleans): compared as distributions."""
        return self._numeric(type_name)

    def _outcomes(self, source: TableSource, frame: Any, schema: dict[str, str],
                  spec: FairnessSpec, score_decimals: int | None,
                  want_score: bool) -> tuple[list[Any], int | None]:
        """Label, prediction (and score) columns, with the score rounding decided."""
        from pyspark.sql import functions as F

        label = F.col(f"`{spec.label}`")
        if schema[spec.label] in ("float", "double"):
            label = F.when(F.isnan(label), None).otherwise(label)
        cols = [label.alias(LABEL)]
        score = None
        if spec.score is not None:
            if not self._numeric(schema[spec.score]):
                raise InputError(source.text, f"{spec.score!r} is not numeric",
                                 location=f"column {spec.score!r}", expected="a numeric score")
            raw = F.col(f"`{spec.score}`").cast("double")
            score = F.when(F.isnan(raw), None).otherwise(raw)
            if score_decimals is None and want_score:
                score_decimals = self._score_decimals(frame, score)
        if spec.prediction is not None:
            cols.append(F.col(f"`{spec.prediction}`").alias(PREDICTION))
        else:
            cols.append(F.when(score.isNull(), None)  # type: ignore[union-attr]
                        .when(score >= float(spec.threshold), 1).otherwise(0).alias(PREDICTION))
        if score is not None and want_score:
            shown = score if score_decimals is None else F.round(score, score_decimals)
            cols.append(shown.alias(SCORE))
        return cols, score_decimals

    def _score_decimals(self, frame: Any, score: Any) -> int | None:
        """``None`` when the scores are few enough to count exactly (an approximate distinct
        count), else the rounding :func:`~.sufficient_stats.choose_decimals` picks from their
        range."""
        from pyspark.sql import functions as F

        self._check()
        row = frame.agg(F.approx_count_distinct(score), F.min(score), F.max(score)).first()
        if row[0] <= MAX_EXACT_SCORES:
            return None
        return choose_decimals(float(row[1]), float(row[2]))

    def rank_sums(self, source: TableSource, spec: FairnessSpec,
                  bins: Mapping[str, Sequence[float]] | None = None) -> dict[tuple[str, ...], Any]:
        """Per attribute set (and ``()``, overall): twice the Mann–Whitney U, positives and
        negatives of every group, from the exact scores (:mod:`~.roc_auc_ranks`).

        Rows are counted once per (attribute…, label, exact score) and cached; each attribute
        set then sums over its groups' distinct scores in order (a window over the negatives
        below, partitioned by the set's attributes), so a few integers per group come back.
        Call it after the count table was validated.
        """
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        assert spec.score is not None
        frame, _ = self._require(source, spec.columns())
        raw = F.col(f"`{spec.score}`").cast("double")
        cols = []
        for a in spec.attributes:
            if bins and a in bins:
                edges = [float(e) for e in bins[a]]
                v = F.col(f"`{a}`").cast("double")
                code = F.lit(0)
                for e in edges[1:-1]:
                    code = code + F.when(v >= e, 1).otherwise(0)
                cols.append(F.when(v == edges[-1], len(edges) - 2).otherwise(code).alias(a))
            else:
                cols.append(F.col(f"`{a}`").alias(a))
        y = (F.col(f"`{spec.label}`").cast("double") == 1).alias("__y")
        score = F.when(F.isnan(raw), None).otherwise(raw).alias("__s")
        self._check()
        base = frame.select(*cols, y, score).groupBy("__y", "__s", *[
            f"`{a}`" for a in spec.attributes]).count().cache()
        big = "decimal(38,0)"
        out: dict[tuple[str, ...], Any] = {}
        try:
            for names in subsets_of(spec.attributes):
                self._check()
                keys = [f"`{a}`" for a in names]
                h = base.groupBy(*keys, "__s").agg(
                    F.sum(F.when(F.col("__y"), F.col("count")).otherwise(0)).alias("p"),
                    F.sum(F.when(F.col("__y"), 0).otherwise(F.col("count"))).alias("q"))
                window = (Window.partitionBy(*keys) if keys else Window).orderBy("__s") \
                    .rowsBetween(Window.unboundedPreceding, -1)
                h = h.withColumn("below", F.coalesce(F.sum("q").over(window), F.lit(0)))
                term = F.col("p").cast(big) * (F.col("below").cast(big) * 2 + F.col("q"))
                aggs = [F.sum(term).cast("string").alias(TWICE_U),
                        F.sum("p").cast("string").alias(POSITIVES),
                        F.sum("q").cast("string").alias(NEGATIVES)]
                found = h.groupBy(*keys).agg(*aggs) if keys else h.agg(*aggs)
                out[names] = found.toPandas()
        finally:
            base.unpersist()
        return out

    def _grouped(self, frame: Any, cols: list[Any]) -> Any:
        self._check()
        picked = frame.select(*cols)
        return (picked.groupBy(*[f"`{c}`" for c in picked.columns]).count()
                .withColumnRenamed("count", COUNT).toPandas())

    def fairness_counts(self, source: TableSource, spec: FairnessSpec,
                        score_decimals: int | None = None) -> tuple[Any, int | None]:
        from pyspark.sql import functions as F

        frame, schema = self._require(source, spec.columns())
        outcomes, score_decimals = self._outcomes(source, frame, schema, spec, score_decimals,
                                                  True)
        cols = [F.col(f"`{a}`") for a in spec.attributes] + outcomes
        return self._grouped(frame, cols), score_decimals

    def slice_counts(self, source: TableSource, spec: FairnessSpec, features: Sequence[str],
                     n_bins: int) -> tuple[Any, dict[str, np.ndarray]]:
        """Counts per (feature level…, label, prediction), numeric features cut at their exact
        quantiles (Spark's ``percentile``, linear interpolation as numpy's default)."""
        from pyspark.sql import functions as F

        frame, schema = self._require(source, [*spec.columns(), *features])
        numeric = [f for f in features if self._numeric(schema[f])]
        edges: dict[str, np.ndarray] = {}
        if numeric:
            probs = [float(q) for q in np.linspace(0, 1, n_bins + 1)]
            exprs = []
            for f in numeric:
                v = F.col(f"`{f}`").cast("double")
                kept = F.when(~F.isnan(v), v)
                exprs += [F.countDistinct(kept), F.percentile(kept, F.array(*map(F.lit, probs)))]
            self._check()
            row = frame.agg(*exprs).first()
            for i, f in enumerate(numeric):
                if row[2 * i] > n_bins:
                    edges[f] = np.unique(np.asarray(row[2 * i + 1], dtype=np.float64))
        cols = []
        for f in features:
            if f not in edges:
                cols.append(F.col(f"`{f}`").alias(f))
                continue
            v = F.col(f"`{f}`").cast("double")
            code = F.lit(0)
            for e in edges[f][1:-1]:
                code = code + F.when(v >= float(e), 1).otherwise(0)
            cols.append(F.when(v.isNull() | F.isnan(v), -1).otherwise(code).alias(f))
        outcomes, _ = self._outcomes(source, frame, schema, spec, None, False)
        return self._grouped(frame, cols + outcomes), edges

    def _finite(self, column: str) -> Any:
        from pyspark.sql import functions as F

        v = F.col(f"`{column}`").cast("double")
        return v.isNotNull() & ~F.isnan(v) & (F.abs(v) != float("inf"))

    def drift_summaries(self, reference: TableSource, current: TableSource,
                        columns: Sequence[str]) -> list[ColumnSummary]:
        from pyspark.sql import functions as F

        ref, ref_schema = self._require(reference, columns)
        cur, _ = self._require(current, columns)
        numeric = {c: self._numeric(ref_schema[c]) for c in columns}
        rows = []
        for frame in (ref, cur):
            self._check()
            exprs = [F.count(F.lit(1))] + [
                F.count(F.when(self._finite(c), 1)) if numeric[c] else F.count(F.col(f"`{c}`"))
                for c in columns]
            rows.append(frame.agg(*exprs).first())
        return [ColumnSummary(c, numeric[c], int(rows[0][i]), int(rows[1][i]),
                              int(rows[0][0] - rows[0][i]), int(rows[1][0] - rows[1][i]), -1)
                for i, c in enumerate(columns, start=1)]

    def distinct_reference(self, reference: TableSource, column: str, numeric: bool) -> int:
        from pyspark.sql import functions as F

        frame = self._read(reference)
        kept = frame.where(self._finite(column) if numeric else F.col(f"`{column}`").isNotNull())
        return int(kept.select(F.countDistinct(F.col(f"`{column}`"))).first()[0])

    def _both(self, reference: TableSource, current: TableSource, column: str,
              numeric: bool) -> Any:
        from pyspark.sql import functions as F

        value = F.col(f"`{column}`")
        if numeric:
            value = value.cast("double")
        ref = self._read(reference)
        cur = self._read(current)
        if numeric:
            ref, cur = ref.where(self._finite(column)), cur.where(self._finite(column))
        return (ref.select(value.alias("v"), F.lit(0).alias("s"))
                .unionAll(cur.select(value.alias("v"), F.lit(1).alias("s"))))

    def numeric_parts(self, reference: TableSource, current: TableSource,
                      column: str) -> MapParts:
        """Counts per distinct value, range-partitioned by value and sorted in each part."""
        from pyspark.sql import functions as F

        counts = (self._both(reference, current, column, True).groupBy("v")
                  .agg(F.sum(F.when(F.col("s") == 0, 1).otherwise(0)).alias("r"),
                       F.sum(F.when(F.col("s") == 1, 1).otherwise(0)).alias("c")))
        parts = max(2, self._spark.sparkContext.defaultParallelism * 2)
        ranged = counts.repartitionByRange(parts, "v").sortWithinPartitions("v").cache()
        rdd = ranged.select("v", "r", "c").rdd
        ordinal: dict[int, int] = {}

        def run(fn: Callable[[ValueCounts, int], Any]) -> list[Any]:
            self._check()
            known = dict(ordinal)
            found = sorted(rdd.mapPartitionsWithIndex(
                lambda i, rows: _run_part(i, rows, fn, known)).collect(), key=lambda x: x[0])
            if not ordinal:
                ordinal.update({index: k for k, (index, _) in enumerate(found)})
            return [result for _, result in found]

        return run

    def category_counts(self, reference: TableSource, current: TableSource,
                        column: str) -> CategoryTally:
        from pyspark.sql import functions as F

        self._check()
        rows = (self._both(reference, current, column, False).groupBy("v")
                .agg(F.sum(F.when(F.col("s") == 0, 1).otherwise(0)),
                     F.sum(F.when(F.col("s") == 1, 1).otherwise(0))).collect())
        nulls = [r for r in rows if r[0] is None]
        kept = [r for r in rows if r[0] is not None]
        return CategoryTally(labels_of([r[0] for r in kept]),
                             np.array([r[1] for r in kept], dtype=np.int64),
                             np.array([r[2] for r in kept], dtype=np.int64),
                             int(nulls[0][1]) if nulls else 0, int(nulls[0][2]) if nulls else 0)

    # -- drift over time -------------------------------------------------------------------

    @staticmethod
    def _micros(column: str) -> Any:
        from pyspark.sql import functions as F

        return F.unix_micros(F.to_timestamp(F.col(f"`{column}`")))

    def time_range(self, table: TableSource, time_column: str) -> tuple[int, int, int, int]:
        """(rows, rows without a readable time, first and last time in UTC microseconds)."""
        from pyspark.sql import functions as F

        frame, _ = self._require(table, [time_column])
        t = self._micros(time_column)
        self._check()
        row = frame.agg(F.count(F.lit(1)), F.count(t), F.min(t), F.max(t)).first()
        return int(row[0]), int(row[0] - row[1]), int(row[2] or 0), int(row[3] or 0)

    def _window(self, time_column: str, origin: int, length: int) -> Any:
        from pyspark.sql import functions as F

        return F.floor((self._micros(time_column) - F.lit(origin)) / F.lit(length)).cast("long")

    def window_rows(self, table: TableSource, time_column: str, origin: int,
                    length: int) -> dict[int, int]:
        """Rows per window index (windows of ``length`` microseconds from ``origin``)."""
        self._check()
        rows = (self._read(table).select(self._window(time_column, origin, length).alias("w"))
                .groupBy("w").count().collect())
        return {int(r[0]): int(r[1]) for r in rows}

    def windowed_counts(self, table: TableSource, column: str, numeric: bool,
                        window: tuple[str, int, int] | None,
                        bounds: tuple[int, int] | None = None) -> Any:
        """Counts per (window, value) of one column, as the DuckDB engine returns them."""
        from pyspark.sql import functions as F

        frame = self._read(table)
        value = F.col(f"`{column}`")
        if numeric:
            value = F.when(self._finite(column), value.cast("double"))
        w = (F.lit(0).cast("long") if window is None or bounds is not None
             else self._window(*window))
        if bounds is not None:
            assert window is not None
            t = self._micros(window[0])
            frame = frame.where((t >= bounds[0]) & (t < bounds[1]))
        self._check()
        rows = (frame.select(w.alias("w"), value.alias("v")).groupBy("w", "v").count()
                .orderBy(F.col("w"), F.col("v").asc_nulls_first()).collect())
        if not numeric:
            return [(int(r[0]), r[1], int(r[2])) for r in rows]
        null = np.array([r[1] is None for r in rows], dtype=bool)
        values = np.array([0.0 if r[1] is None else r[1] for r in rows], dtype=np.float64)
        return {"w": np.array([r[0] for r in rows], dtype=np.int64),
                "v": np.ma.MaskedArray(values, mask=null),
                "n": np.array([r[2] for r in rows], dtype=np.int64)}
