"""What a prediction table holds, read from its header and a sample, to fill the attach dialog.

Attaching a table asks the user which column is the label, the prediction or score, and which
are sensitive attributes. Those choices are easy to get wrong by typing, so the GUI offers the
table's own columns, with sensible defaults. This reads only the header and a sample (CSV:
``nrows``; Parquet: the schema and the first row group), so describing a file of millions of
rows is instant; the full read and every check happen in the import itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from governance_app.errors import InputError
from governance_app.importers.prediction_table import SUFFIXES
from governance_app.importers.safe_io import decode_utf8, read_bytes

SAMPLE_ROWS = 2000
"""Rows read to judge each column (distinct values, binary or not)."""
MAX_SENSITIVE_LEVELS = 20
"""A text column with at most this many distinct values in the sample may be a group attribute."""
LABEL_NAMES = ("label", "target", "y", "y_true", "outcome")
PREDICTION_NAMES = ("prediction", "pred", "y_pred", "predicted", "yhat", "y_hat")
SCORE_NAMES = ("score", "proba", "probability", "y_score", "y_proba", "prob")
_CSV_LINE = re.compile(r"line (\d+)")


class ColumnInfo(NamedTuple):
    """One column as seen in the sample.

    Attributes:
        name: the column's name.
        dtype: pandas' dtype name (``int64``, ``float64``, ``object``, ...).
        n_unique_sample: distinct non-missing values in the sample.
        is_binary: every sampled value is 0/1 (or True/False): usable as label or prediction.
    """

    name: str
    dtype: str
    n_unique_sample: int
    is_binary: bool

    @property
    def is_numeric(self) -> bool:
        """Numbers (not booleans): a score, or a sensitive attribute that needs bins."""
        return self.dtype.startswith(("int", "uint", "float", "Int", "UInt", "Float"))


@dataclass(frozen=True, slots=True)
class TableDescription:
    """A table's columns and suggested roles for them.

    Attributes:
        path: the file described.
        columns: every column in file order.
        rows: the row count when the format stores it (Parquet); ``None`` for CSV, whose rows
            are only known after reading all of it.
        sample_rows: how many rows the column facts were judged on.
    """

    path: Path
    columns: list[ColumnInfo]
    rows: int | None
    sample_rows: int

    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnInfo:
        return next(c for c in self.columns if c.name == name)

    def _named(self, candidates: tuple[str, ...], *, binary: bool | None) -> str | None:
        by_lower = {c.name.lower(): c for c in self.columns}
        for wanted in candidates:
            found = by_lower.get(wanted)
            if found is not None and (binary is None or found.is_binary == binary):
                return found.name
        return None

    @property
    def suggested_label(self) -> str | None:
        """A binary column named label/target/y (or a close variant)."""
        return self._named(LABEL_NAMES, binary=True)

    @property
    def suggested_prediction(self) -> str | None:
        """A binary column named prediction/pred/y_pred (or a close variant)."""
        return self._named(PREDICTION_NAMES, binary=True)

    @property
    def suggested_score(self) -> str | None:
        """A numeric column named score/proba/probability (or a close variant)."""
        name = self._named(SCORE_NAMES, binary=None)
        return name if name is not None and self.column(name).is_numeric else None

    @property
    def sensitive_candidates(self) -> list[str]:
        """Low-cardinality text (or boolean/category) columns that are not an outcome."""
        taken = {self.suggested_label, self.suggested_prediction, self.suggested_score}
        return [c.name for c in self.columns
                if c.name not in taken and not c.is_numeric
                and 1 < c.n_unique_sample <= MAX_SENSITIVE_LEVELS]

    @property
    def feature_candidates(self) -> list[str]:
        """Every column that is not the label, prediction or score: slice-search material."""
        taken = {self.suggested_label, self.suggested_prediction, self.suggested_score}
        return [c.name for c in self.columns if c.name not in taken]

    def numeric_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_numeric and not c.is_binary]


def _is_binary(series: pd.Series) -> bool:
    values = series.dropna()
    if values.empty:
        return False
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    if not pd.api.types.is_numeric_dtype(values.dtype):
        return False
    return bool(values.isin((0, 1)).all())


def _describe_frame(frame: pd.DataFrame) -> list[ColumnInfo]:
    return [ColumnInfo(str(name), str(frame[name].dtype), int(frame[name].nunique(dropna=True)),
                       _is_binary(frame[name]))
            for name in frame.columns]


def _sample_csv(path: Path, sample_rows: int) -> pd.DataFrame:
    try:
        return pd.read_csv(path, nrows=sample_rows, encoding="utf-8", encoding_errors="strict")
    except pd.errors.EmptyDataError:
        raise InputError(path, "the file is empty",
                         expected="a header line and at least one row") from None
    except pd.errors.ParserError as exc:
        found = _CSV_LINE.search(str(exc))
        raise InputError(path, f"malformed CSV: {str(exc).strip()}",
                         location=f"line {found.group(1)}" if found else None,
                         expected="the same number of fields on every line") from None
    except UnicodeDecodeError:
        decode_utf8(path, read_bytes(path))  # raises an InputError naming the line
        raise
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc}") from None


def _sample_parquet(path: Path) -> tuple[pd.DataFrame, int]:
    import pyarrow.parquet as pq  # only here: pandas' engine, loaded when a Parquet file is

    try:
        parquet = pq.ParquetFile(path)
        rows = parquet.metadata.num_rows
        frame = (parquet.read_row_group(0).to_pandas() if parquet.num_row_groups
                 else parquet.schema_arrow.empty_table().to_pandas())
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc}") from None
    except Exception as exc:  # pyarrow's ArrowInvalid and friends: not a Parquet file
        raise InputError(path, f"is not a readable Parquet file ({exc})",
                         expected="a Parquet file written by pandas, pyarrow, Spark, ...") from None
    return frame, rows


def describe_table(path: Path | str, *, sample_rows: int = SAMPLE_ROWS) -> TableDescription:
    """The columns of a CSV or Parquet prediction table, from its header and a sample.

    Args:
        path: a ``.csv`` (UTF-8) or ``.parquet`` file.
        sample_rows: CSV rows to read (Parquet reads its first row group, whatever its size).

    Raises:
        InputError: a missing file, another suffix, an empty file (no header or no rows), a
            malformed CSV line or bytes that are not UTF-8 (with the line), or a file that is
            not Parquet.
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(path, f"unknown suffix {path.suffix!r}",
                         expected="a .csv or .parquet file")
    if not path.is_file():
        raise InputError(path, "does not exist", expected="a .csv or .parquet file")
    rows: int | None
    if path.suffix.lower() == ".csv":
        frame, rows = _sample_csv(path, sample_rows), None
    else:
        frame, rows = _sample_parquet(path)
    if len(frame.columns) == 0:
        raise InputError(path, "the table has no columns", expected="a header with column names")
    if len(frame) == 0:
        raise InputError(path, "the table has no rows", expected="at least one row")
    return TableDescription(path, _describe_frame(frame), rows, len(frame))


