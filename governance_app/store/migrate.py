"""Bring a workspace's schema to this version's head, or refuse a newer one.

Opening an older workspace upgrades it in place (one transaction per migration on
PostgreSQL; SQLite's batch mode rebuilds tables). A workspace whose revision this version does
not know was written by a newer governance-app: writing to it could corrupt it, so we stop.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from governance_app.errors import SchemaTooNewError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every missing migration.

    Raises:
        SchemaTooNewError: the workspace's revision is unknown to this version.
    """
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and not _known(script, current):
        raise SchemaTooNewError(
            f"{engine.url.render_as_string(hide_password=True)}: the workspace has schema "
            f"revision {current}, which this governance-app does not know (it knows up to "
            f"{script.get_current_head()}); it was written by a newer version — open it "
            "with that version or upgrade governance-app"
        )
    if current == script.get_current_head():
        return
    if current is None and _has_foreign_tables(engine):
        raise SchemaTooNewError(
            f"{engine.url.render_as_string(hide_password=True)}: the database has tables but "
            "no governance-app schema revision; it is not a governance-app workspace"
        )
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


def _has_foreign_tables(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    return bool(names)
