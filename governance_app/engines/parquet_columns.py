"""A Parquet table read straight into numpy arrays, for the verbs that only compute from it.

Why: ``governance-app drift`` and ``fairness`` on a Parquet file spent most of their time
starting pandas (a third of a second) and turning every string into a Python object; the
statistics themselves need numbers and category codes only. This reader uses pyarrow's
``ParquetFile`` (not ``pyarrow.parquet.read_table``, whose dataset layer imports pandas),
reads text columns dictionary-encoded as Parquet stores them, and hands back, per column,
what pandas would have held, without pandas:

* floats (32/64-bit): a float array, NaN for nulls;
* integers: an integer array; with nulls a float64 array with NaN (as pandas reads them);
* booleans: a bool array; with nulls a :class:`CodedColumn` (pandas: an object column);
* text: a :class:`CodedColumn` (codes into the distinct strings).

Anything else (timestamps, dates, decimals, binary, nested or dictionary types, a pandas
index stored as a column, extension dtypes recorded in the file's pandas metadata, duplicate
or renamed columns) makes :func:`read_parquet_columns` return ``None``: the caller then reads
the file with pandas, so no table is ever judged differently by the path that read it. The
tests hold both paths to identical results (``tests/analytics/test_parquet_columns.py``).
It sits with the engines because, like them, it decides how the rows reach the analytics;
text is held as :class:`~governance_app.analytics.coded_column.CodedColumn`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from governance_app.analytics.coded_column import CodedColumn

__all__ = ["CodedColumn", "ColumnTable", "read_parquet_columns"]

PLAIN_NUMPY_TYPES = frozenset({
    "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "bool", "object", "str", "unicode", "bytes"})
"""Column dtypes in a file's pandas metadata that pandas restores as the plain dtype this
reader also produces (not ``Int64``, ``boolean``, ``category``, ``string[pyarrow]``, …)."""


Column = np.ndarray | CodedColumn


@dataclass(frozen=True, slots=True)
class ColumnTable:
    """Columns by name, in file order, each as :class:`numpy.ndarray` or :class:`CodedColumn`;
    ``dtypes`` are the dtype names pandas would have given them."""

    columns: list[str]
    data: dict[str, Column]
    dtypes: dict[str, str]
    rows: int

    def __getitem__(self, name: str) -> Column:
        return self.data[name]

    def __len__(self) -> int:
        return self.rows


def _string_dtype_name() -> str:
    """The dtype name pandas gives a text column: ``str`` from pandas 3, ``object`` before."""
    try:
        major = int(metadata.version("pandas").split(".")[0])
    except (metadata.PackageNotFoundError, ValueError):
        return "object"
    return "str" if major >= 3 else "object"


def _plain_pandas_metadata(schema: Any) -> bool:
    """The file's pandas metadata (when it has some) restores nothing this reader would not:
    no stored index, no renamed column, no extension dtype."""
    raw = (schema.metadata or {}).get(b"pandas")
    if raw is None:
        return True
    try:
        meta = json.loads(raw)
    except ValueError:
        return False
    if any(not isinstance(ix, dict) for ix in meta.get("index_columns", [])):
        return False  # an index stored as a column: pandas sets it aside
    if len(meta.get("column_indexes", [])) > 1:
        return False
    for column in meta.get("columns", []):
        if column.get("name") != column.get("field_name"):
            return False
        if str(column.get("numpy_type")) not in PLAIN_NUMPY_TYPES:
            return False
    return True


def _kind(field_type: Any) -> str | None:
    import pyarrow.types as pt

    if pt.is_floating(field_type) and field_type.bit_width in (32, 64):
        return "float"
    if pt.is_integer(field_type):
        return "int"
    if pt.is_boolean(field_type):
        return "bool"
    if pt.is_string(field_type) or pt.is_large_string(field_type):
        return "text"
    return None


def _bits(buffer: Any, offset: int, length: int) -> np.ndarray:
    """An Arrow bitmap (validity, or boolean values) as a bool array."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little", count=offset + length)[offset:].astype(bool)


def _valid(chunk: Any) -> np.ndarray | None:
    """Which values of an Arrow array are present (``None``: all of them)."""
    if chunk.null_count == 0:
        return None
    return _bits(chunk.buffers()[0], chunk.offset, len(chunk))


