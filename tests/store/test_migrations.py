"""The shipped migrations produce exactly the ORM's schema; newer or foreign schemas are refused."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from governance_app.errors import SchemaTooNewError
from governance_app.services.workspace import Workspace
from governance_app.store.migrate import current_revision, head_revision
from governance_app.store.tables import metadata


def test_migrations_produce_exactly_the_orm_schema(workspace_url: str) -> None:
    with Workspace.open(workspace_url) as ws:
        with ws.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
        assert diff == []
        assert current_revision(ws.engine) == head_revision()


def test_reopening_a_current_workspace_changes_nothing(workspace_url: str) -> None:
    Workspace.open(workspace_url).close()
    with Workspace.open(workspace_url) as ws:
        assert current_revision(ws.engine) == head_revision()


def test_a_workspace_from_a_newer_version_is_refused(workspace_url: str) -> None:
    Workspace.open(workspace_url).close()
    engine = create_engine(workspace_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(SchemaTooNewError, match="9999_future.*newer version"):
        Workspace.open(workspace_url)


def test_a_foreign_database_is_not_taken_over(tmp_path) -> None:
    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(SchemaTooNewError, match="not a governance-app workspace"):
        Workspace.open(str(path))


def test_sqlite_pragmas_are_set(tmp_path) -> None:
    with Workspace.open(str(tmp_path / "ws.db")) as ws, ws.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
