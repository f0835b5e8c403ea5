"""GUI test set-up: offscreen Qt, isolated QSettings, real workspaces, no stray threads.

``QT_QPA_PLATFORM`` must be set before anything imports Qt, so it is set at import time here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, QThreadPool  # noqa: E402

from governance_app.services.importing import import_path  # noqa: E402
from governance_app.services.workspace import Workspace  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MLFLOW_DB = REPO / "tests" / "fixtures" / "mlflow" / "mlflow.db"
DEMO_BUNDLE = REPO / "resources" / "demo" / "registry.json"
THREAD_GRACE_MS = 300
"""A worker that has emitted its last signal may need a moment to return its thread."""


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own QSettings folder and user data folder (for the demo workspace)."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName("governance-app-tests")
    QCoreApplication.setApplicationName("governance-app-tests")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # logs, crash reports
    monkeypatch.delenv("GOVERNANCE_APP_DB", raising=False)
    yield folder


@pytest.fixture(autouse=True)
def no_threads_left(qapp) -> Iterator[None]:  # noqa: ARG001 - needs the application first
    """Fail a test that leaves work running on the thread pool (napari's conftest does this)."""
    yield
    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(THREAD_GRACE_MS):
        running = pool.activeThreadCount()
        pool.waitForDone(30_000)  # do not let the next test inherit it
        pytest.fail(f"test left {running} QThreadPool worker(s) running")


def _build(folder: Path, source: Path) -> Path:
    target = folder / "ws.db"
    with Workspace.open(f"sqlite:///{target}") as ws:
        import_path(ws, source)
    return target


def _copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "ws.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{template}{suffix}").exists():
            shutil.copy(f"{template}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def _mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("mlflow-ws"), MLFLOW_DB)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("demo-ws"), DEMO_BUNDLE)


@pytest.fixture
def mlflow_url(_mlflow_template: Path, tmp_path: Path) -> str:
    """A real SQLite workspace file holding MLflow's own fixture store (``mlflow.db``)."""
    return _copy(_mlflow_template, tmp_path)


@pytest.fixture
def demo_url(_demo_template: Path, tmp_path: Path) -> str:
    """A real SQLite workspace built from the shipped demo bundle."""
    return _copy(_demo_template, tmp_path)


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    """A new, empty workspace file."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Workspace.open(url).close()
    return url


@pytest.fixture
def open_window(qtbot):
    """Factory: a shown :class:`MainWindow` on a workspace URL, with its first detail loaded."""
    from governance_app.ui.main_window import MainWindow

    windows = []

    def make(url: str, *, wait_detail: bool = True, restored: bool = False) -> MainWindow:
        window = MainWindow(Workspace.open(url))
        qtbot.addWidget(window)
        if not restored:  # else keep the geometry the window restored from QSettings
            window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        if wait_detail:
            qtbot.waitUntil(lambda: window.models_panel.detail_panel.detail is not None,
                            timeout=10_000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
