"""One managed-session helper: commit on success, roll back on any error, map DB errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from governance_app.errors import GovernanceError, WorkspaceError


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """A session whose work is one transaction.

    Args:
        immediate: on SQLite, take the write lock at BEGIN (``BEGIN IMMEDIATE``), so that
            read-then-write decisions cannot interleave with another writer.

    Raises:
        WorkspaceError: the database refused the work (locked, unreachable, constraint).
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if immediate else engine
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except GovernanceError:
        session.rollback()
        raise
    except OperationalError as exc:
        session.rollback()
        raise WorkspaceError(f"the workspace database failed: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        session.rollback()
        raise WorkspaceError(f"the workspace database refused the change: {exc}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
