"""Which MLflow schema an SQLite store has, and SELECTs that read every one since MLflow 1.0.

MLflow's tracking schema grew by Alembic migrations (``mlflow/store/db_migrations``); a store
keeps the revision it reached in ``alembic_version``. Columns added later are read where they
exist and taken as absent (NULL) where they do not, so a store written by MLflow 1.26 (no
``experiments.creation_time``), by 1.x before model-version tags, or by 3.x reads with the same
code. A store from before MLflow 1.0 has no ``alembic_version`` table at all: MLflow itself
refuses to open it until ``mlflow db upgrade`` has run, and so do we, saying so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from governance_app.errors import InputError

FIRST_REVISION = "451aebb31d03"
"""MLflow 1.0's first migration (``add metric step``, ``down_revision = None``)."""

KNOWN_REVISIONS: Mapping[str, str] = {
    FIRST_REVISION: "MLflow 1.0",
    "bd07f7e963c5": "MLflow 1.26",
    "97727af70f4d": "MLflow 1.30",
    "acf3f17fdcc7": "MLflow 2.9",
}
"""Schema heads as the named MLflow releases left them (checked against stores they wrote)."""

REQUIRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "experiments": ("experiment_id", "name"),
    "runs": ("run_uuid", "experiment_id"),
    "params": ("run_uuid", "key", "value"),
    "tags": ("run_uuid", "key", "value"),
    "metrics": ("run_uuid", "key", "value", "timestamp"),
}
"""What even MLflow 1.0 wrote; a table without one of these is not an MLflow store."""

LATER_COLUMNS: Mapping[str, frozenset[str]] = {
    "experiments": frozenset({"creation_time", "last_update_time"}),  # 97727af70f4d, 1.29
    "metrics": frozenset({"is_nan"}),                                # 39d1c3be5f05
    "model_versions": frozenset({"run_link"}),                       # 84291f40a231
}
"""Columns MLflow added after their table: absent in older stores, read as NULL there. Any
other column missing means a damaged store, not an old one, and is refused by name."""


class MissingColumn(LookupError):
    """A column the store should have (its table has always had it) is not there."""

    def __init__(self, table: str, column: str) -> None:
        super().__init__(f"{table}.{column}")
        self.table, self.column = table, column


UPGRADE_HINT = ("upgrade a copy first: cp mlflow.db copy.db && mlflow db upgrade "
                "sqlite:///copy.db, then import copy.db")


def columns(connection: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (empty when the table does not exist)."""
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}  # noqa: S608


def select(connection: sqlite3.Connection, table: str, wanted: tuple[str, ...],
           tail: str = "") -> str:
    """``SELECT`` of ``wanted`` from ``table``, with ``NULL`` for the later columns
    (:data:`LATER_COLUMNS`) this store predates.

    Raises:
        MissingColumn: a column the table has always had is missing.
    """
    present = columns(connection, table)
    later = LATER_COLUMNS.get(table, frozenset())
    for name in wanted:
        if name not in present and name not in later:
            raise MissingColumn(table, name)
    parts = [name if name in present else f"NULL AS {name}" for name in wanted]
    return f"SELECT {', '.join(parts)} FROM {table} {tail}".strip()  # noqa: S608


def revision(connection: sqlite3.Connection, tables: set[str]) -> str | None:
    """The Alembic revision the store reached, or ``None`` when it has none recorded."""
    if "alembic_version" not in tables:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row and row[0] else None


def writer(rev: str | None) -> str:
    """Which MLflow release left the schema at ``rev``, in words."""
    if rev is None:
        return "an MLflow release before 1.0 (no alembic_version table)"
    known = KNOWN_REVISIONS.get(rev)
    return f"{known} (schema revision {rev})" if known else f"MLflow schema revision {rev}"


def check_readable(path: Path, connection: sqlite3.Connection, tables: set[str]) -> str | None:
    """Refuse a store too old to read, naming the MLflow that wrote it and the remedy.

    Returns:
        The store's Alembic revision (``None`` never gets this far).

    Raises:
        InputError: no ``alembic_version`` (MLflow before 1.0), or a column every MLflow since
            1.0 writes is missing (named with its table).
    """
    rev = revision(connection, tables)
    if rev is None:
        raise InputError(path, f"was written by {writer(rev)}, whose schema is too old to read",
                         location="alembic_version", expected=UPGRADE_HINT)
    for table, needed in REQUIRED_COLUMNS.items():
        missing = [name for name in needed if name not in columns(connection, table)]
        if missing:
            raise InputError(path, f"table {table} lacks column {', '.join(missing)} "
                                   f"(written by {writer(rev)})",
                             location=f"{table}.{missing[0]}", expected=UPGRADE_HINT)
    return rev
