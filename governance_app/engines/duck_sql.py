"""The SQL text the DuckDB engine builds on: quoted names, the built-in file readers, and
which column types count as numbers. Kept apart from the engine so its query sets (fairness,
drift) share one spelling of each."""

from __future__ import annotations

from governance_app.engines.source import TableSource
from governance_app.errors import InputError

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
