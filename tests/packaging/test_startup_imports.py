"""Start-up stays light: the first window and the CLI parser load no heavy library.

Issue 9's start-up target (``benchmarks/bench_startup.py``) was missed by imports, not by work:
pandas (through the importers and the analytics), matplotlib (through the charts), reportlab
(through the reports) and Alembic (through the schema check) were imported before the first
window. They now load when a view, a chart, a report or an upgrade needs them. These tests
guard that behaviour in fresh interpreters (``sys.modules`` of a child process), not a time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from governance_app.services.importing import import_path
from governance_app.services.workspace import Workspace
from governance_app.store import migrate

ROOT = Path(__file__).resolve().parents[2]
MLFLOW_DB = ROOT / "tests" / "fixtures" / "mlflow" / "mlflow.db"
HEAVY = ("pandas", "matplotlib", "reportlab", "pyhanko", "pyarrow", "alembic", "jsonschema")


def _loaded_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; which of HEAVY it left in ``sys.modules``."""
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _heavy(loaded: dict[str, bool]) -> list[str]:
    return [name for name, present in loaded.items() if present]


def test_the_cli_parser_imports_no_heavy_library() -> None:
    loaded = _loaded_after("""
        from governance_app import cli
        cli.build_parser().parse_args(["models"])
    """)
    assert _heavy(loaded) == []


def test_the_main_window_module_imports_no_heavy_library() -> None:
    loaded = _loaded_after("""
        import governance_app.entry
        import governance_app.ui.app
        import governance_app.ui.main_window
    """)
    assert _heavy(loaded) == []


def test_the_first_window_on_a_current_workspace_loads_no_heavy_library(tmp_path: Path) -> None:
    """The whole way of ``governance-app --db URL gui`` up to a shown, settled main window:
    the workspace opened (its schema checked), the Models view listing the registry with a
    version selected; the other views and the charts wait until they are shown."""
    url = f"sqlite:///{tmp_path / 'board.db'}"
    with Workspace.open(url) as ws:
        import_path(ws, MLFLOW_DB)
    loaded = _loaded_after(f"""
        import time
        from PySide6.QtWidgets import QApplication
        from governance_app.services.workspace import Workspace
        from governance_app.ui.app import application
        from governance_app.ui.main_window import MainWindow

        app = application()
        window = MainWindow(Workspace.open({url!r}))
        window.show()
        deadline = time.monotonic() + 30
        while (window.runner.active() or window.models_panel.detail_panel.detail is None) \\
                and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        assert window.models_panel.detail_panel.detail is not None, "no version detail shown"
        window.close()
    """)
    assert _heavy(loaded) == []


def test_a_view_that_needs_them_still_gets_them(tmp_path: Path) -> None:
    """Lazy, not missing: showing the Fairness view loads its libraries."""
    url = f"sqlite:///{tmp_path / 'board.db'}"
    Workspace.open(url).close()
    loaded = _loaded_after(f"""
        from governance_app.services.workspace import Workspace
        from governance_app.ui.app import application
        from governance_app.ui.main_window import MainWindow

        app = application()
        window = MainWindow(Workspace.open({url!r}))
        window.show_view_named("Fairness")
        assert type(window.views["Fairness"]).__name__ == "FairnessPanel"
        window.close()
    """)
    assert loaded["pandas"] and loaded["matplotlib"]


def test_the_shipped_head_read_from_the_files_is_alembics() -> None:
    assert migrate.shipped_head() == migrate.head_revision()


def test_a_current_workspace_is_recognised_without_alembic(workspace_url: str) -> None:
    engine = create_engine(workspace_url)
    try:
        assert not migrate.is_at_shipped_head(engine)  # empty: Alembic creates the schema
        Workspace.open(workspace_url).close()
        assert migrate.is_at_shipped_head(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        assert not migrate.is_at_shipped_head(engine)  # Alembic refuses it (test_migrations)
    finally:
        engine.dispose()


@pytest.mark.parametrize("verb", ["models", "imports"])
def test_a_cli_verb_on_a_current_workspace_loads_no_heavy_library(
        tmp_path: Path, verb: str) -> None:
    url = f"sqlite:///{tmp_path / 'board.db'}"
    Workspace.open(url).close()
    loaded = _loaded_after(f"""
        import contextlib, io
        from governance_app.entry import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--db", {url!r}, {verb!r}]) == 0
    """)
    assert _heavy(loaded) == []


def test_opening_the_built_demo_loads_no_heavy_library(tmp_path: Path) -> None:
    """``governance-app demo`` checks the demo is current (file digests) before its window."""
    from governance_app.services.demo import demo_workspace_url

    demo_workspace_url(tmp_path)
    loaded = _loaded_after(f"""
        from pathlib import Path
        from governance_app.services.demo import demo_workspace_url
        demo_workspace_url(Path({str(tmp_path)!r}))
    """)
    assert _heavy(loaded) == []
