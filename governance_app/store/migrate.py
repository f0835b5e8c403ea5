"""Bring a workspace's schema to this version's head, or refuse a newer one.

Opening an older workspace upgrades it in place (one transaction per migration on
PostgreSQL; SQLite's batch mode rebuilds tables). A workspace whose revision this version does
not know was written by a newer governance-app: writing to it could corrupt it, so we stop.

Every opening checks the revision, and Alembic takes a third of a second to import. So a
workspace already at the shipped head is recognised without it (:func:`is_at_shipped_head`:
one ``SELECT`` and the revision ids read from the migration files); Alembic is imported only
when there is something to upgrade or refuse.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from governance_app.errors import SchemaTooNewError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]",
                         re.MULTILINE)


@cache
def shipped_head() -> str | None:
    """The head revision of the shipped migrations, read from the files without Alembic.

    ``None`` when the files do not name exactly one head (a merge, an unusual file): the
    caller then asks Alembic. tests/packaging/test_startup_imports.py checks it is Alembic's head.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(m.groups() for m in _ASSIGNMENT.finditer(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_at_shipped_head(engine: Engine) -> bool:
    """Whether the workspace's one recorded revision is the shipped head (no Alembic needed)."""
    head = shipped_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # no such table yet (a new workspace), or unreadable: ask Alembic
        return False
    return [tuple(row) for row in rows] == [(head,)]


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every missing migration.

    Raises:
        SchemaTooNewError: the workspace's revision is unknown to this version.
    """
    if is_at_shipped_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

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