def parse_bin_edges(text: str, column: str = "bins") -> list[float]:
    """``"0, 18, 65, 120"`` -> ``[0.0, 18.0, 65.0, 120.0]``: declared bins for a numeric column.

    The same text serves the dialog's edges field and the command line's ``--bins COL=e1,e2``.

    Raises:
        InputError: a part that is not a number, fewer than two edges, or edges that do not
            strictly increase.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        edges = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"bins for {column!r}", f"{text!r} holds a part that is not a number",
                         expected="comma-separated numbers, e.g. 0,18,65,120") from None
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise InputError(f"bins for {column!r}", f"{text!r}",
                         expected="at least two strictly increasing edges, e.g. 0,18,65,120")
    return edges


def parse_bins_option(values: list[str] | None) -> dict[str, list[float]]:
    """Repeated ``COL=e1,e2,e3`` options -> ``{COL: [e1, e2, e3]}``.

    Raises:
        InputError: an option without ``=`` or a column, a column given twice, or bad edges.
    """
    bins: dict[str, list[float]] = {}
    for value in values or []:
        column, sep, edges = value.partition("=")
        column = column.strip()
        if not sep or not column:
            raise InputError("--bins", f"{value!r}", expected="COL=e1,e2,e3, e.g. age=0,18,65,120")
        if column in bins:
            raise InputError("--bins", f"bins for {column!r} given twice",
                             expected="one --bins per column")
        bins[column] = parse_bin_edges(edges, column)
    return bins