def _primitive(chunk: Any, dtype: np.dtype) -> np.ndarray:
    """The values of a primitive Arrow array, read from its buffer. pyarrow's own
    ``to_numpy`` goes through its pandas layer and would import pandas."""
    if dtype == np.bool_:
        return _bits(chunk.buffers()[1], chunk.offset, len(chunk))
    data = np.frombuffer(chunk.buffers()[1], dtype=dtype, count=chunk.offset + len(chunk))
    return data[chunk.offset:]


def _numbers(chunked: Any, dtype: np.dtype) -> np.ndarray:
    """A numeric column as pandas holds it: nulls as NaN (integers then become float64)."""
    parts = []
    for chunk in chunked.chunks:
        values = _primitive(chunk, dtype)
        valid = _valid(chunk)
        if valid is not None:
            values = values.astype(np.float64)
            values[~valid] = np.nan
        parts.append(values)
    if not parts:
        return np.zeros(0, dtype=dtype)
    # One chunk: a read-only view of Arrow's buffer (the statistics copy what they sort).
    out = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return out.astype(np.float64) if chunked.null_count and out.dtype != np.float64 else out


def _coded(chunked: Any, kind: str) -> CodedColumn:
    """Codes into distinct labels from dictionary-encoded text or nullable booleans."""
    index: dict[Any, int] = {}
    parts = []
    for chunk in chunked.chunks:
        if kind == "text":
            local = chunk.dictionary.to_pylist()
            indices = chunk.indices
            positions = _primitive(indices, _int_dtype(indices.type))
            valid = _valid(chunk)
        else:  # booleans with nulls: False -> 0, True -> 1
            local = [False, True]
            positions = _primitive(chunk, np.dtype(np.bool_)).astype(np.int64)
            valid = _valid(chunk)
        start = len(index)
        lookup = np.array([-1 if v is None else index.setdefault(v, len(index))
                           for v in local] + [-1], dtype=np.int64)
        if start == 0 and np.array_equal(lookup[:-1], np.arange(len(local))):
            codes = positions.astype(np.int32)  # the first dictionary: its codes are ours
        else:
            codes = lookup[positions].astype(np.int32)
        if valid is not None:
            codes[~valid] = -1
        parts.append(codes)
    codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return CodedColumn(codes, list(index))


def _int_dtype(arrow_type: Any) -> np.dtype:
    """The numpy dtype of an Arrow integer type."""
    import pyarrow.types as pt

    signed = pt.is_signed_integer(arrow_type)
    return np.dtype(f"{'int' if signed else 'uint'}{arrow_type.bit_width}")


def _numpy_dtype(kind: str, arrow_type: Any) -> np.dtype:
    if kind == "float":
        return np.dtype(f"float{arrow_type.bit_width}")
    if kind == "bool":
        return np.dtype(np.bool_)
    return _int_dtype(arrow_type)


def read_parquet_columns(path: Path) -> ColumnTable | None:
    """The table as numpy columns, or ``None`` when pandas must read it (see the module
    docstring).

    The file is expected to exist and to have passed the size checks; a file pyarrow cannot
    read also gives ``None``, and the pandas path then reports it in its own words.
    """
    try:
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(path).schema_arrow  # the footer only
        names = list(schema.names)
        if len(set(names)) != len(names) or not _plain_pandas_metadata(schema):
            return None
        kinds = {name: _kind(schema.field(name).type) for name in names}
        if any(kind is None for kind in kinds.values()):
            return None
        handle = pq.ParquetFile(path, read_dictionary=[n for n in names if kinds[n] == "text"])
        table = handle.read(use_threads=True)
    except Exception:  # noqa: BLE001  any failure: the pandas path reads it and says why
        return None
    text = _string_dtype_name()
    data: dict[str, Column] = {}
    dtypes: dict[str, str] = {}
    for name in names:
        kind, arrow_type = kinds[name], schema.field(name).type
        chunked = table.column(name)
        nulls = chunked.null_count
        dtypes[name] = _dtype_name(kind, arrow_type, nulls, text)
        if kind == "text" or (kind == "bool" and nulls):
            data[name] = _coded(chunked, kind)
        else:
            data[name] = _numbers(chunked, _numpy_dtype(kind, arrow_type))
    return ColumnTable(names, data, dtypes, handle.metadata.num_rows)


def _dtype_name(kind: str | None, arrow_type: Any, nulls: int, text: str) -> str:
    """The dtype pandas gives the column."""
    if kind == "text":
        return text
    if kind == "bool":
        return "object" if nulls else "bool"
    if kind == "int" and nulls:
        return "float64"
    return str(_numpy_dtype(kind, arrow_type))
