"""What the window remembers between sessions (``QSettings``): geometry and recent workspaces.

Kept apart from the window so the welcome screen reads the same recent list, and so the rule
"restored sensibly on a smaller screen" lives in one place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

MAX_RECENT = 8
DEFAULT_SIZE = (1280, 800)
RECENT_KEY = "recent_workspaces"


def recent_workspaces() -> list[str]:
    """Workspace URLs, most recent first (``QSettings`` gives a bare string for one item)."""
    value = QSettings().value(RECENT_KEY, [])
    return [value] if isinstance(value, str) else list(value or [])


def remember_workspace(url: str) -> list[str]:
    """Put ``url`` first in the recent list (at most :data:`MAX_RECENT`); returns the list."""
    recent = ([url] + [u for u in recent_workspaces() if u != url])[:MAX_RECENT]
    QSettings().setValue(RECENT_KEY, recent)
    return recent


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL, or ``None`` for a server database."""
    prefix = "sqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) else None


def workspace_exists(url: str) -> bool:
    """False only for a SQLite file that is gone: opening it would create an empty workspace."""
    path = sqlite_path(url)
    return path is None or path.exists()


def restore_geometry(window: QWidget, settings: QSettings) -> None:
    """Restore the saved geometry, or 1280×800; fit a window saved on a larger monitor."""
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    else:
        window.resize(*DEFAULT_SIZE)
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is not None and (window.width() > screen.width()
                               or window.height() > screen.height()):
        # Saved on a larger monitor: fit the window on this one instead of spilling over.
        window.resize(min(window.width(), screen.width()), min(window.height(), screen.height()))
        window.move(screen.topLeft())
