"""Shared fixtures: real workspace databases on SQLite and on the real PostgreSQL server.

PostgreSQL tests read the server's URL from ``GOVERNANCE_APP_TEST_PG_URL`` (``.ci/run`` sets
it and starts the server); each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests judge results, not speed: on a loaded CI machine Hypothesis's own timing
# checks (a per-example deadline, "data generation too slow") fail tests whose properties hold.
settings.register_profile("governance", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("governance")

FIXTURES = Path(__file__).parent / "fixtures"
PG_ENV = "GOVERNANCE_APP_TEST_PG_URL"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


_USER_DIRS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture(scope="session", autouse=True)
def _session_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module- and session-scoped fixtures (a demo built once for a file of tests) run before
    the per-test isolation below: keep them away from the real user's folders too (key
    locations and witness receipts live there)."""
    home = tmp_path_factory.mktemp("session-home")
    saved = {name: os.environ.get(name) for name in _USER_DIRS}
    for name in _USER_DIRS:
        os.environ[name] = str(home / name.removeprefix("XDG_").removesuffix("_HOME").lower())
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """Keep every test away from the real user's data folder and default workspace."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("GOVERNANCE_APP_DB", raising=False)


def _pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set; .ci/run sets it so these run in CI")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(_pg_admin_url())
    name = f"gov_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def workspace_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'workspace.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def mlflow_db(tmp_path: Path) -> Path:
    """A private copy of the MLflow SQLite fixture (tests may compare its bytes)."""
    target = tmp_path / "mlflow-src" / "mlflow.db"
    target.parent.mkdir()
    shutil.copyfile(FIXTURES / "mlflow" / "mlflow.db", target)
    return target
