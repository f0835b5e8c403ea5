"""A PDF's pages inside the app (QtPdf): page navigation, fit-width zoom, the file's actions.

Imported only when the Reports view first shows a preview: QtPdf loads pdfium, which the
window's start-up does not need. "Open in viewer" and "Show in folder" hand the file to the
desktop (``QDesktopServices``), where the reader's own PDF viewer can check the seal too.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from governance_app.errors import InputError


def open_url(url: QUrl) -> bool:
    """Hand ``url`` to the desktop (a seam tests replace: no viewer opens during a test run)."""
    return QDesktopServices.openUrl(url)


class ReportPreview(QWidget):
    """Shows one PDF; :meth:`load` it, then page with ◀ ▶ and zoom to the width or the page."""

    sig_loaded = Signal(int)
    """Emitted with the page count after each successful load."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setAccessibleName("Report pages")
        self.view.pageNavigator().currentPageChanged.connect(self._update_page_label)

        self.file_label = QLabel("No report shown")
        self.file_label.setWordWrap(False)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("Previous page (Page Up)")
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("Next page (Page Down)")
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.page_label = QLabel()
        self.fit_width_button = QPushButton("Fit width")
        self.fit_page_button = QPushButton("Whole page")
        self.zoom_group = QButtonGroup(self)
        for button in (self.fit_width_button, self.fit_page_button):
            button.setCheckable(True)
            self.zoom_group.addButton(button)
        self.fit_width_button.setChecked(True)
        self.fit_width_button.toggled.connect(self._on_fit_width_button_toggled)
        self.open_button = QPushButton("Open in viewer")
        self.open_button.setToolTip("Open the PDF in the system's PDF viewer")
        self.open_button.clicked.connect(self.open_in_viewer)
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.setToolTip("Open the folder that holds the PDF")
        self.folder_button.clicked.connect(self.show_in_folder)

        bar = QHBoxLayout()
        for widget in (self.previous_button, self.page_label, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.fit_width_button)
        bar.addWidget(self.fit_page_button)
        bar.addStretch(1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.file_label)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._update_page_label()

    def load(self, path: str | Path) -> int:
        """Show the PDF at ``path`` from its first page; returns its page count.

        Raises:
            InputError: the file is missing or is not a PDF QtPdf can read.
        """
        path = Path(path)
        self.document.close()
        error = self.document.load(str(path))
        if error != QPdfDocument.Error.None_:
            self.path = None
            self._update_page_label()
            raise InputError(path, f"cannot be shown ({error.name.replace('_', ' ').strip()})",
                             expected="a readable PDF file")
        self.path = path
        self.file_label.setText(f"<b>{path.name}</b> — {path.parent}")
        self.file_label.setToolTip(str(path))
        self.go_to(0)
        self._update_page_label()
        self.sig_loaded.emit(self.page_count())
        return self.page_count()

    def clear(self) -> None:
        self.document.close()
        self.path = None
        self.file_label.setText("No report shown")
        self._update_page_label()

    def page_count(self) -> int:
        return self.document.pageCount() if self.path is not None else 0

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        """Jump to ``page`` (0-based), kept inside the document."""
        if self.page_count():
            page = max(0, min(page, self.page_count() - 1))
            self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())
        self._update_page_label()

    def open_in_viewer(self) -> bool:
        return self.path is not None and open_url(QUrl.fromLocalFile(str(self.path)))

    def show_in_folder(self) -> bool:
        return self.path is not None and open_url(QUrl.fromLocalFile(str(self.path.parent)))

    def _on_fit_width_button_toggled(self, fit_width: bool) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth if fit_width
                              else QPdfView.ZoomMode.FitInView)

    def _update_page_label(self, *_: object) -> None:
        count = self.page_count()
        current = self.current_page() if count else -1
        self.page_label.setText(f"Page {current + 1} of {count}" if count else "No pages")
        self.previous_button.setEnabled(count > 0 and current > 0)
        self.next_button.setEnabled(count > 0 and current < count - 1)
        for button in (self.open_button, self.folder_button, self.fit_width_button,
                       self.fit_page_button):
            button.setEnabled(count > 0)
