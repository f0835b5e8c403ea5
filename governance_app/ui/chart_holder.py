"""A matplotlib figure in a widget, rebuilt for the space it gets (shared by detail and compare)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class _Canvas(FigureCanvasQTAgg):
    """A canvas that stays quiet when squeezed below what constrained layout can fit."""

    def draw(self) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="constrained_layout not applied")
            super().draw()


class ChartHolder(QWidget):
    """Shows a matplotlib figure built for the holder's size, rebuilt when it is resized.

    The figure builders choose their grid from the figure size, so a figure is built for the
    space it gets rather than squeezed into it; a canvas owns its figure, so a rebuild swaps
    the canvas.
    """

    REBUILD_DELAY_MS = 200

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas: FigureCanvasQTAgg | None = None
        self._builder: Callable[[tuple[float, float]], Figure] | None = None
        self._built_size = (0.0, 0.0)
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
        """Build the chart now for the current size, and again after resizes."""
        self._builder = builder
        self._rebuild()

    def _rebuild(self) -> None:
        if self._builder is None:
            return
        size = self.figure_size()
        figure = self._builder(size)
        self._built_size = size
        if self.canvas is not None:
            self._layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.canvas = _Canvas(figure)
        self._layout.addWidget(self.canvas)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        width, height = self.figure_size()
        old_w, old_h = self._built_size
        if abs(width - old_w) > 0.15 * old_w or abs(height - old_h) > 0.15 * old_h:
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        self._rebuild()

    @property
    def figure(self) -> Figure | None:
        return self.canvas.figure if self.canvas else None
