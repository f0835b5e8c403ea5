"""The application icon, and two env-driven start-up hooks for benchmarks and the frozen smoke test.

Both hooks are inert unless their environment variable is set, so a user never meets them:

- ``GOVERNANCE_APP_QUIT_AFTER_SHOWN=1``: once the first main window is shown and the event loop
  has run, print how long the process took to get there and quit (``benchmarks/bench_startup.py``).
- ``GOVERNANCE_APP_SMOKE_SCREENSHOT=path.png``: once the main window is shown, visit every view,
  wait for its background work, save one screenshot per view beside ``path`` and the last one at
  ``path``, then quit with 0 (or 1 and the traceback). This lets ``packaging/smoke_test.sh`` check a
  frozen build with no Python on the machine.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

ENV_QUIT_AFTER_SHOWN = "GOVERNANCE_APP_QUIT_AFTER_SHOWN"
ENV_SMOKE_SCREENSHOT = "GOVERNANCE_APP_SMOKE_SCREENSHOT"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
_IMPORTED_AT = time.monotonic()
_installed: dict[str, object] = {}


def app_icon() -> QIcon:
    """The app's icon from the PNGs rendered by ``packaging/render_icons.py``.

    PNGs rather than the SVG so the icon needs no SVG icon-engine plugin in a frozen build.
    """
    root = resources.files("governance_app.resources") / "icons"
    icon = QIcon()
    for size in ICON_SIZES:
        png = root / "hicolor" / f"{size}x{size}" / "apps" / "governance-app.png"
        if png.is_file():
            icon.addFile(str(png))
    return icon


def seconds_since_process_start() -> float:
    """Wall time since the OS started this process (Linux ``/proc``), else since this import.

    The benchmark wants the user's wait, which begins before Python imports anything.
    """
    try:
        stat = Path(f"/proc/{os.getpid()}/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED_AT


def install_startup_hooks(app: QApplication) -> None:
    """Set the window icon and, when asked by the environment, watch for the main window."""
    if _installed.get("app") is app:
        return
    _installed["app"] = app
    app.setWindowIcon(app_icon())
    if os.environ.get(ENV_QUIT_AFTER_SHOWN) or os.environ.get(ENV_SMOKE_SCREENSHOT):
        watcher = _ShownWatcher(app)
        app.installEventFilter(watcher)
        _installed["watcher"] = watcher


class _ShownWatcher(QObject):
    """Waits for the first main window's Show event, then runs the requested hook once."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.fired = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (not self.fired and event.type() == QEvent.Type.Show
                and type(watched).__name__ == "MainWindow"):
            self.fired = True
            window = watched
            QTimer.singleShot(0, lambda: self._on_window_shown(window))  # type: ignore[arg-type]
        return False

    def _on_window_shown(self, window: QWidget) -> None:
        self.app.removeEventFilter(self)
        elapsed = seconds_since_process_start()
        print(f"governance-app: main window shown after {elapsed:.3f} s", flush=True)
        target = os.environ.get(ENV_SMOKE_SCREENSHOT)
        if not target:
            self.app.exit(0)
            return
        try:
            for path in visit_views_and_save(window, Path(target)):
                print(f"governance-app: wrote {path}", flush=True)
        except Exception:  # noqa: BLE001 - the smoke test must see it and fail, not hang
            traceback.print_exc()
            self.app.exit(1)
            return
        self.app.exit(0)


def _settle(window: QWidget, timeout_s: float = 60.0) -> None:
    """Run the event loop until the window's workers are done (or the timeout passes)."""
    runner = getattr(window, "runner", None)
    deadline = time.monotonic() + timeout_s
    for _ in range(3):
        QApplication.processEvents()
    while runner is not None and runner.active() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(5):
        QApplication.processEvents()
        time.sleep(0.02)


def visit_views_and_save(window: QWidget, target: Path) -> list[Path]:
    """Show each view of ``window`` in turn and save a screenshot of each.

    Raises:
        OSError: a screenshot cannot be written.
        RuntimeError: the window has no views to visit.
    """
    from governance_app.ui.navigation import VIEW_NAMES

    show_view = getattr(window, "show_view", None)
    if show_view is None:
        raise RuntimeError(f"{type(window).__name__} has no views to visit")
    target.parent.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)  # the size UI.md asks every view to work at
    written: list[Path] = []
    for index, name in enumerate(VIEW_NAMES):
        show_view(index)
        _settle(window)
        path = target.with_name(f"{target.stem}-{index + 1:02d}-{name.lower()}{target.suffix}")
        if not window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
    show_view(0)
    _settle(window)
    if not window.grab().save(str(target)):
        raise OSError(f"could not write {target}")
    written.append(target)
    print(f"governance-app: visited {len(VIEW_NAMES)} views", file=sys.stderr, flush=True)
    return written
