"""Choosing an engine, and what every engine promises.

Engines reduce rows to sufficient statistics where the rows are; the statistics go through the
one path in :mod:`governance_app.analytics`. ``memory`` reads the table with pandas (today's
path, and the oracle the others are tested against); ``duckdb`` runs embedded, out of core, on
files, folders and globs; ``spark`` runs on the user's cluster (an optional extra).

``auto`` picks ``spark`` for a catalogue table, ``duckdb`` for a folder or glob of Parquet files
or any file of at least :data:`AUTO_DUCKDB_BYTES`, and ``memory`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from governance_app.engines.source import TableSource
from governance_app.errors import GovernanceError, InputError

ENGINES = ("auto", "memory", "duckdb", "spark")
AUTO_DUCKDB_BYTES = 64 * 1024 * 1024
"""Files at least this large go to DuckDB under ``--engine auto`` (pandas needs several times a
file's size in memory; DuckDB streams it)."""
DEFAULT_SPARK_MASTER = "local[*]"

Progress = Callable[[int, int, str], None]
IsCancelled = Callable[[], bool]


class EngineUnavailable(InputError):
    """The engine asked for cannot run here (its package or Java is missing)."""


class EngineCancelled(GovernanceError):
    """The user cancelled while an engine was counting; nothing was stored."""


@dataclass(frozen=True, slots=True)
class FairnessSpec:
    """The columns a fairness reduction reads.

    Attributes:
        attributes: sensitive attribute columns (grouped by their raw values).
        label: the true label column.
        prediction: the prediction column, or ``None`` to derive it from score and threshold.
        score: the score column, or ``None``.
        threshold: cut-off at or above which the score predicts positive.
    """

    attributes: tuple[str, ...]
    label: str
    prediction: str | None
    score: str | None
    threshold: float | None

    def columns(self) -> list[str]:
        """Every column read."""
        named = [*self.attributes, self.label, self.prediction, self.score]
        return list(dict.fromkeys(c for c in named if c))


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    """One column of a drift comparison, summarised in the engine's first pass.

    Attributes:
        name: the column.
        numeric: compared as numbers (distributions) rather than categories.
        n_ref / n_cur: non-null (finite, for numbers) values of each side.
        nulls_ref / nulls_cur: null values of each side.
        n_unique_ref: distinct non-null reference values.
    """

    name: str
    numeric: bool
    n_ref: int
    n_cur: int
    nulls_ref: int
    nulls_cur: int
    n_unique_ref: int


class Engine(Protocol):
    """What services ask of an engine (DuckDB and Spark implement it)."""

    name: str

    def version(self) -> str:
        """The engine's own version, recorded with every result."""

    def schema(self, source: TableSource) -> dict[str, str]:
        """Column name -> the engine's type name, in table order."""

    def fairness_counts(self, source: TableSource, spec: FairnessSpec,
                        score_decimals: int | None) -> tuple[Any, int | None]:
        """The count table for :func:`~.sufficient_stats.from_count_frame` and the score
        rounding actually used."""

    def rank_sums(self, source: TableSource, spec: FairnessSpec,
                  bins: Mapping[str, Sequence[float]] | None) -> dict[tuple[str, ...], Any]:
        """Per attribute set (``()`` overall), rows of the set's attribute values with twice
        the Mann–Whitney U, positives and negatives (:mod:`~.roc_auc_ranks`): exact ROC AUC."""

    def drift_summaries(self, reference: TableSource, current: TableSource,
                        columns: Sequence[str]) -> list[ColumnSummary]:
        """Per column: numeric or not, non-null counts, nulls, distinct reference values."""

    def numeric_parts(self, reference: TableSource, current: TableSource, column: str) -> Any:
        """A :data:`~.ks_from_counts.MapParts` over the column's counts per distinct value."""

    def category_counts(self, reference: TableSource, current: TableSource,
                        column: str) -> Any:
        """A :class:`~.drift_from_counts.CategoryTally` of the column."""

    def distinct_reference(self, reference: TableSource, column: str, numeric: bool) -> int:
        """Distinct non-null reference values (asked for when the current side is empty)."""

    def is_numeric(self, type_name: str) -> bool:
        """Whether a column of this engine type is compared as numbers."""

    def slice_counts(self, source: TableSource, spec: FairnessSpec, features: Sequence[str],
                     n_bins: int) -> tuple[Any, dict[str, Any]]:
        """Counts per (feature level…, label, prediction) and numeric features' bin edges."""

    def time_range(self, table: TableSource, time_column: str) -> tuple[int, int, int, int]:
        """(rows, rows without a readable time, first and last time in UTC microseconds)."""

    def window_rows(self, table: TableSource, time_column: str, origin: int,
                    length: int) -> dict[int, int]:
        """Rows per window index."""

    def windowed_counts(self, table: TableSource, column: str, numeric: bool,
                        window: tuple[str, int, int] | None,
                        bounds: tuple[int, int] | None = None) -> Any:
        """Counts per (window, value) of one column, sorted, nulls first."""

    def close(self) -> None:
        """Release the engine's resources (temporary tables, spill files)."""


def pick_engine(name: str, sources: Sequence[TableSource]) -> str:
    """The engine to use for ``--engine NAME`` on these sources.

    Raises:
        InputError: an unknown engine name, or ``memory`` asked for a catalogue table.
    """
    if name not in ENGINES:
        raise InputError("--engine", f"{name!r}", expected=f"one of {', '.join(ENGINES)}")
    tables = any(s.kind == "table" for s in sources)
    if name == "auto":
        if tables:
            return "spark"
        if any(s.kind == "files" or s.size_bytes >= AUTO_DUCKDB_BYTES for s in sources):
            return "duckdb"
        return "memory"
    if tables and name != "spark":
        raise InputError("--table", f"a catalogue table cannot be read by the {name} engine",
                         expected="--engine spark (or auto)")
    if name == "memory" and any(s.kind == "files" for s in sources):
        raise InputError("--engine", "the memory engine reads one file",
                         expected="--engine duckdb or spark for a folder or glob")
    return name


def open_engine(name: str, *, spark_master: str = DEFAULT_SPARK_MASTER,
                progress: Progress | None = None,
                is_cancelled: IsCancelled | None = None) -> Engine:
    """An engine instance for ``duckdb`` or ``spark``.

    Raises:
        EngineUnavailable: the package (or, for Spark, Java 17) is missing, with what to install.
    """
    if name == "duckdb":
        from governance_app.engines.duck import DuckDBEngine

        return DuckDBEngine(progress=progress, is_cancelled=is_cancelled)
    if name == "spark":
        from governance_app.engines.spark import SparkEngine

        return SparkEngine.connect(spark_master, is_cancelled=is_cancelled)
    raise InputError("--engine", f"{name!r} has no engine object", expected="duckdb or spark")
