"""The window's views by navigation name, each built the first time it is shown or asked for.

Why not all at start: every view but Models brings its own heavy libraries (pandas and numpy
through the analytics, matplotlib through the charts, reportlab through the reports), and
building them all before the first window cost about a second of the start-up target of issue 9
(``benchmarks/bench_startup.py``). The stack holds an empty stand-in at a view's place until the
view is built; the stand-in is then swapped for the view, so indexes never move.

``views["Fairness"]`` builds the Fairness view (so links between views and tests can reach any
view); :meth:`LazyViews.built` lists only the views that exist, for refresh and saving state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QStackedWidget, QWidget

Builder = Callable[[], QWidget]


class LazyViews(Mapping[str, QWidget]):
    """Views in navigation order over one ``QStackedWidget``, built on first use.

    Args:
        stack: the stacked widget; this object adds one page per view, in order.
        on_built: called with the name and panel once a view is built (restore its state,
            load it), before it is shown.
    """

    def __init__(self, stack: QStackedWidget,
                 on_built: Callable[[str, QWidget], None] | None = None) -> None:
        self._stack = stack
        self._on_built = on_built
        self._order: list[str] = []
        self._panels: dict[str, QWidget] = {}
        self._builders: dict[str, Builder] = {}

    def add(self, name: str, panel: QWidget) -> None:
        """Add a view that is already built (Models, the placeholders)."""
        self._order.append(name)
        self._panels[name] = panel
        self._stack.addWidget(panel)

    def add_deferred(self, name: str, builder: Builder) -> None:
        """Add a view built by ``builder()`` when first shown or asked for."""
        self._order.append(name)
        self._builders[name] = builder
        self._stack.addWidget(QWidget())  # the stand-in, at the view's index

    def is_built(self, name: str) -> bool:
        return name in self._panels

    def built(self) -> dict[str, QWidget]:
        """The views that exist, in navigation order (building none)."""
        return {name: self._panels[name] for name in self._order if name in self._panels}

    def __getitem__(self, name: str) -> QWidget:
        panel = self._panels.get(name)
        if panel is not None:
            return panel
        builder = self._builders.pop(name)  # KeyError for a name that is no view
        panel = builder()
        self._panels[name] = panel
        index = self._order.index(name)
        current = self._stack.currentIndex()
        stand_in = self._stack.widget(index)
        self._stack.insertWidget(index, panel)
        self._stack.removeWidget(stand_in)
        stand_in.deleteLater()
        self._stack.setCurrentIndex(current)
        if self._on_built is not None:
            self._on_built(name, panel)
        return panel

    def __contains__(self, name: object) -> bool:
        return name in self._order  # Mapping's default would build the view

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)
