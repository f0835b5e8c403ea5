"""Open a workspace: pick the database, create or upgrade its schema, hand out sessions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from governance_app.store import migrate
from governance_app.store.engine import describe, make_engine, normalise_url
from governance_app.store.session import session_scope

APP_NAME = "governance-app"
ENV_WORKSPACE = "GOVERNANCE_APP_DB"
"""Environment variable naming the workspace URL when ``--db`` is not given."""


def data_dir() -> Path:
    """The user's data folder for the app (created on first use)."""
    folder = Path(user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_workspace_url() -> str:
    """``$GOVERNANCE_APP_DB``, else ``workspace.db`` in the user's data folder."""
    from_env = os.environ.get(ENV_WORKSPACE)
    if from_env:
        return normalise_url(from_env)
    return f"sqlite:///{data_dir() / 'workspace.db'}"


class Workspace:
    """An open workspace database at its current schema.

    Cheap to open: workers in other threads open their own from the URL rather than share one.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.display_name = describe(engine)

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Workspace:
        """Open (creating or upgrading) the workspace at ``url``.

        Args:
            upgrade: bring the schema to this version's head first. Workers in the GUI pass
                ``False`` for a workspace the window has already opened (and so upgraded).

        Raises:
            WorkspaceError: the URL is unusable or the database cannot be reached.
            SchemaTooNewError: the workspace was written by a newer version.
        """
        engine = make_engine(url or default_workspace_url())
        if not upgrade:
            return cls(engine)
        try:
            migrate.upgrade(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    @contextmanager
    def session(self, *, immediate: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with session_scope(self.engine, immediate=immediate) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
