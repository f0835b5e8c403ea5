"""Help ▸ About and Help ▸ User guide.

About names every version a bug report needs (the app, Qt as it runs, PySide6, Python and the
key libraries) with their licences, and lets the user copy them in one click. The user guide is
the ``docs/`` folder of the source tree (written for review boards and compliance officers);
it is opened with the desktop's own viewer rather than inside the app.
"""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

import governance_app
from governance_app.ui.logging_setup import (
    APP_LICENCE,
    LIBRARIES,
    current_log_file,
    library_versions,
    log_dir,
)

# docs/ ships in the wheel as governance_app/docs (pyproject.toml); a checkout and the frozen
# build (packaging/governance-app.spec) have it beside the package.
_PACKAGE_DIR = Path(governance_app.__file__).resolve().parent
DOCS_DIR = next((d for d in (_PACKAGE_DIR / "docs", _PACKAGE_DIR.parent / "docs") if d.is_dir()),
                _PACKAGE_DIR.parent / "docs")
GUIDE_CANDIDATES = ("user-guide.md", "README.md", "index.md")


def component_versions() -> list[tuple[str, str, str]]:
    """``(component, version, licence)`` for the About box, the app first."""
    rows = [
        ("governance-app", governance_app.__version__, APP_LICENCE),
        ("Qt (running)", qVersion(), "LGPL-3.0-only or GPL-3.0"),
        ("Python", platform.python_version(), "PSF-2.0"),
    ]
    versions = library_versions()
    rows += [(name, versions[name], licence) for name, licence in LIBRARIES.items()]
    return rows


def user_guide_url(docs_dir: Path = DOCS_DIR) -> QUrl:
    """The guide's first page if there is one, else the ``docs/`` folder itself.

    Falls back to the project README when ``docs/`` is not shipped (an installed wheel).
    """
    for name in GUIDE_CANDIDATES:
        if (docs_dir / name).is_file():
            return QUrl.fromLocalFile(str(docs_dir / name))
    if docs_dir.is_dir():
        return QUrl.fromLocalFile(str(docs_dir))
    return QUrl.fromLocalFile(str(docs_dir.parent / "README.md"))


def open_user_guide(docs_dir: Path = DOCS_DIR) -> QUrl:
    """Open the guide with the desktop's viewer; returns the URL it asked for."""
    url = user_guide_url(docs_dir)
    QDesktopServices.openUrl(url)
    return url


class AboutDialog(QDialog):
    """The app, what it is for, and every component's version and licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About governance-app")
        self.rows = component_versions()
        title = QLabel(f"<h2>governance-app {governance_app.__version__}</h2>"
                       "<p>Offline ML model governance for review boards: registry imports, "
                       "evidence per model version, signed reviews and reports.</p>")
        title.setWordWrap(True)
        table = "".join(
            f"<tr><td>{name}</td><td align='right'>&nbsp;&nbsp;{version}&nbsp;&nbsp;</td>"
            f"<td>{licence}</td></tr>" for name, version, licence in self.rows)
        self.versions_label = QLabel(
            "<table cellspacing='0' cellpadding='3'>"
            "<tr><th align='left'>Component</th><th align='right'>&nbsp;&nbsp;Version&nbsp;&nbsp;"
            f"</th><th align='left'>Licence</th></tr>{table}</table>")
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        logs = current_log_file() or log_dir()
        self.logs_label = QLabel(f"Logs and crash reports: {logs}")
        self.logs_label.setWordWrap(True)
        self.logs_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy versions")
        self.copy_button.setToolTip("Copy every version above as plain text, for a bug report")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.versions_label)
        layout.addWidget(self.logs_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def versions_text(self) -> str:
        """What "Copy versions" copies: one ``component version (licence)`` per line."""
        return "".join(f"{name} {version} ({licence})\n" for name, version, licence in self.rows)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.versions_text())
