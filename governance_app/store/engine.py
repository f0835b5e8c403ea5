"""Engines for SQLite files and PostgreSQL, with the connection settings DESIGN.md asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from governance_app.errors import WorkspaceError

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and implicitly, which breaks BEGIN IMMEDIATE and
    # savepoints; take control of BEGIN ourselves (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Audit events and signatures must survive a power cut once committed.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    # "immediate" takes the write lock at BEGIN, so two writers serialise instead of one
    # failing late; used where a decision must be taken exactly once.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def normalise_url(url: str) -> str:
    """Accept a bare file path as a SQLite workspace and plain ``postgresql://`` as psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    """Create the engine for a workspace URL.

    Raises:
        WorkspaceError: the URL is malformed, names an unsupported backend, or a SQLite
            file's folder does not exist.
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WorkspaceError(f"{url}: not a database URL ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise WorkspaceError("a workspace must be a SQLite file or a PostgreSQL database")
        folder = Path(database).expanduser().parent
        if not folder.is_dir():
            raise WorkspaceError(f"{database}: folder {folder} does not exist")
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise WorkspaceError(f"{url}: unsupported backend {backend!r} (use SQLite or PostgreSQL)")


def describe(engine: Engine) -> str:
    """A short human name of the workspace: ``board.db (SQLite)``, ``test@host (PostgreSQL)``."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"{Path(url.database or '').name} (SQLite)"
    host = url.host or "localhost"
    return f"{url.database}@{host} (PostgreSQL)"
