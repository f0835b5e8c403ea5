"""A matplotlib figure in a widget, rebuilt for the space it gets (shared by detail and compare)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:  # matplotlib loads with the first chart, not with the window
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure


@cache
def _canvas_class() -> type[FigureCanvasQTAgg]:
    """The canvas class, defined on first use so that importing this module (the window does,
    at start-up) does not import matplotlib."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class _Canvas(FigureCanvasQTAgg):
        """A canvas that stays quiet when squeezed below what constrained layout can fit."""

        def draw(self) -> None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="constrained_layout not applied")
                super().draw()

    return _Canvas


class ChartHolder(QWidget):
    """Shows a matplotlib figure built for the holder's size, rebuilt when it is resized.

    The figure builders choose their grid from the figure size, so a figure is built for the
    space it gets rather than squeezed into it; a canvas owns its figure, so a rebuild swaps
    the canvas.

    Args:
        defer_until_shown: a holder that is not visible (a tab not chosen) builds when it is
            shown, or when :attr:`figure` is asked for; the Models view's history tabs use it,
            so the first window opens without importing matplotlib (issue 9's start-up
            target). Off by default: a view that connects to :attr:`canvas` right after
            :meth:`show_chart` needs the canvas built at once.
    """

    REBUILD_DELAY_MS = 200

    def __init__(self, parent: QWidget | None = None, *, defer_until_shown: bool = False) -> None:
        super().__init__(parent)
        self.defer_until_shown = defer_until_shown
        self.canvas: FigureCanvasQTAgg | None = None
        self._builder: Callable[[tuple[float, float]], Figure] | None = None
        self._built_size = (0.0, 0.0)
        self._pending = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setMinimumHeight(220)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REBUILD_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    def figure_size(self) -> tuple[float, float]:
        """The holder's size in inches at 100 dpi (at least 4.8 × 3)."""
        return max(self.width(), 480) / 100, max(self.height(), 300) / 100

    def show_chart(self, builder: Callable[[tuple[float, float]], Figure]) -> None:
        """Build the chart for the current size (now if visible, else when shown), and again
        after resizes."""
        self._builder = builder
        self._pending = True
        if self.isVisible() or not self.defer_until_shown:
            self._rebuild()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._pending:
            self._rebuild()

    def _rebuild(self) -> None:
        if self._builder is None:
            return
        self._pending = False
        size = self.figure_size()
        figure = self._builder(size)
        self._built_size = size
        if self.canvas is not None:
            self._layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.canvas = _canvas_class()(figure)
        self._layout.addWidget(self.canvas)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        width, height = self.figure_size()
        old_w, old_h = self._built_size
        if abs(width - old_w) > 0.15 * old_w or abs(height - old_h) > 0.15 * old_h:
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self.isVisible() or not self.defer_until_shown:
            self._rebuild()
        else:
            self._pending = self._builder is not None

    @property
    def figure(self) -> Figure | None:
        """The figure shown, built now if it was waiting to be shown."""
        if self._pending:
            self._rebuild()
        return self.canvas.figure if self.canvas else None
