"""Logs and crash reports on disk, without Qt (so they work before and after the GUI).

A desktop user has no terminal: what the app did, and why it failed, must be in a file they can
find and attach to a report. Logs go to the platform's log folder
(``platformdirs.user_log_dir``: ``~/.local/state/governance-app/log`` on Linux) through a
rotating handler, so they never grow without bound; each unexpected exception also gets a crash
report of its own beside them, with the versions needed to reproduce it.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from datetime import datetime
from importlib import metadata
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_dir

import governance_app

APP_NAME = "governance-app"
LOG_FILE_NAME = "governance-app.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"

# Distribution → licence, written out: package metadata is inconsistent (some carry the whole
# licence text, some nothing), and the About box must say it plainly.
LIBRARIES: dict[str, str] = {
    "PySide6": "LGPL-3.0-only or GPL-3.0 (Qt for Python)",
    "SQLAlchemy": "MIT",
    "alembic": "MIT",
    "pandas": "BSD-3-Clause",
    "numpy": "BSD-3-Clause",
    "matplotlib": "Matplotlib licence (PSF-based)",
    "reportlab": "BSD-3-Clause",
    "platformdirs": "MIT",
}
APP_LICENCE = "Apache-2.0"


def log_dir() -> Path:
    """The platform's log folder for the app (created on first use)."""
    folder = Path(user_log_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def configure_logging(folder: Path | None = None, level: int = logging.INFO) -> Path:
    """Send the root logger to a rotating file in ``folder`` (default :func:`log_dir`).

    Calling it again replaces the handler it installed before rather than adding a second,
    so tests and a re-launched window do not write every line twice.

    Returns:
        The log file's path.
    """
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME
    remove_logging()
    root = logging.getLogger()
    handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._governance_app = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger(__name__).info("governance-app %s started; log at %s",
                                     governance_app.__version__, path)
    return path


def remove_logging() -> None:
    """Detach and close the handler :func:`configure_logging` added (tests, a clean exit)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_governance_app", False)]:
        root.removeHandler(handler)
        handler.close()


def current_log_file() -> Path | None:
    """The file :func:`configure_logging` writes to, if it was called."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_governance_app", False):
            return Path(handler.baseFilename)  # type: ignore[attr-defined]
    return None


def library_versions() -> dict[str, str]:
    """Installed version of each library the app depends on most (``"not installed"`` if not)."""
    versions: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment_lines() -> list[str]:
    """App, Python, platform and library versions, one per line, for reports."""
    lines = [f"governance-app {governance_app.__version__}",
             f"Python {platform.python_version()} ({sys.executable})",
             f"Platform {platform.platform()}"]
    lines += [f"{name} {version}" for name, version in library_versions().items()]
    return lines


def crash_report_text(exc_type: type[BaseException], exc: BaseException,
                      tb: TracebackType | None, *, when: datetime | None = None) -> str:
    """The whole report: what, when, on which versions, and the traceback."""
    when = when or datetime.now().astimezone()
    trace = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
    return "\n".join([
        f"governance-app crash report, {when.isoformat(timespec='seconds')}",
        f"Unexpected {exc_type.__name__}: {exc}",
        "",
        *environment_lines(),
        "",
        trace,
        "",
    ])


def write_crash_report(text: str, folder: Path | None = None,
                       *, when: datetime | None = None) -> Path:
    """Write ``text`` to ``crash-<timestamp>.txt`` next to the logs; returns the file."""
    folder = folder or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.txt"
    path.write_text(text, encoding="utf-8")
    return path
